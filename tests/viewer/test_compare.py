"""The compare view (#/compare?runs=...) in a real browser (Chromium via Playwright, file://):
config differences, overlaid charts, one media cursor across runs, two-image modes, overlaid
histograms, URL-hash state and escaping. Outside requests and console errors fail every test."""

from __future__ import annotations

import io
from urllib.parse import unquote

import numpy as np
import pytest
from PIL import Image as PILImage

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
PALETTE = ["#1f77b4", "#d62728", "#2ca02c"]
A, B, G = "proj.alpha", "proj.beta", "proj.gamma"
# beta's image at step 6, and alpha's (grey 120): their absolute difference
BETA6 = (200, 50, 120)
DIFF6 = (80, 70, 0)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """alpha: img 0,2,4,6,8 (grey s*20), hist 0,5, note 0,3,6,9; beta: img 0,3,6,9, hist 0,4, a
    config key of its own; gamma: XSS name and config value, img and hist at 5 only."""
    base = tmp_path_factory.mktemp("compare")
    root = base / "runs"
    rng = np.random.default_rng(0)
    media.init(project="proj", dir=str(root), name="alpha", id="alpha",
               config={"lr": 0.1, "depth": 3, "opt": "adam"})
    for s in range(10):
        row = {"loss": 1 / (s + 1), "acc": s / 10}
        if s % 2 == 0:
            row["img"] = media.Image(np.full((16, 24, 3), s * 20, np.uint8))
        if s in (0, 5):
            row["hist"] = media.Histogram(rng.normal(0, 1, 500))
        if s % 3 == 0:
            row["note"] = f"alpha note {s}"
        media.log(row, step=s)
    media.finish()
    media.init(project="proj", dir=str(root), name="beta", id="beta",
               config={"lr": 0.01, "depth": 3, "opt": "adam", "seed": 7})
    for s in range(10):
        row = {"loss": 2 / (s + 1)}
        if s % 3 == 0:
            row["img"] = media.Image(np.broadcast_to(np.array(BETA6 if s == 6 else (s, s, s), np.uint8),
                                                     (16, 24, 3)).copy())
        if s in (0, 4):
            row["hist"] = media.Histogram(rng.normal(2, 1, 500))
        media.log(row, step=s)
    media.finish()
    media.init(project="proj", dir=str(root), name=XSS, id="gamma", config={"lr": XSS, "depth": 3, "opt": "adam"})
    media.log({"loss": 0.5}, step=0)
    media.log({"img": media.Image(np.zeros((16, 24, 3), np.uint8)), "hist": media.Histogram([1, 2, 3])}, step=5)
    media.finish()
    out = base / "site"
    build_site([root], out)
    return out


def open_compare(sp, runs, query=""):
    """The compare page at step 0 unless the query names a step (the page opens at the newest)."""
    query = query if "step=" in query else "&".join(filter(None, [query, "step=0"]))
    sp.open(f"#/compare?runs={','.join(runs)}&{query}", wait="body[data-ready=compare]")


def label(page, run, key):
    return page.locator(f".cmp-cell[data-run='{run}'][data-key='{key}'] .cmp-step").inner_text()


def test_compare_selected_from_index_header_and_config_diff(site, site_page):
    sp = site_page(site)
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    assert page.locator("#compare-link").count() == 0
    for run in (A, B, G):
        page.locator(f"tr[data-run='{run}'] input[type=checkbox]").check()
    page.locator("#compare-link").click()
    page.wait_for_selector("body[data-ready=compare]")
    assert page.title() == "Compare 3 runs — mediaboard"
    heads = page.locator(".cmp-run")
    assert heads.count() == 3
    hrefs = [heads.nth(i).locator("a.cmp-run-link").get_attribute("href") for i in range(3)]
    assert hrefs == [f"#/run/{A}", f"#/run/{B}", f"#/run/{G}"]
    colors = page.evaluate("[...document.querySelectorAll('.cmp-run .cmp-swatch')].map(e => getComputedStyle(e).backgroundColor)")
    assert len(set(colors)) == 3
    # the same colour per run in the media column heads
    cols = page.evaluate("[...document.querySelectorAll('.cmp-col-head .cmp-swatch')].map(e => getComputedStyle(e).backgroundColor)")
    assert cols == colors
    assert page.locator("#crumbs a[href='#/']").count() == 1
    # the config and summary sit folded below the charts and media; the fold counts what differs
    assert page.locator("details.cmp-overview > summary").inner_text().endswith("(2 config and 5 summary values differ)")
    page.locator("details.cmp-overview > summary").click()
    diff = page.locator("#cmp-config tbody tr.diff").evaluate_all("rs => rs.map(r => r.dataset.key)")
    assert diff == ["lr", "seed"]
    same = page.locator("#cmp-config tbody tr:not(.diff)").evaluate_all("rs => rs.map(r => r.dataset.key)")
    assert same == ["depth", "opt"]
    assert page.locator("#cmp-config tr[data-key=seed] td").all_inner_texts() == ["—", "7", "—"]
    assert page.locator("#cmp-summary tr[data-key=loss]").get_attribute("class") == "diff"
    # media values and wall time are left out of the summary (media are compared in the grid)
    summary_keys = page.locator("#cmp-summary tbody tr").evaluate_all("rs => rs.map(r => r.dataset.key)")
    assert summary_keys == ["_runtime", "_step", "acc", "loss", "note"]
    page.locator("#only-diff").check()
    assert page.locator("#cmp-config tbody tr:visible").count() == 2
    assert "diff=1" in page.url
    page.locator("#only-diff").uncheck()
    assert page.locator("#cmp-config tbody tr:visible").count() == 4
    sp.screenshot()


