"""A tour of comparing runs: log a baseline and a candidate run, build the site, render a Markdown
report, rank what changed with `mediaboard ci`, and export one self-contained HTML file.

    python examples/tour.py [--steps 40] [--out mediaboard-tour]

Prints where each part is; open them by double-clicking (file://, no server):
- the site's compare page of the two runs (swipe, onion skin, difference, overlaid histograms,
  changed table rows, audio A/B, videos in sync, 3-D with one camera);
- the report made from examples/tour_report.md (panels that share one step cursor);
- the CI gallery and its summary.md, with the verdict of each rule;
- one HTML file of both runs under a 20 MB budget.
The candidate doubles the baseline's learning rate and so "learns" faster on the same scenes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import demo  # noqa: E402

#: the rules the CI step checks. The last one fails on purpose: the candidate's weight histograms
#: move away from the baseline's while it learns faster (total variation up to about 0.23). The loss
#: rule compares the last values (last_rel): over the whole curve (rel) the faster learner differs
#: by about 0.49 mid-run, which the gallery's loss chart shows.
RULES = ("summary.best_val_loss<=0.2", "scalar:train/loss.last_rel<=0.05", "image:examples.ssim>=0.99",
         "histogram:weights.tv<=0.05")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--out", default="mediaboard-tour", help="output folder (default ./mediaboard-tour)")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    runs = out / "runs"
    base = demo.log_demo(str(runs), args.steps, seed=0, run_id="baseline", name="baseline", lr=3e-4)
    cand = demo.log_demo(str(runs), args.steps, seed=0, run_id="candidate", name="candidate", lr=6e-4)

    from viewer import ci, export, report
    from viewer.cli import main as viewer_main

    if viewer_main(["build", str(runs), "-o", str(out / "site"), "-q"]) != 0:
        return 1
    page = report.build_report(HERE / "tour_report.md", out / "report", [str(runs)])
    ci_argv = ["--baseline", base, "--candidate", cand, "-o", str(out / "ci"), "--summary", str(out / "ci" / "summary.md")]
    for rule in RULES:
        ci_argv += ["--fail-on", rule]
    verdict = ci.main(ci_argv)  # prints one PASS/FAIL line per rule
    if verdict == 2:
        return 1
    single = out / "tour.html"
    if export.main([base, cand, "--single-file", str(single), "--budget", "20MB", "-q"]) != 0:
        return 1

    site = (out / "site" / "index.html").as_uri()
    print(f"compare page: {site}#/compare?runs=demo.baseline,demo.candidate")
    print(f"report:       {page.as_uri()}")
    print(f"CI gallery:   {(out / 'ci' / 'index.html').as_uri()} (exit code {verdict}"
          f"{': a rule failed' if verdict else ''})")
    print(f"one file:     {single} ({single.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
