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
from urllib.parse import parse_qs, quote, urlsplit

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


def _engine() -> bool:
    """Whether the sweep engine (media.sweep / media.agent) is there to make real sweeps."""
    try:
        return callable(media.sweep) and callable(media.agent) and __import__("optuna") is not None
    except Exception:  # noqa: BLE001 - not yet written, or Optuna missing: the hand-made sweep
        return False


CONFIG = {"method": "random", "name": "lr search", "metric": {"name": "loss", "goal": "minimize"},
          "parameters": {"lr": {"min": 1e-4, "max": 1e-1, "distribution": "log_uniform_values"},
                         "opt": {"values": ["adam", "sgd"]}, "epochs": {"value": 3}}}


def real_sweep(root: Path, *, n: int = 10, no_metric: tuple[int, ...] = ()) -> tuple[str, Any]:
    """A sweep run by the engine: ``n`` trials of a function whose loss rises with lr (and with
    sgd); the calls in ``no_metric`` never log it. Group "a" for even calls, "b" for odd ones."""
    sid = media.sweep(CONFIG, project="p", dir=str(root))
    calls = [0]

    def train() -> None:
        i = calls[0]
        calls[0] += 1
        run = media.init(group="ab"[i % 2])
        lr, opt = run.config["lr"], run.config["opt"]
        loss = 0.1 + 0.3 * (math.log10(lr) + 4) + (0.05 if opt == "sgd" else 0)
        for step in range(3):
            run.log({"step_loss": loss * (1.2 - 0.1 * step)} if i in no_metric else {"loss": loss + 0.01 * (2 - step)})
        run.finish()

    media.agent(sid, function=train, count=n, dir=str(root))
    return sid, train


def _records(root: Path, sid: str) -> dict[int, dict[str, Any]]:
    from media.sweepfolder import find_sweep

    sw = find_sweep(root, sid)
    assert sw is not None
    return {t["number"]: t for t in sw.trials()}


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


class Swept:
    """A built site with one sweep: by the engine when it is there, else made by hand."""

    def __init__(self, tmp_path: Path, n: int = 10, no_metric: tuple[int, ...] = (7,)) -> None:
        self.root, self.site = tmp_path / "runs", tmp_path / "site"
        self.real = _engine()
        if self.real:
            self.sid, self.train = real_sweep(self.root, n=n, no_metric=no_metric)
        else:
            self.sid, self.train = SWEEP_ID, None
            make_sweep(self.root, n=n, no_metric=no_metric)
        self.key = f"p.sweep-{self.sid}"
        self.build()

    def build(self) -> None:
        self.recs = _records(self.root, self.sid)
        build_site([self.root], self.site)

    def run_key(self, number: int) -> str:
        return f"p.{self.recs[number]['run_id']}"

    def add_trial(self) -> None:
        if self.real:
            media.agent(self.sid, function=self.train, count=1, dir=str(self.root))
        else:
            add_trial(self.root, len(self.recs))
        self.build()

    def scored(self) -> dict[int, float]:
        return {i: r["value"] for i, r in self.recs.items() if r["value"] is not None}