def test_charts_one_trace_per_run_in_its_colour(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B, G])
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    keys = page.locator(".cmp-charts .chart").evaluate_all("cs => cs.map(c => c.dataset.key)")
    assert keys == ["acc", "loss"]
    js = "document.querySelector('.cmp-charts .chart[data-key=loss]')"
    page.wait_for_function(f"{js}.data && {js}.data.length === 3")
    traces = page.evaluate(f"{js}.data.map(t => [t.meta, t.line.color, t.y.length])")
    assert traces == [[A, PALETTE[0], 10], [B, PALETTE[1], 10], [G, PALETTE[2], 1]]
    # acc is logged by alpha only: one trace
    assert page.evaluate("document.querySelector('.cmp-charts .chart[data-key=acc]').data.length") == 1
    assert page.locator(".cmp-charts .chart[data-key=loss] .legendtext").all_text_contents()[2] == XSS
    assert page.evaluate("window.__pwned") is None
    # the legend toggles a run
    page.locator(".cmp-charts .chart[data-key=loss] .legendtoggle").nth(1).click()
    page.wait_for_function(f"{js}.data[1].visible === 'legendonly'")
    page.select_option("#x-axis", "_runtime")
    page.wait_for_function(f"{js}.layout.xaxis.title.text === 'Relative time (s)'")
    assert "x=_runtime" in page.url
    sp.screenshot()


def test_one_cursor_moves_every_cell_with_nearest_earlier_labels(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B, G])
    page = sp.page
    sp.wait_cursor(0)
    assert page.evaluate("MB.cursor.steps") == [0, 2, 3, 4, 5, 6, 8, 9]
    assert label(page, G, "img") == "not logged yet (first at step 5)"
    assert label(page, B, "note") == "not logged"
    assert "not logged in this run" in page.locator(f".cmp-cell[data-run='{B}'][data-key=note]").inner_text()
    page.fill("#cursor-step", "7")
    page.press("#cursor-step", "Enter")
    sp.wait_cursor(6)  # 7: nothing logged, the cursor takes the nearest earlier step
    assert "step=6" in page.url
    assert label(page, A, "img").startswith("step 6 · 4 of 5 logged")
    assert label(page, B, "img").startswith("step 6 · 3 of 4 logged")
    assert label(page, G, "img").startswith("showing step 5 (nearest earlier)")
    assert label(page, A, "hist").startswith("showing step 5 (nearest earlier)")
    assert label(page, B, "hist").startswith("showing step 4 (nearest earlier)")
    assert page.locator(f".cmp-cell[data-run='{A}'][data-key=note] .cmp-body").inner_text().strip() == "alpha note 6"
    srcs = {run: page.locator(f".cmp-cell[data-run='{run}'][data-key=img] img").first.get_attribute("src")
            for run in (A, B, G)}
    assert srcs[A].startswith(f"files/{A}/") and "6_" in srcs[A].rsplit("/", 1)[1]
    assert srcs[B].startswith(f"files/{B}/") and "6_" in srcs[B].rsplit("/", 1)[1]
    assert srcs[G].startswith(f"files/{G}/") and "5_" in srcs[G].rsplit("/", 1)[1]
    sp.screenshot()
    page.locator("main h1").click()
    page.keyboard.press("ArrowLeft")
    sp.wait_cursor(5)
    assert label(page, A, "img").startswith("showing step 4 (nearest earlier)")
    assert label(page, G, "img").startswith("step 5 · 1 of 1 logged")
    page.keyboard.press("End")
    sp.wait_cursor(9)
    assert label(page, A, "note").startswith("step 9")
    assert label(page, B, "img").startswith("step 9")
    page.locator("button[aria-label='Previous step']").click()
    sp.wait_cursor(8)


