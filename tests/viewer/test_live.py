"""Live pages (docs/viewer.md, "Live pages"): an open page follows runs while they are written,
from file:// with no reload: `mediaboard watch` rebuilds, the page polls data/live.js."""

from __future__ import annotations

import time

import numpy as np
import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser


def _img(v: int) -> media.Image:
    return media.Image(np.full((8, 8, 3), v, np.uint8))


def _until(page, selector: str, timeout: float = 5.0) -> float:
    """Seconds until ``selector`` is in the page (it must come within ``timeout``)."""
    t0 = time.perf_counter()
    page.wait_for_selector(selector, timeout=timeout * 1000, state="attached")
    return time.perf_counter() - t0


def _written(run_dir, key: str, step: int) -> None:
    """Wait until the writer's encoder has put ``key`` at ``step`` on disk (as `watch` would see
    it on one of its next rounds)."""
    deadline = time.time() + 10
    while time.time() < deadline:
        if any(s == step for s, _ in media.open_run(run_dir).media(key)):
            return
        time.sleep(0.02)
    raise AssertionError(f"{key}@{step} never written")


def test_an_open_index_and_run_page_follow_a_run_being_written(tmp_path, site_page):
    root, site = tmp_path / "runs", tmp_path / "site"
    root.mkdir()
    build_site([root], site)  # the site exists before the run: `mediaboard watch` on an empty root
    sp = site_page(site)
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    assert "No runs in this site yet" in page.inner_text("#runs-empty")
    assert "media.init(" in page.inner_text("#runs-empty pre")  # how to log a first one
    sp.screenshot("empty")

    run = media.init(project="p", id="live", dir=str(root))
    media.log({"loss": 1.0}, step=0, commit=True)
    build_site([root], site)
    latency = [_until(page, "tr[data-run='p.live']")]
    assert page.inner_text("tr[data-run='p.live'] .status") == "running"
    assert page.locator("tr[data-run='p.live'] td.ticking").count() == 1  # the duration ticks
    assert page.inner_text("#runs-empty") == ""

    # the run page, opened before the run logs any media: it gets its first image, then follows
    page.click("tr[data-run='p.live'] a")
    page.wait_for_selector("body[data-ready=run]")
    assert page.locator("article.panel").count() == 0
    media.log({"loss": 0.8, "img": _img(10)}, step=1, commit=True)
    _written(run.dir, "img", 1)
    build_site([root], site)
    latency.append(_until(page, "article.panel[data-key=img] img"))
    page.wait_for_selector("body[data-cursor='1']")
    assert page.is_checked("#cursor-follow")
    for s in range(2, 5):
        media.log({"loss": 1.0 / (s + 1), "img": _img(40 * s)}, step=s, commit=True)
    _written(run.dir, "img", 4)
    build_site([root], site)
    latency.append(_until(page, "body[data-cursor='4']"))  # the cursor followed to the newest step
    assert page.inner_text(".run-head .run-rows") == "5"
    page.wait_for_selector("figure.chart-fig:has(.chart[data-key=loss]) .chart-note:text('5 points')")
    assert "step=last" in page.url
    sp.screenshot("following")

    # a cursor moved back stays where it is while new steps come, and says it is not following
    page.evaluate("MB.cursor.set(2)")
    page.wait_for_selector("body[data-cursor='2']")
    assert not page.is_checked("#cursor-follow")
    media.log({"loss": 0.1, "img": _img(250)}, step=5, commit=True)
    _written(run.dir, "img", 5)
    build_site([root], site)
    _until(page, ".run-head .run-rows:text('6')")
    page.wait_for_selector("body[data-cursor='2']")
    assert page.get_attribute("#cursor", "max") == "4"  # six steps with media: 0..4 on the slider
    page.check("#cursor-follow")
    page.wait_for_selector("body[data-cursor='5']")

    media.finish()
    build_site([root], site)
    _until(page, ".run-head .status-finished")
    assert page.locator(".run-head .ticking").count() == 0
    # the index, back again, says finished
    page.click("#crumbs a[href='#/']")
    page.wait_for_selector("tr[data-run='p.live'] .status-finished")
    assert max(latency) < 3.0, latency
    print(f"live latency after each build: {', '.join(f'{x:.2f} s' for x in latency)}")


