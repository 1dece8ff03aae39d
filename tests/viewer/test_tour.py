"""examples/tour.py end to end, small: two runs, the site, the report, the CI gallery and the
single-file export land where it says, and the CI verdicts are the ones it promises."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load_tour():
    spec = importlib.util.spec_from_file_location("tour", EXAMPLES / "tour.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_tour_writes_every_part(tmp_path, capsys):
    out = tmp_path / "tour"
    assert load_tour().main(["--steps", "12", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    # the CI rules: three pass, the weight histograms moved and fail, as the tour says
    verdicts = dict((rule, v) for v, rule in re.findall(r"^(PASS|FAIL) (\S+)", printed, re.M))
    assert verdicts == {"summary.best_val_loss<=0.2": "PASS", "scalar:train/loss.last_rel<=0.05": "PASS",
                        "image:examples.ssim>=0.99": "PASS", "histogram:weights.tv<=0.05": "FAIL"}
    assert "(exit code 1: a rule failed)" in printed
    # the site holds both runs; the compare link names them
    assert {p.name for p in (out / "site" / "data").iterdir() if p.is_dir()} >= {"demo.baseline", "demo.candidate"}
    assert f"{(out / 'site' / 'index.html').as_uri()}#/compare?runs=demo.baseline,demo.candidate" in printed
    # the report: five panels, four of them on the shared cursor "train"
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    specs = [json.loads(s.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&"))
             for s in re.findall(r'data-spec="([^"]*)"', html)]
    assert [s["kind"] for s in specs] == ["chart", "compare", "compare", "table", "config"]
    assert [s.get("cursor") for s in specs] == ["train"] * 4 + [None]
    # CI summary: small, no data: URIs, the failed rule named
    summary = (out / "ci" / "summary.md").read_text(encoding="utf-8")
    assert "data:" not in summary and len(summary.encode()) < 1_000_000
    assert "weights" in summary
    # one file under the budget
    single = out / "tour.html"
    assert 0 < single.stat().st_size <= 20_000_000