def stage_pixel(page) -> tuple[int, int, int]:
    png = page.locator(".cmp-merged .cmp-stage").screenshot()
    im = PILImage.open(io.BytesIO(png)).convert("RGB")
    return im.getpixel((im.width // 2, im.height // 2))


# the heat map's colour stops (docs/compare.md), linearly interpolated over 0..255
HEAT = [(0, 0, 4), (31, 12, 72), (85, 15, 109), (136, 34, 106), (186, 54, 85), (227, 89, 51),
        (249, 140, 10), (249, 201, 50), (252, 255, 164)]


def heat(v):
    x = min(max(v / 255, 0), 1) * (len(HEAT) - 1)
    i = min(int(x), len(HEAT) - 2)
    return tuple(round(a + (b - a) * (x - i)) for a, b in zip(HEAT[i], HEAT[i + 1]))


def close(a, b, tol=3):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def test_two_image_modes_swipe_onion_difference(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B], "step=6")
    page = sp.page
    sp.wait_cursor(6)
    row = page.locator(".cmp-row[data-key=img]")
    assert row.get_attribute("data-mode") == "side"
    assert row.locator(".cmp-cell img").count() == 2
    assert page.locator(".cmp-row[data-key=note] select.cmp-mode").count() == 0  # text rows have no modes
    modes = row.locator("select.cmp-mode option").evaluate_all("os => os.map(o => o.value)")
    assert modes == ["side", "pair", "swipe", "onion", "diff"]

    row.locator("select.cmp-mode").select_option("swipe")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=img]').dataset.mode === 'swipe'")
    imgs = row.locator(".cmp-merged img")
    assert imgs.count() == 2
    assert imgs.nth(0).get_attribute("src").startswith(f"files/{A}/")
    assert imgs.nth(1).get_attribute("src").startswith(f"files/{B}/")
    page.wait_for_function("[...document.querySelectorAll('.cmp-merged img')].every(i => i.complete && i.naturalWidth > 0)")
    assert row.locator(".cmp-cell .cmp-body").first.is_hidden()
    assert "ps=" in page.url and "swipe" in page.url
    row.locator("input.cmp-amount").fill("0.25")
    assert "inset(0px 0px 0px 25%)" in imgs.nth(1).evaluate("e => getComputedStyle(e).clipPath")
    box = row.locator(".cmp-stage").bounding_box()
    assert box["width"] >= 384  # a 24 px wide image is drawn larger
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()
    assert row.locator("input.cmp-amount").input_value() == "0.75"
    assert "inset(0px 0px 0px 75%)" in imgs.nth(1).evaluate("e => getComputedStyle(e).clipPath")
    sp.screenshot("swipe")

    row.locator("select.cmp-mode").select_option("onion")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=img]').dataset.mode === 'onion'")
    row.locator("input.cmp-amount").fill("0")
    assert close(stage_pixel(page), (120, 120, 120))  # only alpha shows
    row.locator("input.cmp-amount").fill("1")
    assert close(stage_pixel(page), BETA6)  # only beta shows
    # arrow keys on the onion slider move the slider, not the page's step cursor
    before = page.input_value("#cursor-step")
    row.locator("input.cmp-amount").focus()
    page.keyboard.press("ArrowLeft")
    assert float(row.locator("input.cmp-amount").input_value()) < 1
    assert page.input_value("#cursor-step") == before
    row.locator("input.cmp-amount").fill("1")

    row.locator("select.cmp-mode").select_option("diff")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=img]').dataset.mode === 'diff'")
    page.wait_for_function("[...document.querySelectorAll('.cmp-merged img')].every(i => i.complete && i.naturalWidth > 0)")
    assert row.locator(".cmp-merged img").nth(1).evaluate("e => getComputedStyle(e).mixBlendMode") == "difference"
    # the default view is the heat map of mean |A - B| over R, G, B (50 of 255 here)
    stage = row.locator(".cmp-stage")
    assert stage.get_attribute("data-diffview") == "heat"
    assert close(stage_pixel(page), heat(sum(DIFF6) / 3), tol=4)
    assert row.locator(".cmp-diff-legend").inner_text().strip().endswith("255")
    sp.screenshot("diff-heat")
    row.locator("select.cmp-gain").select_option("4")  # 50 x 4 = 200 of 255
    assert close(stage_pixel(page), heat(sum(DIFF6) / 3 * 4), tol=4)
    assert "≥ 64 (gain 4×)" in row.locator(".cmp-diff-legend").inner_text()
    row.locator("select.cmp-diffview").select_option("rgb")
    assert close(stage_pixel(page), (255, 255, 0))  # (80, 70, 0) x 4, clipped
    row.locator("select.cmp-gain").select_option("1")
    assert close(stage_pixel(page), DIFF6)
    assert '"diffview":"rgb"' in unquote(page.url) and '"gain":1' in unquote(page.url)
    sp.screenshot("diff")
    # one zoom for both images; drag pans them together
    row.locator("select.cmp-zoom").select_option("4")
    viewport = row.locator(".cmp-viewport")
    assert viewport.evaluate("v => v.scrollWidth > v.clientWidth")
    box = row.locator(".cmp-viewport").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 200, box["y"] + 40, steps=4)
    page.mouse.up()
    assert viewport.evaluate("v => v.scrollLeft") >= 150
    assert '"zoom":4' in unquote(page.url)
    # the mode follows the cursor; a step where one side is missing falls back to side by side
    page.fill("#cursor-step", "8")
    page.press("#cursor-step", "Enter")
    sp.wait_cursor(8)
    assert row.get_attribute("data-mode") == "diff"
    assert row.locator(".cmp-note").is_hidden()
    assert "8_" in row.locator(".cmp-merged img").nth(0).get_attribute("src").rsplit("/", 1)[1]
    page.fill("#cursor-step", "9")
    page.press("#cursor-step", "Enter")
    sp.wait_cursor(9)  # beta logs 9, alpha shows 8: still two images, still the difference
    assert row.get_attribute("data-mode") == "diff"
    # identical images (both black at step 0) are black in the heat map, whatever the gain
    row.locator("select.cmp-diffview").select_option("heat")
    row.locator("select.cmp-gain").select_option("64")
    page.fill("#cursor-step", "0")
    page.press("#cursor-step", "Enter")
    sp.wait_cursor(0)
    assert row.locator(".cmp-stage").get_attribute("data-gain") == "64"
    page.wait_for_function("[...document.querySelectorAll('.cmp-merged img')].every(i => i.complete && i.naturalWidth > 0)")
    assert close(stage_pixel(page), HEAT[0])
    row.locator("select.cmp-mode").select_option("side")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=img]').dataset.mode === 'side'")
    assert row.locator(".cmp-merged").is_hidden()
    assert row.locator(".cmp-cell img").count() == 2