def _shot(sp, label: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    sp.page.screenshot(path=str(SHOTS / f"sweep-{label}.png"), full_page=True)
    sp.screenshot(label)


def _open_sweep(sp, key: str, query: str = "") -> None:
    sp.open(f"#/sweep/{key}" + (f"?{query}" if query else ""), wait="body[data-ready=sweep]")
    sp.page.wait_for_selector("body[data-parcoords=ready]", timeout=15000)


@pytest.fixture
def swept(tmp_path):
    return Swept(tmp_path)


@pytest.mark.browser
def test_the_page_shows_the_sweep(swept, site_page):
    sp = site_page(swept.site)
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    page.wait_for_selector(f"#sweeps-list li[data-sweep='{swept.key}'] a")
    _shot(sp, "index")
    page.click(f"#sweeps-list li[data-sweep='{swept.key}'] a")
    page.wait_for_selector("body[data-ready=sweep]")
    page.wait_for_selector("body[data-parcoords=ready]")
    # one row per trial; the trial without the metric marked so
    assert page.locator("#sweep-trials tbody tr").count() == 10
    assert swept.recs[7]["state"] == "no-metric"
    assert page.inner_text("#sweep-trials tr[data-trial='7'] .trial-no-metric") == "no metric"
    # one line per trial with a value, coloured by the metric
    assert page.get_attribute("#sweep-parcoords", "data-lines") == "9"
    lines = page.locator("#sweep-parcoords path.pc-line")
    assert lines.count() == 9
    assert sorted(int(x) for x in lines.evaluate_all("ps => ps.map(p => p.dataset.line)")) == sorted(swept.scored())
    assert len(set(lines.evaluate_all("ps => ps.map(p => p.getAttribute('stroke'))"))) == 9  # by the metric
    assert page.locator("#sweep-parcoords .pc-colorbar").count() == 1
    # importance names its method; correlations beside it
    assert "PED-ANOVA" in page.inner_text("#sweep-importance-method")
    lr_row = page.inner_text("#sweep-importance tr[data-param=lr]")
    assert float(lr_row.split("r +")[1].split()[0]) > 0.9 and "%" in lr_row
    # the best run is linked to its run page
    scored = swept.scored()
    best = min(scored, key=lambda i: scored[i])
    assert page.get_attribute("#sweep-best a", "href") == f"#/run/{swept.run_key(best)}"
    page.wait_for_selector(".sweep-charts .chart[data-param=lr][data-points='9']")
    _shot(sp, "page")
    page.click("#sweep-best a")
    page.wait_for_selector("body[data-ready=run]")
    assert page.inner_text(".run-head code") == swept.recs[best]["run_id"]
    # the run page says which sweep it is a trial of, right under its header, and links back
    page.wait_for_selector("header.run-head + #sweep-of a")
    assert page.inner_text("#sweep-of") == f"trial {best} of sweep lr search ★ the best trial"
    _shot(sp, "run")
    page.click("#sweep-of a")
    page.wait_for_selector("body[data-ready=sweep]")


@pytest.mark.browser
def test_brushing_an_axis_picks_runs_for_the_compare_page(swept, site_page):
    sp = site_page(swept.site)
    page = sp.page
    # brush the metric axis to its lowest values (the low-loss runs): a link that carries the brush
    values = sorted(swept.scored().values())
    cut = (values[2] + values[3]) / 2
    _open_sweep(sp, swept.key, "br=" + quote(json.dumps({"@metric": [0, cut]})))
    page.wait_for_selector(".sweep-table[data-brushed='3']")
    assert page.locator("#sweep-parcoords path.pc-in").count() == 3
    assert page.locator("#sweep-parcoords path.pc-out").count() == 6
    low = sorted(i for i, v in swept.scored().items() if v < cut)
    assert sorted(int(x) for x in page.eval_on_selector_all(
        "#sweep-trials tr.brushed", "els => els.map(e => e.dataset.trial)")) == low
    href = page.get_attribute("#sweep-compare", "href")
    assert href.startswith("#/compare?runs=")
    runs = parse_qs(urlsplit(href[2:]).query)["runs"][0].split(",")
    assert sorted(runs) == sorted(swept.run_key(i) for i in low)
    assert "br=" in page.url
    _shot(sp, "brushed")
    # the brush survives a reload (the URL)
    page.reload()
    page.wait_for_selector("body[data-parcoords=ready]")
    page.wait_for_selector(".sweep-table[data-brushed='3']")
    page.click("#sweep-compare")
    page.wait_for_selector("body[data-ready=compare]")
    assert page.locator(".compare").count() == 1


@pytest.mark.browser
def test_a_removed_axis_stays_removed_and_a_filter_reduces_rows(swept, site_page):
    sp = site_page(swept.site)
    _open_sweep(sp, swept.key)
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
    in_b = sorted(n for n, r in swept.recs.items()
                  if rf.open_run(swept.root / "p" / r["run_id"]).group == "b")
    assert len(in_b) == 5
    assert sorted(int(x) for x in page.eval_on_selector_all(
        "#sweep-trials tbody tr", "els => els.map(e => e.dataset.trial)")) == in_b
    _shot(sp, "filtered")
    page.reload()
    page.wait_for_selector("body[data-ready=sweep]")
    assert page.locator("#sweep-trials tbody tr").count() == 5
    # sorted by the metric (kept in the URL), the trial without it last
    page.click("#sweep-trials button.sort[data-col=value]")
    page.wait_for_selector("#sweep-trials th[aria-sort=ascending] button[data-col=value]")
    order = [int(x) for x in page.eval_on_selector_all("#sweep-trials tbody tr", "els => els.map(e => e.dataset.trial)")]
    vals = [swept.recs[n]["value"] for n in order]
    have = [v for v in vals if v is not None]
    assert have == sorted(have) and vals[len(have):] == [None] * (len(vals) - len(have))
    assert "sort=value" in page.url


@pytest.mark.browser
def test_dragging_along_an_axis_brushes_it(swept, site_page):
    """A real mouse drag on the metric axis (Plotly's own brush), not a scripted restyle."""
    sp = site_page(swept.site)
    _open_sweep(sp, swept.key)
    page = sp.page
    box = page.locator("#sweep-parcoords .pc-brush-area[data-axis='@metric']").bounding_box()
    assert box is not None
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] - 6)
    page.mouse.down()
    page.mouse.move(x, box["y"] + box["height"] * 0.55, steps=8)
    page.mouse.up()
    page.wait_for_selector(".sweep-table[data-brushed]:not([data-brushed='0'])", timeout=5000)
    n = int(page.get_attribute(".sweep-table", "data-brushed"))
    assert 1 <= n < 9  # the lower part of the loss axis: the low-loss trials
    brushed = [int(x) for x in page.eval_on_selector_all("#sweep-trials tr.brushed", "els => els.map(e => e.dataset.trial)")]
    scored = swept.scored()
    assert max(scored[i] for i in brushed) < min(v for i, v in scored.items() if i not in brushed)
    assert page.locator("#sweep-parcoords path.pc-in").count() == n
    brush = json.loads(parse_qs(urlsplit(page.url.split("#", 1)[1]).query)["br"][0])
    assert list(brush) == ["@metric"]
    _shot(sp, "dragged")
    # a click on the axis clears it
    page.mouse.click(x, box["y"] + box["height"] / 2)
    page.wait_for_selector(".sweep-table[data-brushed='0']")
    assert "br=" not in page.url


