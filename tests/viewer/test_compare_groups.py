"""Group aggregation on the compare page's charts (runs with ``init(group=...)`` drawn as one mean
line and a min-max band), the index's "compare this group" link, and ``MB.charts.aggregate``."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

SEEDS = {"s0": 0.0, "s1": 0.5, "s2": 1.0}  # loss offsets of the three grouped runs


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Group "sweep": s0, s1 over steps 0..9; s2 over steps 0..5 only. "solo": no group."""
    base = tmp_path_factory.mktemp("groups")
    root = base / "runs"
    for rid, off in SEEDS.items():
        media.init(project="p", dir=str(root), id=rid, name=rid, group="sweep <b>1</b>")
        for s in range(6 if rid == "s2" else 10):
            media.log({"loss": 1 / (s + 1) + off}, step=s)
        media.finish()
    media.init(project="p", dir=str(root), id="solo", name="solo")
    for s in range(10):
        media.log({"loss": 3.0}, step=s)
    media.finish()
    out = base / "site"
    build_site([root], out)
    return out


RUNS = "p.s0,p.s1,p.s2,p.solo"


def traces(page, key):
    return page.evaluate(f"""() => document.querySelector(".chart[data-key='{key}']").data.map(t => ({{
        name: t.name, meta: t.meta, x: Array.from(t.x), y: Array.from(t.y), fill: t.fill || null,
        legendgroup: t.legendgroup || null, showlegend: t.showlegend }}))""")


def test_group_mean_and_band(site, site_page):
    sp = site_page(site)
    sp.open(f"#/compare?runs={RUNS}", wait="body[data-charts=ready]")
    page = sp.page
    page.wait_for_selector(".chart[data-key=loss] .scatterlayer .trace")
    assert [t["meta"] for t in traces(page, "loss")] == ["p.s0", "p.s1", "p.s2", "p.solo"]
    page.locator("#group-agg").check()
    page.wait_for_function("() => document.querySelector(\".chart[data-key='loss']\").data.length === 4")
    ts = {t["meta"]: t for t in traces(page, "loss")}
    assert set(ts) == {"p.solo", "min:sweep <b>1</b>", "max:sweep <b>1</b>", "mean:sweep <b>1</b>"}
    mean, lo, hi = ts["mean:sweep <b>1</b>"], ts["min:sweep <b>1</b>"], ts["max:sweep <b>1</b>"]
    assert mean["x"] == list(range(10)) and lo["x"] == mean["x"] == hi["x"]
    for s in range(10):
        vals = [1 / (s + 1) + off for rid, off in SEEDS.items() if rid != "s2" or s < 6]
        assert mean["y"][s] == pytest.approx(sum(vals) / len(vals))
        assert lo["y"][s] == pytest.approx(min(vals)) and hi["y"][s] == pytest.approx(max(vals))
    # the band is filled between min and max; the three traces toggle together from one legend entry
    assert hi["fill"] == "tonexty" and lo["fill"] is None
    assert mean["legendgroup"] == lo["legendgroup"] == hi["legendgroup"]
    assert lo["showlegend"] is False and hi["showlegend"] is False
    # the group name is text in the legend, not markup; "(3 runs)" counts the runs
    legend = " | ".join(page.locator(".chart[data-key=loss] .legend .legendtext").all_text_contents())
    assert "group sweep <b>1</b> (3 runs)" in legend
    assert "p.s0" not in legend
    assert unquote(page.url).endswith("agg=1")
    sp.screenshot("aggregated")
    # reload keeps it; unticking restores one trace per run
    page.reload()
    page.wait_for_selector("body[data-charts=ready]")
    page.wait_for_function("() => (document.querySelector(\".chart[data-key='loss']\") || {}).data?.length === 4")
    assert page.locator("#group-agg").is_checked()
    page.locator("#group-agg").uncheck()
    page.wait_for_function("() => document.querySelector(\".chart[data-key='loss']\").data.length === 4 && "
                           "document.querySelector(\".chart[data-key='loss']\").data[0].meta === 'p.s0'")


def test_no_group_no_checkbox(site, site_page):
    sp = site_page(site)
    sp.open("#/compare?runs=p.solo,p.s0", wait="body[data-charts=ready]")
    # s0 has a group, so the box is there; with only ungrouped runs it is not
    assert sp.page.locator("#group-agg").count() == 1
    sp.open("#/compare?runs=p.solo", wait="body[data-charts=ready]")
    assert sp.page.locator("#group-agg").count() == 0


def test_index_group_link_opens_aggregated_compare(site, site_page):
    sp = site_page(site)
    sp.open("#/?group=group", wait="body[data-ready=index]")
    page = sp.page
    links = page.locator("a.group-compare")
    assert links.count() == 1  # "solo" is alone in "(none)": nothing to compare
    assert links.inner_text() == "compare these 3 (mean and min–max)"
    links.click()
    page.wait_for_selector("body[data-charts=ready]")
    assert page.locator("#group-agg").is_checked()
    assert sorted(page.locator(".cmp-run").evaluate_all("els => els.map(e => e.dataset.run)")) == ["p.s0", "p.s1", "p.s2"]


def test_aggregate_function(site, site_page):
    """Misaligned steps carry each run's last value forward inside its own range; many distinct x
    are bucketed to at most maxPoints points."""
    sp = site_page(site)
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    page.wait_for_function("() => !!(window.MB && MB.charts && MB.charts.aggregate)")
    a = page.evaluate("""() => MB.charts.aggregate([{x: [0, 2, 4], y: [1, 3, 5]}, {x: [1, 3], y: [10, 30]}], 100)""")
    assert a["x"] == [0, 1, 2, 3, 4]
    assert a["n"] == [1, 2, 2, 2, 1]
    assert a["mean"] == [1, 5.5, 6.5, 16.5, 5]
    assert a["min"] == [1, 1, 3, 3, 5] and a["max"] == [1, 10, 10, 30, 5]
    assert a["bucketed"] is False
    b = page.evaluate("""() => {
        const x = Array.from({length: 10000}, (_, i) => i), y = x.map(v => v % 7 === 0 ? null : 2);
        return MB.charts.aggregate([{x, y}, {x, y: x.map(() => 4)}], 500); }""")
    assert b["bucketed"] is True and len(b["x"]) == 500
    assert all(m == pytest.approx(3) for m in b["mean"])
    assert b["min"][0] == 2 and b["max"][0] == 4 and b["n"][0] == 2
    # a bucket's x is the mean x of the points in it (run 1 has no points at multiples of 7)
    first = [v for v in range(20) if v % 7] + list(range(20))
    assert b["x"][0] == pytest.approx(sum(first) / len(first))
