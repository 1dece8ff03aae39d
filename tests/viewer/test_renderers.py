"""Renderers in the browser: a run with every media kind, built into a site, opened from file://.

Each test looks at what the page really shows: decoded image sizes, pixels of mask overlays,
boxes left after the score threshold, media element metadata, plotly traces, table rows.
"""

from __future__ import annotations

import importlib.util
import io
import math
from pathlib import Path

import numpy as np
import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
AUDIO_SECONDS = 1.5
TABLE_ROWS = 45


def _image_with_layers() -> media.Image:
    rng = np.random.default_rng(0)
    pixels = rng.uniform(-0.42, 2.82, size=(30, 40)).astype(np.float32)
    pixels[0, 0], pixels[0, 1] = -0.42, 2.82
    mask = np.zeros((30, 40), np.uint8)
    mask[:, 20:] = 1
    mask[20:, :10] = 2
    boxes = [
        {
            "position": {"minX": 2, "maxX": 12, "minY": 2, "maxY": 12},
            "domain": "pixel",
            "class_id": 1,
            "box_caption": XSS,
            "scores": {"score": 0.2},
        },
        {
            "position": {"minX": 15, "maxX": 30, "minY": 5, "maxY": 25},
            "domain": "pixel",
            "class_id": 2,
            "scores": {"score": 0.5},
        },
        {
            "position": {"middle": [0.8, 0.5], "width": 0.2, "height": 0.4},
            "class_id": 2,
            "scores": {"score": 0.9},
        },
    ]
    return media.Image(
        pixels,
        caption="digit " + XSS,
        masks={"pred": {"mask_data": mask, "class_labels": {0: "bg", 1: "cat", 2: XSS}}},
        boxes={"det": {"box_data": boxes, "class_labels": {1: "cat", 2: "dog"}}},
    )


def _small_segmented(i: int) -> media.Image:
    mask = np.zeros((16, 16), np.uint8)
    mask[:, 8:] = 1 + i  # item 0 has classes 0, 1; item 1 has 0, 2
    box = {
        "position": {"minX": 1, "maxX": 6, "minY": 1, "maxY": 6},
        "domain": "pixel",
        "class_id": 1,
        "scores": {"p": 0.3 + 0.4 * i},
    }
    return media.Image(
        np.full((16, 16), 200, np.uint8),
        caption=f"seg {i}",
        masks={"m": {"mask_data": mask}},
        boxes={"b": {"box_data": [box]}},
    )


def _log_everything(root: Path) -> str:
    run = media.init(project="rend", dir=str(root), name="all-kinds")
    t = np.linspace(0, AUDIO_SECONDS, int(8000 * AUDIO_SECONDS), endpoint=False)
    for step in range(5):
        row = {"hist": media.Histogram(np.random.default_rng(step).normal(step, 1, 2000))}
        if step == 0:
            row["img"] = _image_with_layers()
            row["grid"] = [
                media.Image(np.full((8, 8), 60 * i, np.uint8), caption=f"item {i}")
                for i in range(3)
            ]
            row["audio"] = media.Audio(
                0.5 * np.sin(2 * math.pi * 440 * t) * np.linspace(0, 1, t.size),
                sample_rate=8000,
                caption="chirp",
            )
            row["note"] = "line one\n" + XSS
            row["seg"] = [_small_segmented(i) for i in range(2)]
            row["table"] = _table()
            row.update(_optional_kinds(root))
        media.log(row)
    media.finish()
    return run.dir


def _table() -> media.Table:
    rows = []
    for i in range(TABLE_ROWS):
        cell = (
            media.Image(np.full((6, 9), 5 * i, np.uint8), caption=f"thumb {i}") if i < 3 else None
        )
        rows.append(
            [i, f"row-{i}" if i != 7 else XSS, round((i * 37 % TABLE_ROWS) / TABLE_ROWS, 4), cell]
        )
    return media.Table(columns=["id", "name", "score", "picture"], data=rows)