def test_side_by_side_with_linked_zoom_pans_both(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B], "step=6")
    page = sp.page
    sp.wait_cursor(6)
    row = page.locator(".cmp-row[data-key=img]")
    row.locator("select.cmp-mode").select_option("pair")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=img]').dataset.mode === 'pair'")
    page.wait_for_function("[...document.querySelectorAll('.cmp-merged img')].every(i => i.complete && i.naturalWidth > 0)")
    stages = row.locator(".cmp-pair .cmp-stage")
    assert stages.count() == 2
    heads = row.locator(".cmp-pair-head").all_inner_texts()
    assert [t.strip() for t in heads] == ["alpha · step 6", "beta · step 6"]
    for i, want in ((0, (120, 120, 120)), (1, BETA6)):
        im = PILImage.open(io.BytesIO(stages.nth(i).screenshot())).convert("RGB")
        assert close(im.getpixel((im.width // 2, im.height // 2)), want)
    widths = stages.evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    assert widths[0] == widths[1] and widths[0] > 0
    row.locator("select.cmp-zoom").select_option("8")
    vps = row.locator(".cmp-pair .cmp-viewport")
    assert vps.nth(1).evaluate("v => v.scrollWidth > v.clientWidth")
    # a drag on the left image pans the right one the same way
    box = vps.nth(0).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 150, box["y"] + 30, steps=4)
    page.mouse.up()
    page.wait_for_function("(() => { const v = document.querySelectorAll('.cmp-pair .cmp-viewport');"
                           " return v[0].scrollLeft >= 100 && v[1].scrollLeft === v[0].scrollLeft; })()")
    # scrolling the right one (wheel, scroll bar) moves the left one
    vps.nth(1).evaluate("v => { v.scrollLeft = 20; }")
    page.wait_for_function("document.querySelectorAll('.cmp-pair .cmp-viewport')[0].scrollLeft === 20")
    sp.screenshot()
    assert '"mode":"pair"' in unquote(page.url) and '"zoom":8' in unquote(page.url)


def test_two_image_mode_without_two_images_falls_back_with_a_note(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, G], "step=2")
    page = sp.page
    sp.wait_cursor(2)  # gamma logs its image at 5 only
    row = page.locator(".cmp-row[data-key=img]")
    row.locator("select.cmp-mode").select_option("onion")
    page.wait_for_function("!document.querySelector('.cmp-row[data-key=img] .cmp-note').hidden")
    assert row.get_attribute("data-mode") == "side"
    assert "needs an image (or a list of images) from each run" in row.locator(".cmp-note").inner_text()
    assert row.locator(f".cmp-cell[data-run='{A}'] img").count() == 1
    page.fill("#cursor-step", "5")
    page.press("#cursor-step", "Enter")
    sp.wait_cursor(5)
    assert row.get_attribute("data-mode") == "onion"
    assert row.locator(".cmp-note").is_hidden()
    assert row.locator(".cmp-merged img").count() == 2


def test_modes_need_exactly_two_runs(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B, G])
    sp.wait_cursor(0)
    assert sp.page.locator(".cmp-row[data-key=img] select.cmp-mode").count() == 0


def colour_pixels(png: bytes, hex_colour: str, tol: int = 12) -> int:
    """How many pixels of a screenshot are (nearly) the given colour."""
    want = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    px = np.asarray(PILImage.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int((np.abs(px - want).max(axis=2) <= tol).sum())


def test_histograms_overlaid_one_outline_per_run(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B, G], "step=5")
    page = sp.page
    sp.wait_cursor(5)
    row = page.locator(".cmp-row[data-key=hist]")
    assert row.get_attribute("data-mode") == "overlay"
    canvas = row.locator(".cmp-hist canvas.mb-hist-canvas")
    assert canvas.get_attribute("data-series") == "3"
    keys = row.locator(".cmp-hist-key")
    assert keys.evaluate_all("els => els.map(e => e.dataset.col)") == [A, B, G]
    names = [t.strip() for t in keys.all_inner_texts()]
    assert names[0] == "alpha (step 5)" and names[1] == "beta (step 4)"
    assert names[2] == XSS + " (step 5)"  # gamma's name is text, never HTML
    assert page.evaluate("window.__pwned") is None
    # each run's outline is drawn in its colour
    png = canvas.screenshot()
    sp.screenshot()
    assert colour_pixels(png, PALETTE[0]) > 50 and colour_pixels(png, PALETTE[1]) > 50
    assert colour_pixels(png, PALETTE[2]) > 5  # gamma: three values, three thin spikes
    # the legend hides and shows a run
    keys.nth(1).click()
    assert keys.nth(1).get_attribute("aria-pressed") == "false"
    assert canvas.get_attribute("data-series") == "2"
    assert colour_pixels(canvas.screenshot(), PALETTE[1]) == 0
    assert colour_pixels(canvas.screenshot(), PALETTE[0]) > 50
    keys.nth(1).click()
    assert colour_pixels(canvas.screenshot(), PALETTE[1]) > 50
    page.locator("button[aria-label='Previous step']").click()
    sp.wait_cursor(4)  # gamma has no histogram before step 5: two outlines
    assert row.locator(".cmp-hist canvas.mb-hist-canvas").get_attribute("data-series") == "2"
    assert row.locator(".cmp-hist-key").count() == 2
    row.locator("select.cmp-mode").select_option("side")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=hist]').dataset.mode === 'side'")
    assert row.locator(f".cmp-cell[data-run='{A}'] .cmp-body").is_visible()
    assert "first logged at step 5" in row.locator(f".cmp-cell[data-run='{G}']").inner_text()


