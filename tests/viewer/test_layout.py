"""The workspace layout (docs/viewer.md): charts first, a collapsible section per key prefix for
charts and media, config/summary/files folded below, the run and compare pages open at the newest
step, and the layout choices (folded sections, which room comes first, chart size) in the URL."""

from __future__ import annotations

import numpy as np
import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def layout_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("layout")
    root = base / "runs"
    for rid in ("a", "b"):
        media.init(project="p", id=rid, dir=str(root), config={"lr": 0.1 if rid == "a" else 0.2})
        for s in range(12):
            row = {"train/loss": 1 / (s + 1), "val/acc": s / 12, "lr": 0.1}
            if s % 4 == 0:
                row["train/pred"] = media.Image(np.full((16, 16, 3), 20 * s, np.uint8), caption=f"pred {s}")
                row["val/sample"] = media.Image(np.full((16, 16), 10 * s, np.uint8))
            if s % 5 == 0:
                row["note"] = f"note at {s}"
            media.log(row, step=s)
        media.finish()
    build_site([root], base / "site")
    return base / "site"


def _top(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


def test_run_page_opens_charts_first_at_the_newest_step(layout_site, site_page):
    sp = site_page(layout_site, width=1400, height=900)
    sp.open_run("p.a")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    sp.wait_cursor(10)  # the newest of the media steps 0, 4, 5, 8, 10
    # charts, then media, then the folded config
    charts, media_sec, overview = (_top(page, s) for s in ("section.charts", "section.media", "details.overview"))
    assert charts < media_sec < overview
    assert _top(page, ".chart[data-key='train/loss']") < 900, "the first chart is on the first screen"
    assert not page.locator("details.overview").evaluate("d => d.open")
    # a section per prefix, for charts and for media
    assert page.locator("section.charts details.chart-section").evaluate_all(
        "ds => ds.map(d => d.dataset.section)") == ["", "train", "val"]
    assert page.locator("section.media details.media-section").evaluate_all(
        "ds => ds.map(d => d.dataset.section)") == ["", "train", "val"]
    assert page.locator("section.media details[data-section=train] article.panel").evaluate_all(
        "ps => ps.map(p => p.dataset.key)") == ["train/pred"]
    sp.screenshot()


def test_sections_fold_and_the_layout_is_kept_in_the_url(layout_site, site_page):
    sp = site_page(layout_site, width=1400, height=900)
    sp.open_run("p.a", "step=4")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    sp.wait_cursor(4)
    # fold the val charts and the val media; the folded media panel is not drawn at a new step
    page.locator("section.charts details[data-section=val] > summary").click()
    page.locator("section.media details[data-section=val] > summary").click()
    page.evaluate("MB.cursor.set(8)")
    sp.wait_cursor(8)
    assert page.locator("article.panel[data-key='train/pred']").get_attribute("data-step") == "8"
    assert page.locator("article.panel[data-key='val/sample']").get_attribute("data-step") == "4"
    # chart size and media first
    page.select_option("#chart-size", "l")
    page.wait_for_selector("body[data-ready=run]")
    page.select_option("#layout-first", "media")
    page.wait_for_selector("body[data-ready=run]")
    url = page.url
    assert "cz=l" in url and "first=media" in url and "fold=" in url
    # a reload (or a shared link) brings the same layout back
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_selector("body[data-charts=ready]")
    sp.wait_cursor(8)
    assert _top(page, "section.media") < _top(page, "section.charts")
    assert not page.locator("section.charts details[data-section=val]").evaluate("d => d.open")
    assert not page.locator("section.media details[data-section=val]").evaluate("d => d.open")
    assert page.locator("section.charts details[data-section=train]").evaluate("d => d.open")
    page.wait_for_function("() => document.querySelector(\".chart[data-key='train/loss']\").layout")
    assert page.evaluate("document.querySelector(\".chart[data-key='train/loss']\").layout.height") == 360
    # opening a folded section draws what it holds at the cursor step
    page.locator("section.media details[data-section=val] > summary").click()
    page.wait_for_function(
        "() => document.querySelector(\"article.panel[data-key='val/sample']\").dataset.step === '8'")
    page.locator("section.charts details[data-section=val] > summary").click()
    page.wait_for_function("() => document.querySelector(\".chart[data-key='val/acc'] .main-svg\")")
    sp.screenshot()


def test_compare_page_opens_charts_first_at_the_newest_step(layout_site, site_page):
    sp = site_page(layout_site, width=1400, height=900)
    sp.open("#/compare?runs=p.a,p.b", wait="body[data-ready=compare]")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    sp.wait_cursor(10)
    assert _top(page, "section.cmp-charts") < _top(page, "section.cmp-media") < _top(page, "details.cmp-overview")
    summary = page.locator("details.cmp-overview > summary").inner_text()
    assert "1 config" in summary, summary  # lr differs
    assert page.locator("section.cmp-media details.media-section").evaluate_all(
        "ds => ds.map(d => d.dataset.section)") == ["", "train", "val"]
    sp.screenshot()


def test_compare_columns_fit_a_phone(tmp_path, site_page):
    """At 390 px the key sits above its row and the runs' columns share the width: no cell's
    content (mask and box controls, sliders, captions) runs into the next column."""
    root = tmp_path / "runs"
    mask = np.zeros((32, 32), np.uint8)
    mask[8:20, 8:20] = 1
    for rid in ("a", "b"):
        media.init(project="p", id=rid, dir=str(root))
        img = media.Image(np.full((32, 32, 3), 90, np.uint8), caption="a rather long caption for a phone",
                          masks={"ground_truth_segmentation": {"mask_data": mask, "class_labels": {0: "background", 1: "a long class name"}}},
                          boxes={"predictions_of_the_model": {"box_data": [
                              {"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.1, "maxY": 0.5}, "class_id": 1,
                               "box_caption": "a long class name", "scores": {"confidence": 0.9}}],
                              "class_labels": {1: "a long class name"}}})
        media.log({"examples": img}, step=0)
        media.finish()
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site", width=390, height=844)
    sp.open("#/compare?runs=p.a,p.b", wait="body[data-ready=compare]")
    page = sp.page
    sp.wait_cursor(0)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    cells = page.locator(".cmp-row[data-key=examples] .cmp-cell")
    a, b = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert a["x"] + a["width"] <= b["x"] + 0.5, (a, b)
    assert b["x"] + b["width"] <= 390
    # nothing inside a cell reaches past its right edge
    spill = page.evaluate("""() => [...document.querySelectorAll('.cmp-row[data-key=examples] .cmp-cell')].map(c => {
        const r = c.getBoundingClientRect();
        return Math.max(0, ...[...c.querySelectorAll('*')].filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
          .map(e => e.getBoundingClientRect().right - r.right)); })""")
    assert max(spill) <= 1, spill
    sp.screenshot("phone")
