"""Charts that work with the cursor (docs/viewer.md): a line at the cursor's step on every chart of
the step, a click on a point moves the cursor, hover lists every run, titles clear of the mode bar,
readable log axes."""

from __future__ import annotations

import numpy as np
import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser


def line_on_point(page, chart: str, step: int) -> None:
    """Wait until the chart's cursor line marks ``step`` and stands on the x of that step's point."""
    page.wait_for_function(f"() => (document.querySelector('{chart}').parentNode"
                           f".querySelector('.mb-cursor-line:not([hidden])') || {{}}).dataset?.step === '{step}'")
    line = page.locator(chart).locator("xpath=..").locator(".mb-cursor-line").bounding_box()
    point = page.locator(chart).locator("path.point").nth(step).bounding_box()
    assert abs(line["x"] - (point["x"] + point["width"] / 2)) <= 1.5, (line, point)
    plot = page.locator(chart).locator(".nsewdrag").first.bounding_box()  # the plot area
    assert abs(line["y"] - plot["y"]) <= 1 and abs(line["height"] - plot["height"]) <= 1, (line, plot)


@pytest.fixture(scope="module")
def cursor_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("charts_cursor")
    root = base / "runs"
    for rid, scale in (("a", 1.0), ("b", 2.0)):
        media.init(project="p", id=rid, dir=str(root))
        for s in range(6):
            media.log({"loss": scale * 10.0 ** (-s / 2), "img": media.Image(np.full((8, 8), 40 * s, np.uint8))}, step=s)
        media.finish()
    build_site([root], base / "site")
    return base / "site"


def test_run_page_charts_mark_and_move_the_cursor(cursor_site, site_page):
    sp = site_page(cursor_site)
    sp.open_run("p.a", "step=0")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    sp.wait_cursor(0)
    chart = page.locator(".chart[data-key=loss]")
    page.wait_for_function("() => document.querySelector('.chart[data-key=loss]').layout")
    layout = page.evaluate("document.querySelector('.chart[data-key=loss]').layout")
    assert layout["hovermode"] == "x unified"
    assert layout["title"]["xanchor"] == "left"
    line_on_point(page, ".chart[data-key=loss]", 0)
    # the cursor moves: the line follows
    page.evaluate("MB.cursor.set(3)")
    sp.wait_cursor(3)
    line_on_point(page, ".chart[data-key=loss]", 3)
    # a click on the point of step 4 moves the cursor there
    chart.scroll_into_view_if_needed()
    box = chart.locator("path.point").nth(4).bounding_box()  # plotly's drag layer takes the click
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    sp.wait_cursor(4)
    # log y over 2.5 decades: 1, 2, 5 in each decade, not every digit
    page.check("#log-y")
    page.wait_for_function("() => document.querySelector('.chart[data-key=loss]').layout.yaxis.type === 'log'")
    assert page.evaluate("document.querySelector('.chart[data-key=loss]').layout.yaxis.dtick") == "D2"
    sp.screenshot()


def test_compare_charts_hover_every_run_and_follow_the_cursor(cursor_site, site_page):
    sp = site_page(cursor_site)
    sp.open("#/compare?runs=p.a,p.b", wait="body[data-ready=compare]")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    sel = ".cmp-charts .chart[data-key=loss]"
    page.wait_for_selector(sel)
    layout = page.evaluate(f"document.querySelector('{sel}').layout")
    assert layout["hovermode"] == "x unified"
    page.evaluate("MB.cursor.set(5)")
    sp.wait_cursor(5)
    page.locator(sel).scroll_into_view_if_needed()
    line_on_point(page, sel, 5)
    # hovering a step lists both runs
    page.locator(sel).scroll_into_view_if_needed()
    box = page.locator(sel).locator("path.point").nth(2).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".hoverlayer .legend")
    assert page.locator(".hoverlayer .legend .traces").count() == 2  # one line per run
    sp.screenshot()


def test_a_drag_draws_heavy_panels_once_when_it_settles(tmp_path, site_page):
    """Dragging the cursor over 30 steps, one step a frame: light panels follow the drag, plotly
    (like bokeh and 3-D) panels are drawn once, at the step where the drag stops."""
    pytest.importorskip("plotly")
    import plotly.graph_objects as go

    root = tmp_path / "runs"
    media.init(project="p", id="drag", dir=str(root))
    for s in range(30):
        media.log({"img": media.Image(np.full((8, 8), s * 8, np.uint8)),
                   "fig": media.Plotly(go.Figure(go.Scatter(x=[0, 1], y=[s, 0])))}, step=s)
    media.finish()
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.drag", "step=0")
    page = sp.page
    sp.wait_cursor(0)
    page.wait_for_selector("article.panel[data-key=fig] .js-plotly-plot")
    page.evaluate("""() => { window.__renders = {}; const orig = MB.render;
      MB.render = function (el, stub, ctx) { const k = stub && stub._type; window.__renders[k] = (window.__renders[k] || 0) + 1;
        return orig.apply(this, arguments); }; }""")
    page.evaluate("""async () => { const s = document.getElementById('cursor');
      for (let i = 1; i < 30; i++) { s.value = String(i); s.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise(r => requestAnimationFrame(r)); }
      s.dispatchEvent(new Event('change', { bubbles: true })); }""")
    sp.wait_cursor(29)
    page.wait_for_selector("article.panel[data-key=fig][data-step='29'] .js-plotly-plot")
    renders = page.evaluate("window.__renders")
    assert renders.get("plotly") == 1, renders  # once, where the drag stopped
    assert renders.get("image", 0) >= 10, renders  # the light panel followed the drag


def test_a_3d_panel_keeps_its_scene_and_camera_across_steps(tmp_path, site_page):
    """A new step redraws the 3-D panel in the scene it has (Plotly.react on the same element,
    the same WebGL context), so the camera the user turned to stays."""
    root = tmp_path / "runs"
    media.init(project="p", id="pc", dir=str(root))
    rng = np.random.default_rng(0)
    for s in range(3):
        media.log({"cloud": media.Object3D(rng.normal(size=(200, 3)) + s)}, step=s)
    media.finish()
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.pc", "step=0")
    page = sp.page
    sp.wait_cursor(0)
    plot = "article.panel[data-key=cloud] .mb-plot3d"
    page.wait_for_function(f"() => document.querySelector('{plot}')?._fullLayout?.scene")
    page.evaluate(f"""() => {{ const p = document.querySelector('{plot}'); p.__mark = 'first';
        return Plotly.relayout(p, {{'scene.camera.eye': {{x: 0.1, y: 2.2, z: 0.3}}}}); }}""")
    page.evaluate("MB.cursor.set(2)")
    sp.wait_cursor(2)
    page.wait_for_function(  # step 2's points (shifted by 2)
        f"() => {{ const x = document.querySelector('{plot}').data[0].x; return x.reduce((a, b) => a + b) / x.length > 1.5; }}")
    assert page.evaluate(f"document.querySelector('{plot}').__mark") == "first"
    eye = page.evaluate(f"document.querySelector('{plot}')._fullLayout.scene.camera.eye")
    assert eye == {"x": 0.1, "y": 2.2, "z": 0.3}