def test_hash_restores_the_view_on_reload(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, B])
    page = sp.page
    sp.wait_cursor(0)
    page.fill("#cursor-step", "4")
    page.press("#cursor-step", "Enter")
    sp.wait_cursor(4)
    page.locator("details.cmp-overview > summary").click()
    page.locator("#only-diff").check()
    page.select_option("#x-axis", "_runtime")
    page.locator(".cmp-row[data-key=img] select.cmp-mode").select_option("onion")
    page.locator(".cmp-row[data-key=img] input.cmp-amount").fill("0.3")
    url = page.url
    page.reload()
    page.wait_for_selector("body[data-ready=compare]")
    sp.wait_cursor(4)
    assert page.url == url
    assert page.input_value("#cursor-step") == "4"
    assert page.locator("#only-diff").is_checked()
    assert page.locator("details.cmp-overview").evaluate("d => d.open")  # fold=overview in the URL
    assert page.input_value("#x-axis") == "_runtime"
    row = page.locator(".cmp-row[data-key=img]")
    assert row.get_attribute("data-mode") == "onion"
    assert row.locator("input.cmp-amount").input_value() == "0.3"
    assert row.locator(".cmp-merged img").nth(1).evaluate("e => getComputedStyle(e).opacity") == "0.3"


def test_user_strings_are_text_not_html(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, G])
    page = sp.page
    sp.wait_cursor(0)
    page.wait_for_selector("body[data-charts=ready]")
    assert page.evaluate("window.__pwned") is None
    assert page.locator(f".cmp-run[data-run='{G}'] a.cmp-run-link").inner_text() == XSS
    assert page.locator("#cmp-config tr[data-key=lr] td").nth(1).text_content() == XSS
    assert page.locator(".cmp-col-head").nth(1).locator("span").nth(1).inner_text() == XSS
    assert page.locator("main script").count() == 0 and page.locator("main img[src=x]").count() == 0


def test_missing_run_and_empty_selection(site, site_page):
    sp = site_page(site)
    open_compare(sp, [A, "proj.nope"])
    page = sp.page
    assert "run not in this site" in page.locator(".cmp-run[data-run='proj.nope']").inner_text()
    assert page.locator("#cmp-config thead th").count() == 2  # key + the one run that loaded
    sp.open("#/compare", wait="body[data-ready=compare]")
    assert "No runs to compare" in page.locator("main .placeholder").inner_text()


def test_every_kind_of_the_fixture_runs_renders_in_the_grid(tmp_path, site_page):
    """The two demo fixture runs (every kind): every cell renders at every cursor step, with no
    console error and no 'could not render' placeholder."""
    from pathlib import Path

    out = tmp_path / "site"
    build_site([Path(__file__).resolve().parents[2] / "fixtures" / "runs"], out)
    sp = site_page(out)
    open_compare(sp, ["demo.fixture-a", "demo.fixture-b"])
    page = sp.page
    steps = page.evaluate("MB.cursor.steps")
    assert steps
    kinds = page.locator(".cmp-row").evaluate_all("rs => rs.map(r => r.dataset.kind)")
    assert {"image", "histogram", "audio", "video", "object3d", "table", "plotly", "bokeh", "html"} <= set(kinds)
    for step in steps:
        page.evaluate(f"MB.cursor.set({step})")
        sp.wait_cursor(step)
        assert page.locator(".cmp-body:visible").count() > 0
        bad = page.locator(".cmp-cell .placeholder").all_inner_texts()
        assert not [b for b in bad if "could not" in b or "no renderer" in b], bad
    sp.screenshot()


