"""Image defaults in the browser: background and unlabelled mask classes start hidden (run page,
lightbox, every compare mode), box captions never overlap (thumbnails, panels, lightbox), and the
lightbox opens fitted to the window."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
from PIL import Image as PILImage

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
GREY = 120


def _seg() -> media.Image:
    """64x48 grey; mask `pred`: 0 (unlabelled) left, 1 "cat" right, 255 "void" bottom rows;
    mask `gt`: 0 "Background", 2 "dog", 3 "ignore" (labels named like background)."""
    pred = np.zeros((48, 64), np.uint8)
    pred[:, 32:] = 1
    pred[40:, :] = 255
    gt = np.zeros((48, 64), np.uint8)
    gt[:20, 40:] = 2
    gt[44:, :8] = 3
    return media.Image(
        np.full((48, 64, 3), GREY, np.uint8),
        masks={
            "pred": {"mask_data": pred, "class_labels": {1: "cat", 255: "void"}},
            "gt": {"mask_data": gt, "class_labels": {0: "Background", 2: "dog", 3: "ignore"}},
        },
    )


def _crowd(w: int, h: int) -> media.Image:
    """boxes whose top-left corners are a few pixels apart: their captions collide unless laid out."""
    boxes = [
        {
            "position": {
                "minX": 0.1 + 0.03 * i,
                "maxX": 0.5 + 0.03 * i,
                "minY": 0.2 + 0.02 * i,
                "maxY": 0.7 + 0.02 * i,
            },
            "class_id": 1 + i % 3,
            "box_caption": f"person {0.9 - 0.05 * i:.2f}",
        }
        for i in range(8)
    ]
    return media.Image(
        np.full((h, w, 3), 200, np.uint8),
        boxes={"det": {"box_data": boxes, "class_labels": {1: "person", 2: "car", 3: "dog"}}},
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("image_defaults")
    big = np.zeros((1500, 2000, 3), np.uint8)
    big[:, :, 0] = np.linspace(0, 255, 2000, dtype=np.uint8)[None, :]
    for rid in ("a", "b"):
        media.init(project="img", dir=str(base / "runs"), name=rid, id=rid)
        media.log(
            {
                "seg": _seg(),
                "crowd": _crowd(400, 300),
                "thumbs": [_crowd(200, 150) for _ in range(4)],
                "big": media.Image(big),
            },
            step=0,
        )
        media.finish()
    build_site([base / "runs"], base / "site")
    return base / "site"


def shot(page, label: str) -> None:
    """The viewport (the lightbox is position: fixed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"image-defaults-{label}.png"))


def alphas(scope, selector: str = ".mb-mask-alpha") -> list[list[str]]:
    """each mask's alpha table at ids 0..3 and 255 ("0" = hidden)"""
    return scope.locator(selector).evaluate_all(
        "fs => fs.map(f => { const t = f.getAttribute('tableValues').split(' ');"
        " return [t[0], t[1], t[2], t[3], t[255]]; })"
    )


def toggles(scope, layer: str) -> dict[str, tuple[bool, str]]:
    """{class id: (ticked, the toggle's text)} of one mask layer's controls"""
    got = scope.locator(f".mb-mask-layer[data-layer={layer}] label.mb-toggle").evaluate_all(
        "ls => ls.map(l => { const i = l.querySelector('input');"
        " return [i.dataset.classId, i.checked, l.textContent]; })"
    )
    return {cid: (on, text) for cid, on, text in got}


