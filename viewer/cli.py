"""The ``mediaboard`` command: build, open and watch static sites of run folders.

    mediaboard build [RUN_OR_ROOT ...] -o SITE
    mediaboard open  [RUN_OR_ROOT ...] [-o SITE]
    mediaboard watch [RUN_OR_ROOT ...] -o SITE [--interval 2]

Errors are one line on stderr with exit code 2; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import webbrowser
from pathlib import Path

from media import runfolder as rf
from viewer.errors import run_command

DEFAULT_SITE = "mediaboard-site"


def _progress(quiet: bool):
    if quiet:
        return None
    return lambda msg: print(msg, file=sys.stderr, flush=True)


def _sources(args: argparse.Namespace) -> list[str]:
    return list(args.runs) or [str(rf.default_root())]


def _build(args: argparse.Namespace) -> int:
    from viewer.build import build_site

    t0 = time.perf_counter()
    stats = build_site(_sources(args), args.out, progress=_progress(args.quiet), allow_empty=False)
    took = time.perf_counter() - t0
    print(f"built {stats.runs} run(s) ({stats.runs_rebuilt} rebuilt) in {took:.2f} s: "
          f"{stats.written} file(s) written, {stats.linked} linked, {stats.unchanged} unchanged",
          file=sys.stderr)
    for p in stats.problems[:20]:
        print(f"warning: {p}", file=sys.stderr)
    print(stats.index_html.resolve())
    return 0


def _open(args: argparse.Namespace) -> int:
    code = _build(args)
    if code == 0:
        webbrowser.open((Path(args.out) / "index.html").resolve().as_uri())
    return code


def _watch(args: argparse.Namespace) -> int:
    from viewer.build import build_site

    print(f"watching {', '.join(_sources(args))} every {args.interval:g} s; Ctrl-C to stop",
          file=sys.stderr)
    rounds = 0
    try:
        while True:
            stats = build_site(_sources(args), args.out, progress=None)
            if stats.runs_rebuilt:
                print(f"rebuilt {stats.runs_rebuilt} run(s): {stats.written} file(s) written",
                      file=sys.stderr, flush=True)
            rounds += 1
            if args.rounds and rounds >= args.rounds:
                break
            time.sleep(args.interval)
    except KeyboardInterrupt:
        pass
    print((Path(args.out) / "index.html").resolve())
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mediaboard", description="Static sites of mediaboard runs.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, out_default: str | None) -> None:
        p.add_argument("runs", nargs="*", help="run folders or folders of runs (default: the run root)")
        p.add_argument("-o", "--out", default=out_default, required=out_default is None,
                       help="site folder")
        p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    common(sub.add_parser("build", help="write a static site"), DEFAULT_SITE)
    common(sub.add_parser("open", help="build, then open it in the browser"), DEFAULT_SITE)
    w = sub.add_parser("watch", help="rebuild while runs are written")
    common(w, DEFAULT_SITE)
    w.add_argument("--interval", type=float, default=2.0, help="seconds between rebuilds")
    w.add_argument("--rounds", type=int, default=0, help=argparse.SUPPRESS)
    _commands(sub)
    return parser


def _commands(sub: argparse._SubParsersAction) -> None:
    """Subcommands that live in their own modules. A module that fails to import is an error, not
    a command that silently vanishes."""
    for name in ("ci", "export", "report", "sweepcmd"):
        importlib.import_module(f"viewer.{name}").add_parser(sub)


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    after: list[str] = []
    if "--" in argv and "agent" in argv[:argv.index("--")]:  # `mediaboard agent ID -- cmd ...`
        at = argv.index("--")
        argv, after = argv[:at], argv[at + 1:]
    args = parser.parse_args(argv)
    if after:
        args.trial_command = after
    handlers = {"build": _build, "open": _open, "watch": _watch}
    fn = handlers.get(args.command) or args.func  # subcommands are required: one is always set
    return run_command(args.command, fn, args, debug=args.debug)


if __name__ == "__main__":
    raise SystemExit(main())