def test_two_steps_of_one_run_pinned_column(site, site_page):
    """`run@step` holds a column at one step: alpha at step 2 against alpha under the cursor,
    with the two-image modes; the "pin step" button adds such a column; charts draw alpha once."""
    sp = site_page(site)
    open_compare(sp, [f"{A}@2", A], "step=8")
    page = sp.page
    sp.wait_cursor(8)
    assert page.locator("h1").inner_text() == "Compare 2 steps of one run"
    cells = page.locator(".cmp-row[data-key=img] .cmp-cell")
    assert [cells.nth(i).get_attribute("data-step") for i in range(2)] == ["2", "8"]
    assert page.locator(".cmp-col-head").nth(0).inner_text().strip() == "alpha @ step 2"
    # the difference of grey 40 (step 2) and grey 160 (step 8): 120 in the heat map
    row = page.locator(".cmp-row[data-key=img]")
    row.locator("select.cmp-mode").select_option("diff")
    page.wait_for_selector(".cmp-row[data-key=img][data-mode=diff] .cmp-merged img")
    alts = row.locator(".cmp-merged img").evaluate_all("els => els.map(e => e.alt)")
    assert alts == ["run alpha @ step 2, step 2", "run alpha, step 8"]
    page.wait_for_function("() => [...document.querySelectorAll('.cmp-merged img')].every(i => i.complete && i.naturalWidth)")
    stage = row.locator(".cmp-stage")
    px = PILImage.open(io.BytesIO(stage.screenshot())).convert("RGB")
    assert close(px.getpixel((px.width // 2, px.height // 2)), heat(120), tol=4)
    # the cursor moves the live column only
    sp.page.evaluate("MB.cursor.set(4)")
    sp.wait_cursor(4)
    assert [cells.nth(i).get_attribute("data-step") for i in range(2)] == ["2", "4"]
    page.wait_for_selector("body[data-charts=ready]")
    assert page.locator(".chart[data-key=loss] .scatterlayer .trace").count() == 1
    # "pin step" on the live column adds alpha@4 before it; "remove" takes a pinned column away
    page.locator(".cmp-col-head[data-col='proj.alpha'] button.cmp-pin").click()
    page.wait_for_function("() => document.querySelectorAll('.cmp-col-head').length === 3")
    page.wait_for_selector("body[data-ready=compare]")
    assert unquote(page.url).split("runs=")[1].split("&")[0] == f"{A}@2,{A}@4,{A}"
    page.locator(f".cmp-run[data-col='{A}@2'] a.cmp-unpin").click()
    page.wait_for_function("() => document.querySelectorAll('.cmp-col-head').length === 2")
    assert unquote(page.url).split("runs=")[1].split("&")[0] == f"{A}@4,{A}"


def test_run_page_link_compares_two_steps(site, site_page):
    sp = site_page(site)
    sp.open_run(A, "step=4")
    page = sp.page
    sp.wait_cursor(4)
    sp.page.evaluate("MB.cursor.set(6)")
    sp.wait_cursor(6)
    page.locator("#compare-steps").click()
    page.wait_for_selector("body[data-ready=compare]")
    sp.wait_cursor(6)
    assert unquote(page.url).split("runs=")[1].split("&")[0] == f"{A}@6,{A}"
    assert page.locator("h1").inner_text() == "Compare 2 steps of one run"


def site_of_runs(tmp_path_factory, name, rows):
    """A site of runs proj.<id>, each logging its row at step 0: rows = {id: {key: value}}."""
    base = tmp_path_factory.mktemp(name)
    root = base / "runs"
    for rid, row in rows.items():
        media.init(project="proj", dir=str(root), name=rid, id=rid)
        media.log(row, step=0)
        media.finish()
    build_site([root], base / "site")
    return base / "site"


@pytest.fixture(scope="module")
def list_site(tmp_path_factory):
    """two runs logging lists of images under one key: greys 10, 20, 30 (a) and 40, 80, 120, 160 (b)."""
    return site_of_runs(tmp_path_factory, "compare_lists", {
        rid: {"ex": [media.Image(np.full((8, 8, 3), g, np.uint8), caption=f"{rid} sample {i}") for i, g in enumerate(greys)]}
        for rid, greys in (("a", (10, 20, 30)), ("b", (40, 80, 120, 160)))})


def test_two_image_modes_on_lists_compare_one_item(list_site, site_page):
    sp = site_page(list_site)
    open_compare(sp, ["proj.a", "proj.b"], 'ps={"ex":{"mode":"diff","diffview":"rgb"}}')
    page = sp.page
    sp.wait_cursor(0)
    row = page.locator(".cmp-row[data-key=ex]")
    assert row.get_attribute("data-mode") == "diff"
    assert row.locator(".cmp-note").is_hidden()
    pick = row.locator(".cmp-item-pick")
    assert pick.inner_text().split("\n")[-1].strip().endswith("of 3 (a has 3, b 4)")
    assert row.locator(".cmp-item-prev").is_disabled()

    def shows(k, grey_a, grey_b):
        page.wait_for_function("[...document.querySelectorAll('.cmp-merged img')].every(i => i.complete && i.naturalWidth > 0)")
        alts = row.locator(".cmp-merged img").evaluate_all("els => els.map(e => e.alt)")
        assert alts == [f"run a, step 0, image {k + 1}: a sample {k}", f"run b, step 0, image {k + 1}: b sample {k}"]
        d = abs(grey_a - grey_b)
        assert close(stage_pixel(page), (d, d, d))

    shows(0, 10, 40)
    row.locator(".cmp-item-next").click()
    page.wait_for_function("document.querySelector('.cmp-item').value === '2'")
    shows(1, 20, 80)
    assert '"item":1' in unquote(page.url)
    row.locator(".cmp-item").fill("9")  # past the shorter list: its last item
    row.locator(".cmp-item").press("Enter")
    page.wait_for_function("document.querySelector('.cmp-item').value === '3'")
    shows(2, 30, 120)
    assert row.locator(".cmp-item-next").is_disabled()
    sp.screenshot()
    page.reload()
    page.wait_for_selector("body[data-cursor='0']")
    assert page.locator(".cmp-item").input_value() == "3"


def test_compare_prefetches_the_next_chunk_near_a_chunk_edge(tmp_path, site_page):
    from viewer.build import CHUNK

    for rid in ("a", "b"):
        media.init(project="p", dir=str(tmp_path / "runs"), id=rid)
        for s in range(CHUNK * 2):
            media.log({"note": f"{rid}@{s}"}, step=s)
        media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    open_compare(sp, ["p.a", "p.b"], "step=3")
    page = sp.page
    sp.wait_cursor(3)
    loaded = "() => Object.keys(MB.store.shards).map(k => k.split('\\u0000').join(':')).sort()"
    assert page.evaluate(loaded) == ["p.a:note:0", "p.b:note:0"]
    page.evaluate(f"MB.cursor.set({CHUNK - 2})")
    sp.wait_cursor(CHUNK - 2)
    page.wait_for_function(f"() => ({loaded})().length === 4", timeout=5000)
    assert page.evaluate(loaded) == ["p.a:note:0", "p.a:note:1", "p.b:note:0", "p.b:note:1"]
    page.evaluate(f"MB.cursor.set({CHUNK + 1})")
    sp.wait_cursor(CHUNK + 1)
    texts = page.locator(".cmp-row[data-key=note] .cmp-body").all_inner_texts()
    assert [t.strip() for t in texts] == [f"a@{CHUNK + 1}", f"b@{CHUNK + 1}"]


@pytest.fixture(scope="module")
def seg_site(tmp_path_factory):
    """two runs, one black 32x32 image each at step 0: `a` with mask class 1 ("cat") everywhere
    and a "cat" box, `b` with mask class 2 ("dog") everywhere and a "dog" box."""
    labels = {0: "bg", 1: "cat", 2: "dog"}

    def seg(cls):
        box = {"position": {"minX": 4, "maxX": 28, "minY": 4, "maxY": 28}, "domain": "pixel", "class_id": cls}
        return media.Image(np.zeros((32, 32, 3), np.uint8),
                           masks={"pred": {"mask_data": np.full((32, 32), cls, np.uint8), "class_labels": labels}},
                           boxes={"det": {"box_data": [box], "class_labels": labels}})

    return site_of_runs(tmp_path_factory, "compare_seg", {"a": {"seg": seg(1)}, "b": {"seg": seg(2)}})


def test_stacked_image_modes_draw_each_images_masks_and_boxes(seg_site, site_page):
    """Swipe shows A's mask left of the line and B's right of it; onion skin fades A's layers out
    as B's fade in; one set of class toggles covers both images; the difference draws no layers."""
    sp = site_page(seg_site)
    open_compare(sp, ["proj.a", "proj.b"], 'ps={"seg":{"mode":"swipe","swipe":0.5}}')
    page = sp.page
    sp.wait_cursor(0)
    row = page.locator(".cmp-row[data-key=seg]")
    assert row.get_attribute("data-mode") == "swipe"
    page.wait_for_function("[...document.querySelectorAll('.cmp-merged img, .cmp-merged svg.mb-mask image')]"
                           ".every(i => i.tagName === 'image' || (i.complete && i.naturalWidth > 0))")
    # each image's own layers, over it
    assert row.locator(".cmp-layers-a .mb-box").evaluate_all("bs => bs.map(b => b.dataset.classId)") == ["1"]
    assert row.locator(".cmp-layers-b .mb-box").evaluate_all("bs => bs.map(b => b.dataset.classId)") == ["2"]
    assert row.locator(".cmp-layers-a .mb-box-label").inner_text() == "cat"
    assert row.locator(".cmp-layers-b .mb-box-label").inner_text() == "dog"
    # one set of controls: the mask layer's classes of both images
    toggles = row.locator(".cmp-layer-controls .mb-mask-layer input[data-class-id]")
    assert toggles.evaluate_all("is => is.map(i => i.dataset.classId)") == ["1", "2"]

    def pixels():
        png = row.locator(".cmp-stage").screenshot()
        im = PILImage.open(io.BytesIO(png)).convert("RGB")
        # left and right of the line, clear of the boxes' borders
        return im.getpixel((im.width // 4, im.height // 2)), im.getpixel((3 * im.width // 4, im.height // 2))

    page.wait_for_timeout(100)
    left, right = pixels()
    assert max(left) > 40 and max(right) > 40 and not close(left, right, 10)  # two mask colours
    # class 1 off: A's half goes black, B's keeps its colour; the choice is in the URL
    toggles.nth(0).uncheck()
    left2, right2 = pixels()
    assert close(left2, (0, 0, 0)) and close(right2, right)
    assert '"maskOff":{"pred":[1]}' in unquote(page.url).replace(" ", "")
    toggles.nth(0).check()

    # onion skin: at 0 only A's layers, at 1 only B's
    row.locator("select.cmp-mode").select_option("onion")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=seg]').dataset.mode === 'onion'")
    row.locator("input.cmp-amount").fill("0")
    assert close(pixels()[0], left, 6)
    assert row.locator(".cmp-layers-b").evaluate("e => getComputedStyle(e).opacity") == "0"
    row.locator("input.cmp-amount").fill("1")
    assert close(pixels()[1], right, 6)
    assert row.locator(".cmp-layers-a").evaluate("e => getComputedStyle(e).opacity") == "0"
    sp.screenshot("onion")

    # linked zoom: each side its own layers
    row.locator("select.cmp-mode").select_option("pair")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=seg]').dataset.mode === 'pair'")
    assert row.locator(".cmp-pair-side").nth(0).locator(".cmp-layers-a .mb-box").count() == 1
    assert row.locator(".cmp-pair-side").nth(1).locator(".cmp-layers-b .mb-box").count() == 1

    # the difference of two black images is black: no layer is drawn into it, and a note says so
    row.locator("select.cmp-mode").select_option("diff")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=seg]').dataset.mode === 'diff'")
    assert row.locator(".cmp-layers").count() == 0
    assert row.locator(".cmp-layers-note").is_visible()
    row.locator("select.cmp-diffview").select_option("rgb")
    assert close(stage_pixel(page), (0, 0, 0))


@pytest.fixture(scope="module")
def plotly_site(tmp_path_factory):
    """two runs, step 0: `pr`, a figure of two line traces (run b's names one with XSS), and
    `cm`, a heatmap."""
    import plotly.graph_objects as go

    def row(rid, shift):
        x = [0.0, 0.5, 1.0]
        pr = go.Figure([go.Scatter(x=x, y=[1.0, 0.8 - shift, 0.2], name="cat"),
                        go.Scatter(x=x, y=[1.0, 0.7 - shift, 0.1], name=XSS if rid == "b" else "dog"),
                        go.Scatter(x=x, y=[0.9, 0.6, 0.0], name="band", fill="tozeroy", fillcolor="rgba(0,0,0,0.1)")])
        pr.update_layout(title="PR curve", xaxis_title="recall", yaxis_title="precision")
        return {"pr": media.Plotly(pr), "cm": media.Plotly(go.Figure(go.Heatmap(z=[[1, 2], [3, 4]])))}

    return site_of_runs(tmp_path_factory, "compare_plotly", {"a": row("a", 0.0), "b": row("b", 0.1)})


def test_plotly_figures_overlaid_in_run_colours(plotly_site, site_page):
    sp = site_page(plotly_site)
    open_compare(sp, ["proj.a", "proj.b"])
    page = sp.page
    sp.wait_cursor(0)
    row = page.locator(".cmp-row[data-key=pr]")
    assert row.get_attribute("data-mode") == "overlay"
    box = row.locator(".cmp-plotly-overlay")
    assert box.get_attribute("data-traces") == "6" and box.get_attribute("data-columns") == "2"
    page.wait_for_function("document.querySelectorAll('.cmp-row[data-key=pr] .cmp-plotly-plot .scatterlayer .trace').length === 6")
    got = row.locator(".cmp-plotly-plot").evaluate(
        "p => p._fullData.map(t => [t.name, t.line.color, t.line.dash, t.y[1], t.fillcolor || null])")
    assert [g[1] for g in got] == [PALETTE[0]] * 3 + [PALETTE[1]] * 3
    assert [g[2] for g in got] == ["solid", "dash", "dot"] * 2
    assert [round(g[3], 3) for g in got] == [0.8, 0.7, 0.6, 0.7, 0.6, 0.6]
    # a filled area keeps its own transparency, in the column's colour
    assert [g[4] for g in got if g[4]] == ["rgba(31,119,180,0.1)", "rgba(214,39,40,0.1)"]
    legend = row.locator(".cmp-plotly-plot .legendtext").evaluate_all("ls => ls.map(l => l.textContent)")
    assert legend == ["a (step 0) · cat", "a (step 0) · dog", "a (step 0) · band",
                      "b (step 0) · cat", f"b (step 0) · {XSS}", "b (step 0) · band"]
    assert page.evaluate("window.__pwned") is None
    # the first column's axes and title
    assert row.locator(".cmp-plotly-plot").evaluate("p => [p._fullLayout.title.text, p._fullLayout.xaxis.title.text]") == [
        "PR curve", "recall"]
    sp.screenshot("overlay")
    # the cells are hidden while overlaid; side by side draws one figure per column again
    assert row.locator(".cmp-cell .cmp-body").first.is_hidden()
    row.locator("select.cmp-mode").select_option("side")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=pr]').dataset.mode === 'side'")
    page.wait_for_function("document.querySelectorAll('.cmp-row[data-key=pr] .cmp-cell .mb-plot .scatterlayer').length === 2")
    # a heatmap does not overlay: the row stays side by side and says why
    cm = page.locator(".cmp-row[data-key=cm]")
    assert cm.get_attribute("data-mode") == "side"
    assert cm.locator(".cmp-note").is_visible() and "2-D traces" in cm.locator(".cmp-note").inner_text()
    sp.screenshot("plotly")


@pytest.fixture(scope="module")
def html_site(tmp_path_factory):
    """two runs, step 0, `page`: a loss that changed, a list item added, a script only in a, text
    that looks like a tag only in b."""
    pages = {
        "a": "<h3>Step 10</h3><p>Loss is <b>0.321</b>.</p><script>window.__pwned=1</script>"
             "<ul><li>circle</li><li>square</li></ul>",
        "b": "<h3>Step 10</h3><p>Loss is <b>0.301</b>.</p><p>&lt;img src=x onerror=window.__pwned=2&gt;</p>"
             "<ul><li>circle</li><li>triangle</li><li>square</li></ul>",
    }
    return site_of_runs(tmp_path_factory, "compare_html", {rid: {"page": media.Html(html)} for rid, html in pages.items()})


def test_html_text_changes_word_by_word(html_site, site_page):
    sp = site_page(html_site)
    open_compare(sp, ["proj.a", "proj.b"])
    page = sp.page
    sp.wait_cursor(0)
    row = page.locator(".cmp-row[data-key=page]")
    assert row.get_attribute("data-mode") == "text"
    box = row.locator(".cmp-hdiff")
    assert box.get_attribute("data-unit") == "word"
    assert [box.get_attribute(f"data-{k}") for k in ("removed", "added", "same")] == ["1", "5", "6"]
    assert row.locator("del.cmp-hdiff-a").all_inner_texts() == ["0.321."]
    assert row.locator("ins.cmp-hdiff-b").all_inner_texts() == ["0.301.", "<img", "src=x", "onerror=window.__pwned=2>", "triangle"]
    text = row.locator(".cmp-hdiff-body").inner_text()
    assert "pwned=1" not in text  # a script's text is not visible text
    assert page.evaluate("window.__pwned") is None
    assert row.locator(".cmp-hdiff-counts").inner_text() == "1 word removed · 5 added · 6 unchanged (55% of the longer page)"
    # colours: A's removed words in A's colour, B's added in B's
    colors = [row.locator(sel).first.evaluate("e => getComputedStyle(e).color") for sel in ("del.cmp-hdiff-a", "ins.cmp-hdiff-b")]
    assert colors == ["rgb(31, 119, 180)", "rgb(214, 39, 40)"]
    # the HTML source, line by line; kept in the URL
    row.locator("select.cmp-hdiff-view").select_option("source")
    page.wait_for_function("document.querySelector('.cmp-hdiff').dataset.unit === 'line'")
    assert int(box.get_attribute("data-removed")) >= 1 and int(box.get_attribute("data-added")) >= 1
    assert any("<script>window.__pwned=1</script>" in t for t in row.locator("del.cmp-hdiff-a").all_inner_texts())
    assert '"view":"source"' in unquote(page.url)
    sp.screenshot("html")
    # the diff itself: indices into b for kept and added tokens, into a for removed ones
    got = page.evaluate("MB.compareHtml.diff(['a', 'b', 'c'], ['a', 'c', 'd'], 100)")
    assert got == [[" ", 0], ["-", 1], [" ", 1], ["+", 2]]
    assert page.evaluate("MB.compareHtml.diff([], ['x'], 100)") == [["+", 0]]
    assert page.evaluate("MB.compareHtml.diff(['a', 'b'], ['c', 'd'], 1)") is None  # more edits than allowed