def _optional_kinds(root: Path) -> dict:
    out: dict = {}
    try:
        import imageio_ffmpeg  # noqa: F401

        frames = np.random.default_rng(1).integers(0, 255, (8, 3, 32, 48), dtype=np.uint8)
        out["video"] = media.Video(frames, fps=4, caption="noise")
    except ImportError:
        pass
    pts = np.random.default_rng(2).normal(size=(500, 3))
    cats = (np.arange(500) % 3).reshape(-1, 1)
    box = media.box3d(
        center=(0, 0, 0),
        size=(2, 1, 1),
        orientation=(1, 0, 0, 0),
        color=(255, 0, 0),
        label=XSS,
        score=0.7,
    )
    out["cloud"] = media.Object3D(
        {
            "type": "lidar/beta",
            "points": np.hstack([pts, cats]),
            "boxes": [box, media.box3d((3, 0, 0), (1, 1, 1), (1, 0, 0, 0), (0, 0, 255), label="b")],
            "vectors": [{"start": [0, 0, 0], "end": [1, 2, 3]}],
        }
    )
    obj = root.parent / "tetra.obj"
    obj.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 3 4\nf 2 3 4\n")
    out["mesh"] = media.Object3D(str(obj))
    rgb = np.hstack(
        [np.random.default_rng(3).normal(size=(50, 3)), np.tile([[255, 0, 0]], (50, 1))]
    )
    out["rgbcloud"] = media.Object3D(rgb)
    import plotly.graph_objects as go

    out["fig"] = go.Figure([go.Scatter(y=[1, 3, 2], name="a"), go.Bar(y=[2, 1, 2], name="b")])
    if importlib.util.find_spec("media.mpl") is not None:  # the matplotlib converter
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        f, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1, 2], [2, 0, 1])
        out["mpl"] = f
        plt.close(f)
    from bokeh.plotting import figure

    p = figure(width=300, height=200, title="bk")
    p.line([0, 1, 2], [1, 0, 2])
    out["bk"] = p
    out["page"] = media.Html(
        "<p id=hello>hello from html</p><script>try { parent.document.title = 'pwned'; }"
        " catch (e) { document.body.setAttribute('data-blocked', '1'); }</script>"
    )
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, str]:
    base = tmp_path_factory.mktemp("renderers")
    run_dir = Path(_log_everything(base / "runs"))
    out = base / "site"
    build_site([base / "runs"], out)
    return out, "rend." + run_dir.name


@pytest.fixture
def run_page(site, site_page):
    out, key = site
    sp = site_page(out)
    sp.open_run(key, "step=0")
    sp.wait_cursor(0)
    # the Bokeh frame reports its height once drawn, which moves the panels below it: the tests
    # click in those panels once the page has settled
    sp.page.wait_for_selector(".mb-bokeh-root[data-ready='1']")
    return sp


def panel(sp, key: str) -> str:
    return f'article.panel[data-key="{key}"] .panel-body'


