"""The viewer's errors, and the one place that turns them into a line on stderr and an exit code.

Every ``mediaboard`` command (build, open, watch, ci, export, report) runs through
:func:`run_command`:

====  ===========================================================================
code  meaning
====  ===========================================================================
0     done
1     the command ran, and its verdict is "no": a ``ci --fail-on`` rule failed,
      an export does not fit its ``--budget`` (:class:`VerdictError`)
2     bad usage or unreadable input (:class:`UsageError`, the writer's
      ``FormatError``, a missing path) and any other error, shown as one line
130   interrupted (Ctrl-C)
====  ===========================================================================

``--debug`` shows the traceback instead of the one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from media.runfolder import FormatError


class ViewerError(Exception):
    """Base of the viewer's own errors; ``exit_code`` is what the command exits with."""

    exit_code = 2
    #: False for a message that already says where (``file:line: ...``, as compilers print)
    prefixed = True


class UsageError(ViewerError):
    """Bad arguments or unreadable input: exit code 2."""


class VerdictError(ViewerError):
    """The command ran and says no (over budget, a failing rule): exit code 1."""

    exit_code = 1


#: errors whose message is the whole story (no class name in front of it)
_PLAIN = (ViewerError, FormatError, FileNotFoundError, NotADirectoryError)


def exit_code(exc: BaseException) -> int:
    """The exit code for an error that ended a command."""
    if isinstance(exc, KeyboardInterrupt):
        return 130
    return getattr(exc, "exit_code", 2) if isinstance(exc, ViewerError) else 2


def message(command: str, exc: BaseException) -> str:
    """``mediaboard <command>: <what went wrong>``, one line (``file:line: ...`` when it names one)."""
    if not getattr(exc, "prefixed", True):
        return str(exc)
    name = "" if isinstance(exc, _PLAIN) else f"{type(exc).__name__}: "
    text = str(exc) or type(exc).__name__
    return f"mediaboard {command}: {name}{text}"


def run_command(command: str, fn: Callable[..., int], *args: Any, debug: bool = False) -> int:
    """``fn(*args)``, with every error turned into one line on stderr and its exit code."""
    try:
        return fn(*args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line for the user, the traceback with --debug
        if debug:
            raise
        print(message(command, exc), file=sys.stderr)
        return exit_code(exc)


class Parser(argparse.ArgumentParser):
    """argparse that raises :class:`UsageError` (one line, exit code 2) instead of printing usage."""

    def error(self, message: str) -> Any:
        raise UsageError(message)


def command_main(command: str, add_arguments: Callable[[argparse.ArgumentParser], Any],
                 run: Callable[[argparse.Namespace], int], argv: Sequence[str] | None,
                 description: str = "") -> int:
    """``mediaboard <command> ...`` as a function: parse ``argv`` (default ``sys.argv[1:]``) and
    ``run`` it; a usage error is one line on stderr and exit code 2."""
    parser = Parser(prog=f"mediaboard {command}", description=description)
    add_arguments(parser)
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        print(message(command, exc), file=sys.stderr)
        return exc.exit_code
    return run(args)


@dataclass(frozen=True)
class Command:
    """A ``mediaboard`` subcommand that lives in a module of its own (ci, export, report): its
    arguments, its body (``args -> exit code``), and the three ways in: ``add_parser`` (registered
    on ``mediaboard``'s parser), ``run(args)`` and ``main(argv)`` (the command as a function). Every
    one adds ``--debug`` and turns errors into one line and an exit code here."""

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], Any]
    body: Callable[[argparse.Namespace], int]

    def arguments(self, p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        self.add_arguments(p)
        # SUPPRESS: under `mediaboard --debug <command> ...` an unset sub-option must not reset it
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
        return p

    def add_parser(self, subparsers: Any) -> argparse.ArgumentParser:
        p = subparsers.add_parser(self.name, help=self.help, description=self.description)
        self.arguments(p)
        p.set_defaults(func=self.run)
        return p

    def run(self, args: argparse.Namespace) -> int:
        return run_command(self.name, self.body, args, debug=getattr(args, "debug", False))

    def main(self, argv: Sequence[str] | None = None) -> int:
        return command_main(self.name, self.arguments, self.run, argv, self.description)