def test_background_and_unlabelled_classes_start_hidden(site, site_page):
    sp = site_page(site)
    sp.open_run("img.a")
    sp.wait_cursor(0)
    page = sp.page
    body = page.locator("article.panel[data-key=seg] .panel-body")
    pred = toggles(body, "pred")
    assert pred["0"][0] is False and "off by default: unlabelled" in pred["0"][1]
    assert pred["1"] == (True, "cat")
    assert pred["255"][0] is False and "off by default: background" in pred["255"][1]
    gt = toggles(body, "gt")
    assert gt["0"][0] is False and "off by default: background" in gt["0"][1]
    assert gt["2"] == (True, "dog")
    assert gt["3"][0] is False and "off by default: background" in gt["3"][1]
    # gt comes first (layers sorted by name); only the named classes are drawn (ids 1 in gt and
    # 2, 3 in pred are not in those masks, and unlabelled there)
    assert alphas(body) == [["0", "0", "0.5", "0", "0"], ["0", "0.5", "0", "0", "0"]]
    # the unlabelled class 0 paints nothing: the image's own grey shows through
    page.wait_for_function(
        "document.querySelector('article.panel[data-key=seg] img.mb-img').naturalWidth > 0"
    )
    png = body.locator(".mb-img-stage").screenshot()
    im = PILImage.open(io.BytesIO(png)).convert("RGB")
    assert im.getpixel((im.width // 8, im.height // 4)) == (GREY, GREY, GREY)
    assert im.getpixel((7 * im.width // 8, 3 * im.height // 4)) != (GREY, GREY, GREY)  # cat
    sp.screenshot("run")

    # ticked on: drawn, kept in the URL, and still on after a reload
    body.locator(".mb-mask-layer[data-layer=pred] input[data-class-id='0']").check()
    assert alphas(body)[1] == ["0.5", "0.5", "0", "0", "0"]
    assert '"maskOn":{"pred":[0]}' in unquote(page.url).replace(" ", "")
    page.reload()
    sp.wait_cursor(0)
    assert toggles(body, "pred")["0"][0] is True
    assert alphas(body)[1] == ["0.5", "0.5", "0", "0", "0"]
    # the lightbox draws the same classes
    body.locator(".mb-img-stage").click()
    assert alphas(page, ".mb-lightbox .mb-mask-alpha") == [
        ["0", "0", "0.5", "0", "0"],
        ["0.5", "0.5", "0", "0", "0"],
    ]
    shot(page, "lightbox-seg")


def test_compare_modes_start_with_the_same_classes_hidden(site, site_page):
    sp = site_page(site)
    sp.open("#/compare?runs=img.a,img.b", wait="body[data-ready=compare]")
    sp.wait_cursor(0)
    page = sp.page
    row = page.locator(".cmp-row[data-key=seg]")
    hidden = ["0", "0", "0.5", "0", "0"], ["0", "0.5", "0", "0", "0"]
    # side by side: each column's own controls
    cells = row.locator(".cmp-cell")
    assert cells.count() == 2
    for i in range(2):
        assert toggles(cells.nth(i), "pred")["0"][0] is False
        assert alphas(cells.nth(i)) == list(hidden)
    for mode in ("swipe", "onion", "pair"):
        row.locator("select.cmp-mode").select_option(mode)
        page.wait_for_function(
            f"document.querySelector('.cmp-row[data-key=seg]').dataset.mode === {mode!r}"
        )
        controls = row.locator(".cmp-layer-controls")
        assert toggles(controls, "pred")["0"][0] is False, mode
        assert "off by default: unlabelled" in toggles(controls, "pred")["0"][1]
        assert alphas(row.locator(".cmp-merged")) == list(hidden) * 2, mode
        if mode == "onion":
            sp.screenshot("onion")


def visible_caption_boxes(page, scope: str) -> list[list[float]]:
    return page.eval_on_selector_all(
        f"{scope} .mb-box-label",
        "ls => ls.filter(l => l.checkVisibility({visibilityProperty: true}))"
        ".map(l => { const r = l.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
        ".filter(r => r[2] - r[0] > 0 && r[3] - r[1] > 0)",
    )


def overlaps(rects: list[list[float]]) -> list[tuple[int, int]]:
    return [
        (i, j)
        for i, a in enumerate(rects)
        for j, b in enumerate(rects)
        if i < j
        and min(a[2], b[2]) - max(a[0], b[0]) > 0.5
        and min(a[3], b[3]) - max(a[1], b[1]) > 0.5
    ]


def test_box_captions_never_overlap(site, site_page):
    sp = site_page(site)
    sp.open_run("img.a")
    sp.wait_cursor(0)
    page = sp.page
    for key in ("crowd", "thumbs"):
        scope = f"article.panel[data-key={key}] .panel-body"
        page.wait_for_function(
            f"[...document.querySelectorAll('{scope} img.mb-img')].every(i => i.naturalWidth > 0)"
        )
        page.wait_for_timeout(100)
        rects = visible_caption_boxes(page, scope)
        assert not overlaps(rects), (key, rects)
        if key == "crowd":
            assert len(rects) >= 2, "a 400 px image shows some captions"
    sp.screenshot("captions")
    # at full size, in the lightbox: some captions shown, none over another
    page.locator("article.panel[data-key=thumbs] .media-cell[data-index='0'] .mb-img-stage").click()
    page.wait_for_selector(".mb-lightbox .mb-box-label")
    page.wait_for_timeout(100)
    rects = visible_caption_boxes(page, ".mb-lightbox")
    assert len(rects) >= 2 and not overlaps(rects), rects
    shot(page, "lightbox-captions")
    page.click(".mb-lightbox .mb-lb-1to1")
    page.wait_for_timeout(100)
    rects = visible_caption_boxes(page, ".mb-lightbox")
    assert not overlaps(rects), rects


def test_lightbox_opens_fitted_to_the_window(site, site_page):
    sp = site_page(site, width=1400, height=900)
    sp.open_run("img.a")
    sp.wait_cursor(0)
    page = sp.page
    page.locator("article.panel[data-key=big] .mb-img-stage").click()
    img = ".mb-lightbox img.mb-img"
    page.wait_for_function(f"document.querySelector({img!r}).naturalWidth > 0")
    box = page.locator(img).bounding_box()
    assert (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= 1400
        and box["y"] + box["height"] <= 900
    ), box
    assert box["width"] > 1000, "fitted, not shrunk to a stamp"
    assert box["width"] / box["height"] == pytest.approx(2000 / 1500, rel=0.01)
    assert page.eval_on_selector(
        ".mb-lightbox .mb-lb-scroll",
        "s => s.scrollWidth <= s.clientWidth && s.scrollHeight <= s.clientHeight",
    )
    shot(page, "lightbox-big")
    # 1:1 is one click away, and pans
    page.click(".mb-lightbox .mb-lb-1to1")
    assert page.locator(img).bounding_box()["width"] == pytest.approx(2000, abs=1)
    assert page.inner_text(".mb-lb-zoom") == "100%"
    scroller = ".mb-lightbox .mb-lb-scroll"
    page.mouse.move(700, 500)
    page.mouse.down()
    page.mouse.move(500, 400, steps=4)
    page.mouse.up()
    assert page.eval_on_selector(scroller, "s => [s.scrollLeft, s.scrollTop]") == [200, 100]
    page.keyboard.press("Escape")
    # a small image opens larger by a whole factor (crisp pixels), and still fits
    page.locator("article.panel[data-key=seg] .mb-img-stage").click()
    box = page.locator(img).bounding_box()
    assert box["width"] % 64 == pytest.approx(0, abs=0.5) and box["width"] >= 64 * 8
    assert box["y"] + box["height"] <= 900