def viewport_shot(page, label: str) -> None:
    """The lightbox and dialogs are position: fixed, so a full-page shot would miss them."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"renderers-{label}.png"))


def element_png(sp, selector: str) -> np.ndarray:
    from PIL import Image

    png = sp.page.locator(selector).first.screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_image_size_value_range_and_lightbox(run_page):
    sp, page = run_page, run_page.page
    img = f"{panel(sp, 'img')} img.mb-img"
    page.wait_for_function(f"document.querySelector({img!r}).naturalWidth > 0")
    size = page.eval_on_selector(img, "i => [i.naturalWidth, i.naturalHeight]")
    assert size == [40, 30]
    meta = page.inner_text(f"{panel(sp, 'img')} .mb-meta")
    assert "mapped [-0.42, 2.82] \u2192 0..255" in meta and "40\u00d730" in meta
    assert page.inner_text(f"{panel(sp, 'img')} .mb-caption") == "digit " + XSS

    page.click(f"{panel(sp, 'img')} .mb-img-stage")
    lb = ".mb-lightbox .mb-img-stage"
    page.wait_for_selector(lb)
    # fitted to the 1280x800 window by a whole factor, at most 16 (tests/viewer/test_image_defaults.py)
    assert page.eval_on_selector(lb, "s => s.getBoundingClientRect().width") == pytest.approx(
        640, abs=0.5
    )
    page.click(".mb-lightbox .mb-lb-1to1")
    assert page.eval_on_selector(lb, "s => s.getBoundingClientRect().width") == pytest.approx(
        40, abs=0.5
    )
    page.click(".mb-lightbox .mb-lb-in")
    assert page.eval_on_selector(lb, "s => s.getBoundingClientRect().width") == pytest.approx(
        80, abs=0.5
    )
    assert page.inner_text(".mb-lb-zoom") == "200%"
    viewport_shot(page, "lightbox")
    page.keyboard.press("Escape")
    assert page.locator(".mb-lightbox").count() == 0


def test_mask_toggle_and_opacity_change_pixels(run_page):
    sp, page = run_page, run_page.page
    stage = f"{panel(sp, 'img')} > figure .mb-img-stage"
    page.wait_for_function(
        f"document.querySelector('{panel(sp, 'img')} img.mb-img').naturalWidth > 0"
    )
    ids = page.eval_on_selector_all(
        f"{panel(sp, 'img')} .mb-mask-layer input", "xs => xs.map(x => x.dataset.classId)"
    )
    assert ids == ["0", "1", "2"]
    # class 0 is "bg": hidden until ticked (tests/viewer/test_image_defaults.py)
    assert not page.is_checked(f"{panel(sp, 'img')} .mb-mask-layer input[data-class-id='0']")
    # hide the boxes so only the mask changes the pixels
    for cid in ("1", "2"):
        page.uncheck(f"{panel(sp, 'img')} .mb-box-layer input[data-class-id='{cid}']")
    before = element_png(sp, stage)
    page.uncheck(f"{panel(sp, 'img')} .mb-mask-layer input[data-class-id='1']")
    after = element_png(sp, stage)
    h, w = before.shape[:2]
    right = np.abs(before[:, w // 2 + 4 :] - after[:, w // 2 + 4 :]).sum(axis=2)
    left_top = np.abs(before[: h // 2, : w // 2 - 4] - after[: h // 2, : w // 2 - 4]).sum(axis=2)
    assert (right > 30).mean() > 0.9, "class 1 (right half) must change when toggled off"
    assert (left_top > 30).mean() < 0.01, "class 0 must stay as it was"
    page.check(f"{panel(sp, 'img')} .mb-mask-layer input[data-class-id='0']")
    after = element_png(sp, stage)
    left_top = np.abs(before[: h // 2, : w // 2 - 4] - after[: h // 2, : w // 2 - 4]).sum(axis=2)
    assert (left_top > 30).mean() > 0.9, "class 0 is drawn once ticked"
    slider = f"{panel(sp, 'img')} .mb-slider input"
    page.eval_on_selector(slider, "s => { s.value = '1'; s.dispatchEvent(new Event('input')); }")
    opaque = element_png(sp, stage)
    assert (
        np.abs(opaque[: h // 2, : w // 2 - 4] - after[: h // 2, : w // 2 - 4]).sum(axis=2).mean()
        > 20
    )
    sp.screenshot("mask")


def test_boxes_follow_class_toggles_and_score_threshold(run_page):
    sp, page = run_page, run_page.page
    visible = f"{panel(sp, 'img')} > figure .mb-box:not([hidden])"
    assert page.locator(visible).count() == 3
    slider = f"{panel(sp, 'img')} .mb-box-layer .mb-slider input"
    page.eval_on_selector(slider, "s => { s.value = '0.6'; s.dispatchEvent(new Event('input')); }")
    assert page.locator(visible).count() == 1
    page.eval_on_selector(slider, "s => { s.value = '0.3'; s.dispatchEvent(new Event('input')); }")
    assert page.locator(visible).count() == 2
    page.uncheck(f"{panel(sp, 'img')} .mb-box-layer input[data-class-id='2']")
    assert page.locator(visible).count() == 0
    labels = page.eval_on_selector_all(
        f"{panel(sp, 'img')} .mb-box-label", "ls => ls.map(l => l.textContent)"
    )
    assert labels[0] == XSS and labels[1] == "dog 0.5"
    assert page.evaluate("window.__pwned") is None


def test_missing_file_after_build_shows_a_placeholder(tmp_path, site_page):
    run = media.init(project="gone", dir=str(tmp_path / "runs"))
    media.log({"gone": media.Image(np.zeros((5, 5), np.uint8))})
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    key = "gone." + Path(run.dir).name
    (tmp_path / "site" / "files" / key / "media" / "gone" / "0_0.png").unlink()
    sp = site_page(tmp_path / "site")
    sp.open_run(key, "step=0")
    sp.wait_cursor(0)
    page = sp.page
    page.wait_for_selector(f"{panel(sp, 'gone')} .placeholder, {panel(sp, 'gone')} .mb-placeholder")
    assert "image file missing: media/gone/0_0.png" in page.inner_text(panel(sp, "gone"))
    # the browser logs the failed load itself; that one line is expected here
    assert sp.bad == ["console error: Failed to load resource: net::ERR_FILE_NOT_FOUND"]
    sp.bad.clear()


def test_media_list_grid(run_page):
    sp, page = run_page, run_page.page
    page.wait_for_function(
        f"[...document.querySelectorAll('{panel(sp, 'grid')} img.mb-img')].every(i => i.naturalWidth === 8)"
    )
    assert page.locator(f"{panel(sp, 'grid')} img.mb-img").count() == 3
    caps = page.eval_on_selector_all(
        f"{panel(sp, 'grid')} .mb-caption", "cs => cs.map(c => c.textContent)"
    )
    assert caps == ["item 0", "item 1", "item 2"]
    page.click(f"{panel(sp, 'grid')} .media-cell[data-index='0'] .mb-img-stage")
    assert page.inner_text(".mb-lb-title").startswith("item 0")
    page.keyboard.press("ArrowRight")
    assert page.inner_text(".mb-lb-title").startswith("item 1 \u2014 8\u00d78 \u2014 2 of 3")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.inner_text(".mb-lb-title").startswith("item 2")
    page.keyboard.press("Escape")
    assert page.locator(".mb-lightbox").count() == 0
    assert page.get_attribute("body", "data-cursor") == "0", (
        "arrows in the lightbox do not move the cursor"
    )


def test_histogram_step_ridgeline_and_heatmap(run_page):
    sp, page = run_page, run_page.page
    plot = f"{panel(sp, 'hist')} .mb-plot"
    canvas = f"{plot} canvas.mb-hist-canvas"
    page.wait_for_selector(canvas)
    assert page.eval_on_selector(canvas, "c => c.dataset.bins") == "64"
    # bars are drawn: some pixels in the plot area are the bar colour
    blue = page.eval_on_selector(canvas, """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] === 31 && d[i+1] === 119 && d[i+2] === 180) n++; return n; }""")
    assert blue > 500
    page.click(f"{panel(sp, 'hist')} .mb-tab[data-mode=heatmap]")
    page.wait_for_function(f"((document.querySelector({plot!r}).data || [])[0] || {{}}).type === 'heatmap'")
    assert page.eval_on_selector(plot, "p => [p.data[0].z.length, p.data[0].y]") == [
        5,
        [0, 1, 2, 3, 4],
    ]
    sp.screenshot("heatmap")
    page.click(f"{panel(sp, 'hist')} .mb-tab[data-mode=ridgeline]")
    page.wait_for_function(f"document.querySelector({plot!r}).data.length === 5")
    names = page.eval_on_selector(plot, "p => p.data.map(t => t.name)")
    assert sorted(names) == [f"step {s}" for s in range(5)]
    sp.screenshot("ridgeline")
    page.click(f"{panel(sp, 'hist')} .mb-tab[data-mode=step]")
    page.wait_for_selector(canvas)
    assert page.locator(f"{plot} .main-svg").count() == 0  # plotly cleared for the canvas


def test_audio_player_waveform_and_facts(run_page):
    sp, page = run_page, run_page.page
    audio = f"{panel(sp, 'audio')} audio"
    page.wait_for_function(f"document.querySelector({audio!r}).readyState >= 1")
    assert page.eval_on_selector(audio, "a => a.duration") == pytest.approx(AUDIO_SECONDS, abs=0.02)
    meta = page.inner_text(f"{panel(sp, 'audio')} .mb-meta")
    assert "8000 Hz" in meta and "mono" in meta and "1.5 s" in meta
    inked = page.eval_on_selector(
        f"{panel(sp, 'audio')} canvas.mb-wave",
        """c => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n / (c.width * c.height); }""",
    )
    assert 0.05 < inked < 0.9, "the envelope grows from silence to half scale"


def test_video_metadata(run_page):
    sp, page = run_page, run_page.page
    if page.locator('article.panel[data-key="video"]').count() == 0:
        pytest.skip("imageio-ffmpeg is not installed: no video logged")
    video = f"{panel(sp, 'video')} video"
    page.wait_for_function(f"document.querySelector({video!r}).readyState >= 1")
    assert page.eval_on_selector(video, "v => [v.videoWidth, v.videoHeight]") == [48, 32]
    meta = page.inner_text(f"{panel(sp, 'video')} .mb-meta")
    assert "4 fps" in meta and "8 frames" in meta and "48\u00d732" in meta


def test_object3d_points_boxes_vectors(run_page):
    sp, page = run_page, run_page.page
    plot = f"{panel(sp, 'cloud')} .mb-plot3d"
    page.wait_for_function(f"(document.querySelector({plot!r}).data || []).length > 0")
    page.wait_for_selector(f"{plot} canvas")
    traces = page.eval_on_selector(
        plot, "p => p.data.map(t => [t.type, t.mode, t.meta || '', (t.x || []).length])"
    )
    points = sum(
        n
        for kind, mode, meta, n in traces
        if kind == "scatter3d" and mode == "markers" and not meta
    )
    assert points == 500
    assert len([t for t in traces if t[2] == "box"]) == 2
    assert all(n == 36 for *_, meta, n in traces if meta == "box"), "12 edges, 3 values each"
    assert len([t for t in traces if t[2] == "vectors"]) == 2
    assert page.evaluate("window.__pwned") is None
    sp.screenshot("object3d")


def test_table_paging_sort_filter_and_cells(run_page):
    sp, page = run_page, run_page.page
    body = panel(sp, "table")
    rows = f"{body} tbody tr"
    assert page.locator(rows).count() == 20
    page.click(f"{body} .mb-page-next")
    page.click(f"{body} .mb-page-next")
    assert page.locator(rows).count() == TABLE_ROWS - 40
    assert page.inner_text(f"{body} .mb-table-info").startswith(
        f"rows 41\u2013{TABLE_ROWS} of {TABLE_ROWS}"
    )
    page.click(f"{body} th[data-col='2']")  # score ascending
    page.click(f"{body} th[data-col='2']")  # descending
    first = page.eval_on_selector_all(
        f"{rows} td:nth-child(4)", "ts => ts.slice(0, 3).map(t => Number(t.textContent))"
    )
    assert first == sorted(first, reverse=True) and first[0] == pytest.approx(44 / 45, abs=1e-3)
    page.fill(f"{body} .mb-table-filter", "row-1")
    page.wait_for_function(
        f"document.querySelectorAll('{rows}').length === 11"
    )  # row-1, row-10..19
    page.fill(f"{body} .mb-table-filter", "onerror")
    page.wait_for_function(f"document.querySelectorAll('{rows}').length === 1")
    assert page.inner_text(f"{rows} td:nth-child(3)") == XSS
    page.fill(f"{body} .mb-table-filter", "")
    page.click(f"{body} th[data-col='0']")
    page.wait_for_function(f"document.querySelector('{body} img.mb-thumb')?.naturalWidth === 9")
    assert page.locator(f"{body} img.mb-thumb").count() == 3
    page.click(f"{body} img.mb-thumb")
    page.wait_for_selector(".mb-modal img.mb-img")
    page.wait_for_function("document.querySelector('.mb-modal img.mb-img').naturalWidth === 9")
    viewport_shot(page, "table-cell")
    page.keyboard.press("Escape")
    assert page.locator(".mb-modal").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_plotly_matplotlib_and_bokeh(run_page):
    sp, page = run_page, run_page.page
    keys = [("fig", 2)] + (
        [("mpl", 1)] if page.locator('article.panel[data-key="mpl"]').count() else []
    )
    for key, n in keys:
        plot = f"{panel(sp, key)} .mb-plot"
        page.wait_for_function(f"(document.querySelector({plot!r}).data || []).length >= {n}")
        assert page.locator(f"{plot} .main-svg").count() >= 1
    assert page.eval_on_selector(
        f"{panel(sp, 'fig')} .mb-plot", "p => p.data.map(t => t.type)"
    ) == ["scatter", "bar"]
    if len(keys) > 1:
        assert "from matplotlib" in page.inner_text(f"{panel(sp, 'mpl')} .mb-meta")
    root = f"{panel(sp, 'bk')} .mb-bokeh-root"
    page.wait_for_selector(f"{root}[data-ready='1']")
    frame_el = page.locator(f"{root} iframe")
    assert frame_el.get_attribute("sandbox") == "allow-scripts"  # drawn as untrusted content
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_function(  # a canvas drawn by BokehJS, somewhere in its nested shadow roots
        """() => { const walk = n => n.tagName === 'CANVAS' ||
            [...(n.shadowRoot ? n.shadowRoot.children : []), ...n.children].some(walk);
          return walk(document.body); }"""
    )
    assert page.evaluate("typeof window.Bokeh") == "undefined"  # BokehJS never runs in the page
    sp.screenshot("plots")


def test_html_is_sandboxed_and_text_is_text(run_page):
    sp, page = run_page, run_page.page
    frame_el = page.locator(f"{panel(sp, 'page')} iframe")
    assert frame_el.get_attribute("sandbox") == "allow-scripts"
    handle = frame_el.element_handle()
    frame = handle.content_frame()
    frame.wait_for_selector("body[data-blocked='1']")
    assert frame.inner_text("#hello") == "hello from html"
    assert page.title() != "pwned"
    assert page.inner_text(f"{panel(sp, 'note')} pre.mb-text") == "line one\n" + XSS
    assert page.evaluate("window.__pwned") is None


def test_state_survives_step_changes(run_page):
    sp, page = run_page, run_page.page
    page.click(f"{panel(sp, 'hist')} .mb-tab[data-mode=heatmap]")
    sp.page.keyboard.press("End")
    sp.wait_cursor(4)
    plot = f"{panel(sp, 'hist')} .mb-plot"
    page.wait_for_function(
        f"(document.querySelector({plot!r}).data || [])[0] && "
        f"document.querySelector({plot!r}).data[0].type === 'heatmap'"
    )
    shapes = page.eval_on_selector(plot, "p => p.layout.shapes.map(s => s.y0)")
    assert shapes == [4], "the current step is marked"
    sp.screenshot("full")


def test_image_list_shares_one_set_of_controls(run_page):
    sp, page = run_page, run_page.page
    body = panel(sp, "seg")
    assert page.locator(f"{body} .mb-controls").count() == 1
    ids = page.eval_on_selector_all(
        f"{body} .mb-mask-layer input", "xs => xs.map(x => x.dataset.classId)"
    )
    assert ids == ["0", "1", "2"], "class ids merged over the items"
    tables = f"{body} .mb-mask-alpha"
    alpha = "es => es.map(e => e.getAttribute('tableValues').split(' ').slice(0, 3))"
    # no labels at all: id 0 (the usual background) starts hidden, the others shown
    assert page.eval_on_selector_all(tables, alpha) == [["0", "0.5", "0.5"]] * 2
    page.check(f"{body} .mb-mask-layer input[data-class-id='0']")
    assert page.eval_on_selector_all(tables, alpha) == [["0.5", "0.5", "0.5"]] * 2
    page.uncheck(f"{body} .mb-mask-layer input[data-class-id='0']")
    assert page.eval_on_selector_all(tables, alpha) == [["0", "0.5", "0.5"]] * 2
    before = element_png(sp, f"{body} .media-cell[data-index='1'] .mb-img-stage")
    page.uncheck(f"{body} .mb-mask-layer input[data-class-id='2']")
    after = element_png(sp, f"{body} .media-cell[data-index='1'] .mb-img-stage")
    assert np.abs(before - after).sum(axis=2).max() > 30, "the second image's pixels change"
    visible = f"{body} .mb-box:not([hidden])"
    assert page.locator(visible).count() == 2
    page.eval_on_selector(
        f"{body} .mb-box-layer .mb-slider input",
        "s => { s.value = '0.5'; s.dispatchEvent(new Event('input')); }",
    )
    assert page.locator(visible).count() == 1
    assert "maskOff" in page.evaluate("decodeURIComponent(location.hash)"), "state kept in the URL"
    sp.screenshot("seg")


def test_object3d_mesh_and_rgb_points(run_page):
    sp, page = run_page, run_page.page
    mesh = f"{panel(sp, 'mesh')} .mb-plot3d"
    page.wait_for_function(f"(document.querySelector({mesh!r}).data || []).length > 0")
    got = page.eval_on_selector(
        mesh, "p => [p.data[0].type, p.data[0].x.length, p.data[0].i.length]"
    )
    assert got == ["mesh3d", 4, 4]
    cloud = f"{panel(sp, 'rgbcloud')} .mb-plot3d"
    page.wait_for_function(f"(document.querySelector({cloud!r}).data || []).length > 0")
    colours = page.eval_on_selector(cloud, "p => [...new Set(p.data[0].marker.color)]")
    assert colours == ["rgb(255,0,0)"]


def test_a_matplotlib_legend_scales_with_the_drawn_figure(tmp_path, site_page):
    """A converted matplotlib figure drawn narrower than its own width keeps its legend in
    proportion (the legend's text is scaled with the figure), so it covers no more of the data."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f, ax = plt.subplots(figsize=(10, 3))  # 1,000 px wide at 100 dpi: wider than a panel
    ax.plot([0, 1, 2], [1, 3, 2], label="first")
    ax.plot([0, 1, 2], [2, 1, 3], label="second")
    ax.legend()
    media.init(project="p", id="mpl", dir=str(tmp_path / "runs"))
    media.log({"fig": f})
    plt.close(f)
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site", width=1000)
    sp.open_run("p.mpl")
    plot = "article.panel[data-key=fig] .mb-plot"
    sp.page.wait_for_function(f"() => document.querySelector({plot!r})?._fullLayout?.legend")
    own = sp.page.evaluate(f"document.querySelector({plot!r})._fullLayout.width")
    size = sp.page.evaluate(f"document.querySelector({plot!r})._fullLayout.legend.font.size")
    assert own < 1000
    assert size == pytest.approx(13.89 * max(0.6, own / 1000), abs=0.05)