@pytest.mark.browser
def test_an_axis_dragged_sideways_moves_and_stays_moved(swept, site_page):
    sp = site_page(swept.site)
    _open_sweep(sp, swept.key)
    page = sp.page
    title = page.locator("#sweep-parcoords .pc-axis[data-axis='p:lr'] .pc-title").bounding_box()
    opt = page.locator("#sweep-parcoords .pc-axis[data-axis='p:opt'] .pc-title").bounding_box()
    assert title is not None and opt is not None
    y = title["y"] + title["height"] / 2
    page.mouse.move(title["x"] + title["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(opt["x"] + opt["width"] / 2 + 20, y, steps=10)
    page.mouse.up()
    page.wait_for_selector("#sweep-parcoords[data-axes='p:opt,p:lr,@metric']")
    assert "order=" in page.url
    page.reload()
    page.wait_for_selector("body[data-parcoords=ready]")
    assert page.get_attribute("#sweep-parcoords", "data-axes") == "p:opt,p:lr,@metric"


@pytest.mark.browser
def test_an_open_sweep_page_follows_new_trials(tmp_path, site_page):
    swept = Swept(tmp_path, n=3, no_metric=())
    sp = site_page(swept.site)
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    item = f"#sweeps-list li[data-sweep='{swept.key}']"
    page.wait_for_selector(f"{item}:has-text('3 trials')")
    swept.add_trial()  # the index's list follows
    page.wait_for_selector(f"{item}:has-text('4 trials')", timeout=10000)
    page.click(f"{item} a")
    page.wait_for_selector("body[data-parcoords=ready]")
    assert page.locator("#sweep-trials tbody tr").count() == 4
    swept.add_trial()  # and so does the sweep page
    page.wait_for_selector("#sweep-trials tr[data-trial='4']", timeout=10000)
    page.wait_for_selector("#sweep-parcoords[data-lines='5']", timeout=10000)
    page.wait_for_selector(".sweep-charts .chart[data-param=lr][data-points='5']", timeout=10000)


@pytest.mark.browser
def test_the_page_works_under_the_sites_content_security_policy(swept, site_page):
    """Parallel coordinates draw with WebGL (plotly's precompiled regl): nothing needs eval."""
    sp = site_page(swept.site, csp=True)
    sp.open(f"#/sweep/{swept.key}", wait="body[data-ready=sweep]")
    sp.page.wait_for_selector("body[data-parcoords=ready]", timeout=15000)
    assert sp.page.get_attribute("#sweep-parcoords", "data-lines") == "9"
    assert sp.page.locator("#sweep-parcoords path.pc-line").count() == 9
    sp.page.wait_for_selector("#sweep-over .main-svg .scatterlayer .trace", state="attached")
    sp.page.wait_for_selector(".sweep-charts .chart[data-param=lr] .scatterlayer .point", state="attached")


EVIL = "<img src=x onerror=\"window.__pwned=1\">"
EVIL_PARAM = "<b>lr</b>\u202e"
EVIL_VALUE = "<script>window.__pwned=2</script>"


@pytest.mark.browser
def test_text_from_the_sweep_folder_stays_text(tmp_path, site_page):
    root, site = tmp_path / "runs", tmp_path / "site"
    folder = root / "p" / "sweep-evil1"
    (folder / "trials").mkdir(parents=True)
    (folder / "sweep.json").write_text(json.dumps({
        "format": 1, "id": "evil1", "project": "p", "name": EVIL, "created": 1, "method": "grid",
        "metric": {"name": EVIL, "goal": "maximize"},
        "parameters": [{"name": EVIL_PARAM, "distribution": "categorical", "values": [EVIL_VALUE, "&amp;"]},
                       {"name": "x", "distribution": "uniform", "min": 0, "max": 1}]}))
    for i in range(5):
        run_id = f"e{i}"
        _trial_run(root, "p", run_id, {}, None, EVIL if i % 2 else None, "evil1", i)
        rec = {"number": i, "state": "failed" if i == 4 else "finished", "run_id": run_id,
               "params": {EVIL_PARAM: [EVIL_VALUE, "&amp;"][i % 2], "x": i / 5},
               "value": None if i == 4 else float(i), "error": EVIL if i == 4 else None}
        (folder / "trials" / f"{i:06d}.json").write_text(json.dumps(rec))
    build_site([root], site)
    sp = site_page(site)
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    page.wait_for_selector("#sweeps-list li a")
    assert page.inner_text("#sweeps-list li a") == EVIL
    page.click("#sweeps-list li a")
    page.wait_for_selector("body[data-parcoords=ready]")
    page.wait_for_selector(".sweep-charts .chart[data-points='4'] .scatterlayer .point", state="attached")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("section.sweep img, section.sweep b b, section.sweep script").count() == 0
    assert page.inner_text(".sweep-name") == EVIL
    assert "<b>lr</b>⟦U+202E⟧" in page.inner_text("#sweep-trials thead")
    assert EVIL_VALUE in page.inner_text("#sweep-trials tbody")
    assert EVIL in page.inner_text("#sweep-trials tr[data-trial='4'] .trial-error")
    ticks = page.eval_on_selector_all("#sweep-parcoords .pc-tick-text", "els => els.map(e => e.textContent)")
    assert any(t.startswith("<script>") for t in ticks) and "&amp;" in ticks
    # plotly got the strings as text (MB.ptext): its titles show them as they are
    assert EVIL_PARAM[:9] in page.inner_text(".sweep-charts")
    assert page.locator(".sweep-charts a, .sweep-charts img").count() == 0
    _shot(sp, "hostile")


@pytest.mark.browser
def test_a_trial_still_running_shows_so_then_its_value(tmp_path, site_page):
    """While an agent runs a trial the page shows it running (its duration ticking); when the trial
    ends, the page shows its value, without a reload."""
    import threading

    swept = Swept(tmp_path, n=3, no_metric=())
    sp = site_page(swept.site)
    _open_sweep(sp, swept.key)
    page = sp.page
    go, logged = threading.Event(), threading.Event()
    if swept.real:
        def slow() -> None:
            run = media.init()
            run.log({"loss": 0.5})
            logged.set()
            go.wait(20)
            run.log({"loss": 0.05})
            run.finish()

        agent = threading.Thread(target=media.agent, args=(swept.sid, slow),
                                 kwargs={"count": 1, "dir": str(swept.root)})
        agent.start()
        assert logged.wait(20)
    else:
        run = media.init(dir=str(swept.root), project="p", id="t003", config={"lr": 0.01, "opt": "sgd"}, reinit=True)
        run.log({"loss": 0.5})
        rec = {"number": 3, "state": "running", "run_id": "t003", "params": {"lr": 0.01, "opt": "sgd"},
               "start_time": time.time()}
        (swept.root / "p" / f"sweep-{swept.sid}" / "trials" / "000003.json").write_text(json.dumps(rec))
    swept.build()
    row = "#sweep-trials tr[data-trial='3']"
    page.wait_for_selector(f"{row}[data-state=running]", timeout=10000)
    assert page.inner_text(f"{row} .trial-running") == "running"
    assert page.locator(f"{row} td.ticking[data-tick-from]").count() == 1
    assert page.inner_text(f"{row} td.metric") == "—"
    _shot(sp, "running")
    if swept.real:
        go.set()
        agent.join(20)
    else:
        run.log({"loss": 0.05})
        run.finish()
        rec.update(state="finished", value=0.05, end_time=time.time())
        (swept.root / "p" / f"sweep-{swept.sid}" / "trials" / "000003.json").write_text(json.dumps(rec))
    swept.build()
    page.wait_for_selector(f"{row}[data-state=finished]", timeout=10000)
    assert float(page.inner_text(f"{row} td.metric")) == pytest.approx(0.05)
    page.wait_for_selector("#sweep-parcoords[data-lines='4']")
    assert page.get_attribute("#sweep-best a", "href") == f"#/run/{swept.run_key(3)}"


def test_the_single_file_export_leaves_the_sweep_page_out(tmp_path):
    from viewer.export import export

    make_sweep(tmp_path / "runs", n=2)
    res = export([tmp_path / "runs"], tmp_path / "one.html", 20_000_000)
    page = res.out.read_text(encoding="utf-8")
    assert 'registerView("sweep"' not in page and "MB.parcoords = " not in page
    assert "MB.indexParts" in page  # the shell's hook is there, with nothing registered on it


def test_without_optuna_importance_says_why(tmp_path):
    """Optuna is imported only to compute importance; without it the data says so (and the page
    shows it), the rest of the sweep page is built."""
    import subprocess
    import sys

    make_sweep(tmp_path / "runs", n=5)
    code = ("import sys; sys.modules['optuna'] = None\n"
            "from viewer.build import build_site\n"
            f"build_site([{str(tmp_path / 'runs')!r}], {str(tmp_path / 'site')!r})\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])
    d = _data(tmp_path / "site", f"p.sweep-{SWEEP_ID}")
    assert d["importance"]["error"] == "Optuna is not installed (pip install optuna)"
    assert d["importance"]["method"].startswith("PED-ANOVA")
    assert d["correlation"]["values"]["lr"]["value"] > 0.9  # correlation needs no Optuna


@pytest.mark.browser
def test_a_sweep_without_a_metric_or_trials_still_has_a_page(tmp_path, site_page):
    root, site = tmp_path / "runs", tmp_path / "site"
    folder = root / "p" / "sweep-nometric"
    (folder / "trials").mkdir(parents=True)
    (folder / "sweep.json").write_text(json.dumps({"id": "nometric", "project": "p", "method": "grid", "metric": None,
                                                  "parameters": [{"name": "a", "distribution": "categorical",
                                                                  "values": [1, 2]}]}))
    build_site([root], site)
    sp = site_page(site)
    _open_sweep(sp, "p.sweep-nometric")
    page = sp.page
    assert "no metric" in page.inner_text(".sweep-head")
    assert "no best run" in page.inner_text("#sweep-best")
    assert "nothing to draw" in page.inner_text("#sweep-parcoords")
    assert "Importance is unavailable" in page.inner_text("#sweep-importance-method")
    assert page.locator("#sweep-trials tbody tr").count() == 0
    # a trial comes: it is listed (no metric to plot)
    (folder / "trials" / "000000.json").write_text(json.dumps({"number": 0, "state": "running", "params": {"a": 1}}))
    build_site([root], site)
    page.wait_for_selector("#sweep-trials tr[data-trial='0'][data-state=running]", timeout=10000)


@pytest.mark.browser
def test_a_large_sweep_draws_the_first_rows_and_brushes_all(tmp_path, site_page):
    """320 trials (records only): the table draws 300 rows and a button for the rest; the
    parallel coordinates and the brush count take every trial."""
    root, site = tmp_path / "runs", tmp_path / "site"
    folder = root / "p" / "sweep-big"
    (folder / "trials").mkdir(parents=True)
    (folder / "sweep.json").write_text(json.dumps({
        "id": "big", "project": "p", "method": "random", "metric": {"name": "loss", "goal": "minimize"},
        "parameters": [{"name": "x", "distribution": "uniform", "min": 0, "max": 1}]}))
    for n in range(320):
        (folder / "trials" / f"{n:06d}.json").write_text(json.dumps(
            {"number": n, "state": "finished", "params": {"x": n / 320}, "value": n / 320}))
    run = media.init(dir=str(root), project="p", id="other", reinit=True)
    run.finish()
    build_site([root], site)
    sp = site_page(site)
    _open_sweep(sp, "p.sweep-big", "br=" + quote(json.dumps({"@metric": [0.5, 1]})))
    page = sp.page
    assert page.get_attribute("#sweep-parcoords", "data-lines") == "320"
    assert page.locator("#sweep-trials tbody tr").count() == 300
    assert page.get_attribute(".sweep-table", "data-brushed") == "160"  # over all 320, not the 300 drawn
    page.click("#sweep-all-rows")
    page.wait_for_selector("#sweep-trials tbody tr:nth-child(320)")
    assert "rows=all" in page.url and page.locator("#sweep-all-rows").count() == 0


@pytest.mark.browser
def test_the_page_fits_a_narrow_window(swept, site_page):
    sp = site_page(swept.site, width=390, height=800)
    _open_sweep(sp, swept.key)
    page = sp.page
    # nothing wider than the window but the tables, which scroll inside their frame
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('section.sweep > *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.className)""")
    assert wide == []
    page.wait_for_selector(".sweep-charts .chart[data-param=lr][data-points]")
    _shot(sp, "narrow")


@pytest.mark.browser
def test_a_mangled_link_opens_the_page_with_what_it_can_use(swept, site_page):
    sp = site_page(swept.site)
    junk = {"br": '{"@metric":[["a",1],[0,null]],"p:nope":[0,1],"p:lr":[-3,"x"],"p:opt":[[-0.5,0.5],[9,10]]}',
            "hide": "p:nope,%zz", "order": "@metric,@metric,p:zzz", "f": '[["group"],[1,2],"x",["group","b"]]',
            "sort": "constructor", "desc": "1", "rows": "-5"}
    _open_sweep(sp, swept.key, "&".join(f"{k}={quote(v)}" for k, v in junk.items()))
    page = sp.page
    # the one usable brush (p:opt: the first choice, or category 9..10: none), the filter to group b
    assert page.get_attribute("#sweep-parcoords", "data-axes").split(",")[0] == "@metric"
    assert page.locator(".sweep-chip").count() == 1
    rows = page.eval_on_selector_all("#sweep-trials tbody tr", "els => els.map(e => e.dataset.trial)")
    assert len(rows) == 5
    first_choice = page.eval_on_selector_all("#sweep-parcoords .pc-axis[data-axis='p:opt'] .pc-tick-text",
                                             "els => els.map(e => e.textContent)")[0]
    want = sum(1 for n in rows if swept.recs[int(n)]["params"]["opt"] == first_choice
               and swept.recs[int(n)]["value"] is not None)
    assert page.get_attribute(".sweep-table", "data-brushed") == str(want)


@pytest.mark.browser
def test_the_brush_can_be_typed(swept, site_page):
    """Brush by values (the keyboard's way): a metric's upper bound, a categorical value, a log
    parameter's bounds in its own units."""
    sp = site_page(swept.site)
    _open_sweep(sp, swept.key)
    page = sp.page
    page.click(".sweep-brush-form > summary")
    values = sorted(swept.scored().values())
    cut = (values[3] + values[4]) / 2
    page.fill(".sweep-brush-row[data-axis='@metric'] input[data-end=to]", repr(cut))
    page.press(".sweep-brush-row[data-axis='@metric'] input[data-end=to]", "Enter")
    page.wait_for_selector(".sweep-table[data-brushed='4']")
    assert page.locator("#sweep-parcoords path.pc-in").count() == 4
    assert page.is_visible(".sweep-brush-row[data-axis='@metric']")  # the form stays open (bf=1)
    # and sgd only
    page.check(".sweep-brush-row[data-axis='p:opt'] input[data-choice='1']")
    want = [n for n, v in swept.scored().items() if v < cut and swept.recs[n]["params"]["opt"] == "sgd"]
    page.wait_for_selector(f".sweep-table[data-brushed='{len(want)}']")
    # lr between two of its values, typed as they are (the axis is log10)
    page.uncheck(".sweep-brush-row[data-axis='p:opt'] input[data-choice='1']")
    page.fill(".sweep-brush-row[data-axis='@metric'] input[data-end=to]", "")
    page.press(".sweep-brush-row[data-axis='@metric'] input[data-end=to]", "Enter")
    page.wait_for_selector(".sweep-table[data-brushed='0']")
    lrs = sorted(r["params"]["lr"] for r in swept.recs.values() if r["value"] is not None)
    page.fill(".sweep-brush-row[data-axis='p:lr'] input[data-end=from]", repr(lrs[2] * 0.999))
    page.press(".sweep-brush-row[data-axis='p:lr'] input[data-end=from]", "Enter")
    page.wait_for_selector(f".sweep-table[data-brushed='{len(lrs) - 2}']")
    _shot(sp, "typed")


@pytest.mark.browser
def test_pruned_and_failed_trials_are_marked(tmp_path, site_page):
    root, site = tmp_path / "runs", tmp_path / "site"
    make_sweep(root, n=4)
    trials = root / "p" / f"sweep-{SWEEP_ID}" / "trials"
    for n, change in ((1, {"state": "pruned", "pruned_at": 2}),
                      (2, {"state": "failed", "value": None, "error": "RuntimeError: CUDA out of memory"})):
        rec = json.loads((trials / f"{n:06d}.json").read_text())
        rec.update(change)
        (trials / f"{n:06d}.json").write_text(json.dumps(rec))
    build_site([root], site)
    sp = site_page(site)
    _open_sweep(sp, f"p.sweep-{SWEEP_ID}")
    page = sp.page
    assert page.inner_text("#sweep-trials tr[data-trial='1'] .trial-pruned") == "pruned at 2"
    assert page.inner_text("#sweep-trials tr[data-trial='2'] .trial-failed") == "failed"
    assert "CUDA out of memory" in page.inner_text("#sweep-trials tr[data-trial='2'] .trial-error")
    assert "1 pruned" in page.inner_text(".sweep-head") and "1 failed" in page.inner_text(".sweep-head")
    assert page.get_attribute("#sweep-parcoords", "data-lines") == "3"  # the pruned trial's value is drawn
