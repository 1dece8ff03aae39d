"""The sweep page (docs/viewer.md, "Sweep page"): viewer/sweeps.py turns each sweep folder and its
trials' runs into page data; static/sweep.js draws it (table, parallel coordinates with brushing,
metric against each parameter, importance and correlation, the running best, filters), from
file:// and live while the sweep runs."""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Any

import pytest

import media
from media import runfolder as rf
from viewer import sweeps
from viewer.build import build_site

SWEEP_ID = "swp0test"


def _trial_run(root: Path, project: str, run_id: str, params: dict[str, Any], loss: float | None,
               group: str | None, sweep_id: str, n: int) -> None:
    nested: dict[str, Any] = {}
    for k, v in params.items():
        *outer, last = k.split(".")
        d = nested
        for o in outer:
            d = d.setdefault(o, {})
        d[last] = v
    run = media.init(dir=str(root), project=project, id=run_id, config=nested, group=group, reinit=True)
    for step in range(3):
        row: dict[str, Any] = {"step_loss": (loss or 1.0) * (1 + 0.1 * (2 - step))}
        if loss is not None and step == 2:
            row["loss"] = loss
        run.log(row, step=step)
    run.finish()
    path = Path(run.dir) / rf.RUN_JSON
    meta = json.loads(path.read_text())
    meta["sweep"] = {"id": sweep_id, "trial": n}
    path.write_text(json.dumps(meta))