def test_mediaboard_watch_keeps_an_open_compare_page_current(tmp_path, site_page):
    """The real `mediaboard watch` (a child process) and the compare page: a new step of one run
    shows up in the grid and in the charts without a reload."""
    import subprocess
    import sys

    root, site = tmp_path / "runs", tmp_path / "site"
    runs = {}
    for rid in ("a", "b"):
        runs[rid] = media.init(project="p", id=rid, dir=str(root))
        media.log({"loss": 1.0, "img": _img(5)}, step=0, commit=True)
        _written(runs[rid].dir, "img", 0)
        if rid == "a":
            media.finish()
    # b keeps running: it is the active run below
    build_site([root], site)
    watch = subprocess.Popen([sys.executable, "-m", "viewer", "watch", str(root), "-o", str(site),
                              "--interval", "0.5"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        sp = site_page(site)
        sp.open("#/compare?runs=p.a,p.b", wait="body[data-ready=compare]")
        page = sp.page
        page.wait_for_selector("body[data-cursor='0']")
        assert page.is_checked("#cursor-follow")
        media.log({"loss": 0.5, "img": _img(200)}, step=1, commit=True)
        t0 = time.perf_counter()
        page.wait_for_selector("body[data-cursor='1']", timeout=8000)
        took = time.perf_counter() - t0
        cell = page.locator(".cmp-cell[data-run='p.b'][data-key=img]")
        assert cell.get_attribute("data-step") == "1"
        # the finished run holds its last step, the running one shows its new one
        assert page.locator(".cmp-cell[data-run='p.a'][data-key=img]").get_attribute("data-step") == "0"
        sp.screenshot("compare")
        assert took < 4.0, took  # a watch round (0.5 s) + the page's poll (1 s) + drawing
        print(f"compare page caught up {took:.2f} s after log()")
    finally:
        watch.terminate()
        watch.wait(10)
        media.finish()


def test_a_new_view_opens_at_its_top(tmp_path, site_page):
    root = tmp_path / "runs"
    media.init(project="p", id="tall", dir=str(root))
    for s in range(3):
        media.log({f"k{i}": float(i * s) for i in range(30)}, step=s)  # 30 charts: a long page
    media.finish()
    for i in range(60):  # a long index too: it is drawn at once, so it would keep the old scroll
        media.init(project="p", id=f"r{i:02d}", dir=str(root))
        media.log({"x": i})
        media.finish()
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site", height=600)
    sp.open_run("p.tall")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 500
    page.evaluate("location.hash = '#/'")  # as a link in the page would (a click would scroll first)
    page.wait_for_selector("body[data-ready=index]")
    assert page.evaluate("window.scrollY") == 0


def test_an_open_report_follows_its_runs(tmp_path, site_page):
    """`mediaboard report --watch` rebuilds; an open report redraws the panels of the runs that
    changed: the chart gets the new points and the media panel its new newest step."""
    from viewer import report

    root, out = tmp_path / "runs", tmp_path / "out"
    run = media.init(project="p", id="r", dir=str(root))
    media.log({"loss": 1.0, "img": _img(10)}, step=0, commit=True)
    _written(run.dir, "img", 0)
    md = tmp_path / "r.md"
    md.write_text("# Live\n\n```mediaboard\nchart: loss\nruns: p/r\n```\n\n```mediaboard\nmedia: img\nrun: p/r\n```\n")
    assert report.main([str(md), "-o", str(out), "--runs", str(root), "-q"]) == 0
    sp = site_page(out)
    sp.page.goto((out / "report.html").as_uri())
    page = sp.page
    page.wait_for_selector("body[data-report=ready]")
    assert page.evaluate("document.querySelector('figure.mb-panel .chart').data[0].y.length") == 1
    for s in (1, 2, 3):
        media.log({"loss": 1.0 / (s + 1), "img": _img(10 + 40 * s)}, step=s, commit=True)
    _written(run.dir, "img", 3)
    assert report.main([str(md), "-o", str(out), "--runs", str(root), "-q", "--watch", "--interval", "0",
                        "--rounds", "2"]) == 0
    t0 = time.perf_counter()
    page.wait_for_function("document.querySelector('figure.mb-panel .chart')?.data?.[0]?.y?.length === 4", timeout=5000)
    latency = time.perf_counter() - t0
    media_fig = page.locator("figure.mb-panel").nth(1)
    page.wait_for_function("document.querySelectorAll('figure.mb-panel')[1].getAttribute('data-cursor') === '3'", timeout=5000)
    assert media_fig.locator("img").count() >= 1
    assert latency < 3.0
    media.finish()
    sp.screenshot()