def make_sweep(root: Path, *, n: int = 10, project: str = "p", sweep_id: str = SWEEP_ID,
               no_metric: tuple[int, ...] = (), seed: int = 0) -> dict[int, dict[str, Any]]:
    """A random sweep over lr (log) and opt, by hand per docs/format.md *Sweeps*: loss rises with
    lr; trials in ``no_metric`` never log it. Group "a" for even trials, "b" for odd ones."""
    rng = random.Random(seed)
    folder = root / project / f"sweep-{sweep_id}"
    (folder / "trials").mkdir(parents=True, exist_ok=True)
    meta = {
        "format": 1, "id": sweep_id, "project": project, "name": "lr search", "created": 1_700_000_000,
        "method": "random", "metric": {"name": "loss", "goal": "minimize"},
        "parameters": [
            {"name": "lr", "distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
            {"name": "opt", "distribution": "categorical", "values": ["adam", "sgd"]},
            {"name": "epochs", "distribution": "constant", "value": 3},
        ],
        "run_cap": None, "grid_size": None, "storage": "journal", "program": None, "command": None,
        "config": {"method": "random"},
    }
    (folder / "sweep.json").write_text(json.dumps(meta))
    out = {}
    for i in range(n):
        add_trial(root, i, rng, project=project, sweep_id=sweep_id, no_metric=i in no_metric)
        out[i] = json.loads((folder / "trials" / f"{i:06d}.json").read_text())
    return out


def add_trial(root: Path, i: int, rng: random.Random | None = None, *, project: str = "p",
              sweep_id: str = SWEEP_ID, no_metric: bool = False) -> dict[str, Any]:
    rng = rng or random.Random(i)
    lr = 10 ** rng.uniform(-4, -1)
    opt = ["adam", "sgd"][i % 2]
    loss = None if no_metric else 0.1 + 0.3 * (math.log10(lr) + 4) + (0.05 if opt == "sgd" else 0) + rng.uniform(0, 0.02)
    run_id = f"t{i:03d}"
    _trial_run(root, project, run_id, {"lr": lr, "opt": opt, "epochs": 3}, loss, "ab"[i % 2], sweep_id, i)
    rec = {"number": i, "state": "no-metric" if no_metric else "finished", "run_id": run_id,
           "params": {"lr": lr, "opt": opt, "epochs": 3}, "value": loss, "start_time": 1_700_000_000 + 10 * i,
           "end_time": 1_700_000_005 + 10 * i, "error": None, "pruned_at": None, "agent": "host:1"}
    (root / project / f"sweep-{sweep_id}" / "trials" / f"{i:06d}.json").write_text(json.dumps(rec))
    return rec


def _data(site: Path, key: str) -> dict[str, Any]:
    text = (site / "data" / "sweeps" / f"{key}.js").read_text()
    prefix = f"MB.data.sweep({json.dumps(key)},"
    assert text.startswith(prefix)
    return json.loads(text[len(prefix):-3])


# ------------------------------------------------------------------------------------------------
# the data builder
# ------------------------------------------------------------------------------------------------


def test_sweep_data_joins_trials_with_their_runs(tmp_path):
    root, site = tmp_path / "runs", tmp_path / "site"
    recs = make_sweep(root, n=8, no_metric=(5,))
    stats = build_site([root], site)
    listed = (site / "data" / "sweeps.js").read_text()
    assert f"p.sweep-{SWEEP_ID}" in listed
    d = _data(site, f"p.sweep-{SWEEP_ID}")
    assert [t["number"] for t in d["trials"]] == list(range(8))
    t0 = d["trials"][0]
    assert t0["run"] == "p.t000" and t0["group"] == "a" and t0["status"] == "finished"
    assert t0["params"]["opt"] == "adam" and t0["duration"] is not None
    assert t0["config"]["lr"] == pytest.approx(recs[0]["params"]["lr"])
    # the trial that never logged the metric is marked so, with no value
    assert d["trials"][5]["state"] == "no-metric" and d["trials"][5]["value"] is None
    # the best trial by the goal (minimize)
    scored = {i: r["value"] for i, r in recs.items() if r["value"] is not None}
    best = min(scored, key=lambda i: scored[i])
    assert d["best"]["number"] == best and d["best"]["run"] == f"p.t{best:03d}"
    # the running best never rises, and ends at the best
    bests = [b for _, _, b in d["running_best"]]
    assert all(b2 <= b1 for b1, b2 in zip(bests, bests[1:])) and bests[-1] == scored[best]
    assert [n for n, _, _ in d["running_best"]] == sorted(scored)
    kinds = {p["name"]: p for p in d["parameters"]}
    assert kinds["lr"]["kind"] == "numeric" and kinds["lr"]["log"] is True
    assert kinds["opt"]["kind"] == "categorical" and kinds["opt"]["choices"] == ["adam", "sgd"]
    assert kinds["epochs"]["kind"] == "constant"
    assert d["groups"] == ["a", "b"]
    assert not [p for p in stats.problems if "sweep" in p]


def test_correlation_sign_and_importance(tmp_path):
    root, site = tmp_path / "runs", tmp_path / "site"
    make_sweep(root, n=12)
    build_site([root], site)
    d = _data(site, f"p.sweep-{SWEEP_ID}")
    corr = d["correlation"]["values"]
    assert corr["lr"]["method"] == "pearson" and corr["lr"]["value"] > 0.9  # loss rises with lr
    assert corr["opt"]["method"] == "eta" and 0 <= corr["opt"]["value"] <= 1
    assert "epochs" not in corr
    assert "Pearson" in d["correlation"]["methods"]["pearson"]
    imp = d["importance"]
    assert imp["method"].startswith("PED-ANOVA")
    if "values" in imp:  # Optuna installed
        assert set(imp["values"]) <= {"lr", "opt"} and imp["values"]["lr"] >= imp["values"].get("opt", 0)
    else:
        assert imp["error"]


def test_a_negative_correlation_when_the_metric_falls(tmp_path):
    root, site = tmp_path / "runs", tmp_path / "site"
    make_sweep(root, n=6)
    for f in (root / "p" / f"sweep-{SWEEP_ID}" / "trials").iterdir():
        rec = json.loads(f.read_text())
        rec["value"] = -math.log10(rec["params"]["lr"])
        f.write_text(json.dumps(rec))
    build_site([root], site)
    d = _data(site, f"p.sweep-{SWEEP_ID}")
    assert d["correlation"]["values"]["lr"]["value"] == pytest.approx(-1.0)


HOSTILE_META: list[Any] = [
    [], "x", {"id": "ok1", "parameters": "nope", "metric": "loss", "method": 3},
    {"id": "ok2", "parameters": [{"name": 3}, {"name": "lr", "distribution": "uniform", "min": "a"}, None],
     "metric": {"name": "loss", "goal": "sideways"}, "created": "yesterday", "name": {"x": 1}},
    {"id": "../../etc"},
]
HOSTILE_TRIALS: list[Any] = [
    "not json {", [], {"number": "1"}, {"number": 2, "state": "exploded"},
    {"number": 3, "state": "finished", "run_id": 7},
    {"number": 4, "state": "finished", "run_id": "../../../x", "params": {"lr": "<b>x</b>", "n": [1, {"a": None}],
                                                                       "big": "x" * 100_000},
     "value": float("nan"), "start_time": "now"},
    {"number": 5, "state": "finished", "run_id": "r5", "params": {"lr": 1e308, "opt": True}, "value": 1e308,
     "error": {"no": 1}, "pruned_at": "soon"},
    {"number": 6, "state": "failed", "params": {}, "value": None, "error": "ValueError: boom"},
    {"number": 7, "state": "finished", "run_id": "r7", "params": "nope"},
]


@pytest.mark.parametrize("meta", HOSTILE_META, ids=range(len(HOSTILE_META)))
def test_a_hostile_sweep_never_stops_the_build(tmp_path, meta):
    root, site = tmp_path / "runs", tmp_path / "site"
    make_sweep(root, n=2)
    bad = root / "p" / "sweep-bad"
    (bad / "trials").mkdir(parents=True)
    (bad / "sweep.json").write_text(json.dumps(meta))
    for i, rec in enumerate(HOSTILE_TRIALS):
        text = rec if isinstance(rec, str) else json.dumps(rec)
        (bad / "trials" / f"{i:06d}.json").write_text(text)
    build_site([root], site)
    listed = (site / "data" / "sweeps.js").read_text()
    assert f"p.sweep-{SWEEP_ID}" in listed  # the good sweep is still there
    if isinstance(meta, dict) and meta.get("id", "").startswith("ok"):
        d = _data(site, f"p.sweep-{meta['id']}")
        nums = [t["number"] for t in d["trials"]]
        assert nums == [4, 5, 6]  # the unreadable records are left out and said so
        assert d["problems"]
        t4 = d["trials"][0]
        assert t4["run"] is None and t4["value"] is None and len(t4["params"]["big"]) <= sweeps.MAX_TEXT
        assert t4["params"]["n"] == '[1, {"a": null}]'
    for f in (site / "data" / "sweeps").iterdir():
        assert f.resolve().parent == (site / "data" / "sweeps").resolve()


def test_a_site_without_sweeps_lists_none(tmp_path):
    root, site = tmp_path / "runs", tmp_path / "site"
    run = media.init(dir=str(root), project="p", id="plain", reinit=True)
    run.log({"loss": 1.0})
    run.finish()
    build_site([root], site)
    assert (site / "data" / "sweeps.js").read_text() == "MB.data.sweeps([]);\n"


def test_a_new_trial_changes_the_live_digest(tmp_path):
    root, site = tmp_path / "runs", tmp_path / "site"
    make_sweep(root, n=3)
    build_site([root], site)
    before = (site / "data" / "live.js").read_text()
    rec_path = root / "p" / f"sweep-{SWEEP_ID}" / "trials" / "000002.json"
    rec = json.loads(rec_path.read_text())
    rec["state"] = "pruned"  # only the record changes, not the run
    rec_path.write_text(json.dumps(rec))
    build_site([root], site)
    assert (site / "data" / "live.js").read_text() != before
    time.sleep(0)


def test_the_viewer_loads_optuna_only_to_compute_importance():
    import subprocess
    import sys

    code = "import sys, viewer.build, viewer.sweeps; print('optuna' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "False"


# ------------------------------------------------------------------------------------------------
# the page, in Chromium from file://
# ------------------------------------------------------------------------------------------------

SHOTS = Path("/tmp/shots")
KEY = f"p.sweep-{SWEEP_ID}"


def _shot(sp, label: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    sp.page.screenshot(path=str(SHOTS / f"sweep-{label}.png"), full_page=True)
    sp.screenshot(label)


def _open_sweep(sp, query: str = "") -> None:
    sp.open(f"#/sweep/{KEY}" + (f"?{query}" if query else ""), wait="body[data-ready=sweep]")
    sp.page.wait_for_selector("body[data-parcoords=ready]", timeout=15000)


@pytest.fixture
def sweep_site(tmp_path):
    root, site = tmp_path / "runs", tmp_path / "site"
    recs = make_sweep(root, n=10, no_metric=(7,))
    build_site([root], site)
    return root, site, recs


@pytest.mark.browser
def test_the_page_shows_the_sweep(sweep_site, site_page):
    root, site, recs = sweep_site
    sp = site_page(site)
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    page.wait_for_selector(f"#sweeps-list li[data-sweep='{KEY}'] a")
    _shot(sp, "index")
    page.click(f"#sweeps-list li[data-sweep='{KEY}'] a")
    page.wait_for_selector("body[data-ready=sweep]")
    page.wait_for_selector("body[data-parcoords=ready]")
    # one row per trial; the trial without the metric marked so
    assert page.locator("#sweep-trials tbody tr").count() == 10
    assert page.inner_text("#sweep-trials tr[data-trial='7'] .trial-no-metric") == "no metric"
    # one line per trial with a value, coloured by the metric
    assert page.get_attribute("#sweep-parcoords", "data-lines") == "9"
    assert page.evaluate("document.getElementById('sweep-parcoords').data[0].type") == "parcoords"
    assert page.evaluate("document.getElementById('sweep-parcoords').data[0].line.color.length") == 9
    # importance names its method; correlations beside it
    assert "PED-ANOVA" in page.inner_text("#sweep-importance-method")
    lr_row = page.inner_text("#sweep-importance tr[data-param=lr]")
    assert float(lr_row.split("r +")[1].split()[0]) > 0.9 and "%" in lr_row
    # the best run is linked to its run page
    scored = {i: r["value"] for i, r in recs.items() if r["value"] is not None}
    best = min(scored, key=lambda i: scored[i])
    assert page.get_attribute("#sweep-best a", "href") == f"#/run/p.t{best:03d}"
    page.wait_for_selector(".sweep-charts .chart[data-param=lr][data-points='9']")
    _shot(sp, "page")
    page.click("#sweep-best a")
    page.wait_for_selector("body[data-ready=run]")
    assert page.inner_text(".run-head code") == f"t{best:03d}"


@pytest.mark.browser
def test_brushing_an_axis_picks_runs_for_the_compare_page(sweep_site, site_page):
    root, site, recs = sweep_site
    sp = site_page(site)
    _open_sweep(sp)
    page = sp.page
    # brush the metric axis to its lowest values (the low-loss runs), as a drag on the axis does
    values = sorted(r["value"] for r in recs.values() if r["value"] is not None)
    cut = (values[2] + values[3]) / 2
    idx = page.evaluate("document.getElementById('sweep-parcoords').data[0].dimensions"
                        ".findIndex(d => d.mbId === '@metric')")
    page.evaluate(f"Plotly.restyle('sweep-parcoords', {{['dimensions[{idx}].constraintrange']: [[0, {cut}]]}})")
    page.wait_for_selector("#sweep-table[data-brushed='3'], .sweep-table[data-brushed='3']")
    low = sorted(i for i, r in recs.items() if r["value"] is not None and r["value"] < cut)
    assert sorted(int(x) for x in page.eval_on_selector_all(
        "#sweep-trials tr.brushed", "els => els.map(e => e.dataset.trial)")) == low
    href = page.get_attribute("#sweep-compare", "href")
    assert href.startswith("#/compare?runs=")
    from urllib.parse import parse_qs, urlsplit
    runs = parse_qs(urlsplit(href[2:]).query)["runs"][0].split(",")
    assert sorted(runs) == [f"p.t{i:03d}" for i in low]
    assert "br=" in page.url
    _shot(sp, "brushed")
    # the brush survives a reload (the URL)
    page.reload()
    page.wait_for_selector("body[data-parcoords=ready]")
    page.wait_for_selector(".sweep-table[data-brushed='3']")
    page.click("#sweep-compare")
    page.wait_for_selector("body[data-ready=compare]")


@pytest.mark.browser
def test_a_removed_axis_stays_removed_and_a_filter_reduces_rows(sweep_site, site_page):
    root, site, recs = sweep_site
    sp = site_page(site)
    _open_sweep(sp)
    page = sp.page
    assert page.get_attribute("#sweep-parcoords", "data-axes") == "p:lr,p:opt,@metric"
    page.uncheck("input[data-axis='p:opt']")
    page.wait_for_selector("#sweep-parcoords[data-axes='p:lr,@metric']")
    page.reload()
    page.wait_for_selector("body[data-parcoords=ready]")
    assert page.get_attribute("#sweep-parcoords", "data-axes") == "p:lr,@metric"
    assert not page.is_checked("input[data-axis='p:opt']")
    # filter to group b
    page.select_option("#sweep-filter-field", "group")
    page.select_option("#sweep-filter-value", "b")
    page.click("#sweep-filter-add")
    page.wait_for_selector(".sweep-chip[data-field=group]")
    assert page.locator("#sweep-trials tbody tr").count() == 5
    assert set(page.eval_on_selector_all("#sweep-trials tbody tr", "els => els.map(e => e.dataset.trial % 2)")) == {1}
    _shot(sp, "filtered")
    page.reload()
    page.wait_for_selector("body[data-ready=sweep]")
    assert page.locator("#sweep-trials tbody tr").count() == 5
    # sorting by the metric, kept too
    page.click("#sweep-trials button.sort[data-col=value]")
    vals = page.eval_on_selector_all("#sweep-trials tbody tr td.num", "els => els.length")
    assert vals


@pytest.mark.browser
def test_an_open_sweep_page_follows_new_trials(tmp_path, site_page):
    root, site = tmp_path / "runs", tmp_path / "site"
    make_sweep(root, n=4)
    build_site([root], site)
    sp = site_page(site)
    _open_sweep(sp)
    page = sp.page
    assert page.locator("#sweep-trials tbody tr").count() == 4
    add_trial(root, 4)
    build_site([root], site)
    page.wait_for_selector("#sweep-trials tr[data-trial='4']", timeout=10000)
    page.wait_for_selector("#sweep-parcoords[data-lines='5']", timeout=10000)


@pytest.mark.browser
def test_the_page_works_under_the_sites_content_security_policy(sweep_site, site_page):
    """Parallel coordinates draw with WebGL (plotly's precompiled regl): nothing needs eval."""
    root, site, recs = sweep_site
    sp = site_page(site, csp=True)
    sp.open(f"#/sweep/{KEY}", wait="body[data-ready=sweep]")
    sp.page.wait_for_selector("body[data-parcoords=ready]", timeout=15000)
    assert sp.page.get_attribute("#sweep-parcoords", "data-lines") == "9"
    sp.page.wait_for_selector("#sweep-over .main-svg", state="attached")
