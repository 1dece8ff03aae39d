"""The site in a real browser (Chromium via Playwright, file://): index, run page, the one cursor,
URL-hash state, escaping. Outside requests and console errors fail every test (see conftest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    """Two runs: 'alpha' logs images every 2 steps and text every 3 steps; 'beta' has XSS strings."""
    base = tmp_path_factory.mktemp("pages")
    root = base / "runs"
    media.init(project="proj", dir=str(root), name="alpha", id="alpha", config={"lr": 0.1, "depth": 3},
               tags=["baseline"], group="g1")
    for s in range(10):
        row = {"train/loss": 1 / (s + 1), "train/acc": s / 10, "epoch": s // 5}
        if s % 2 == 0:
            row["img"] = media.Image(np.full((8, 12, 3), s * 20, np.uint8), caption=f"img at {s}")
        if s % 3 == 0:
            row["note"] = f"text at {s}"
        media.log(row, step=s)
    media.finish()
    media.init(project="other", dir=str(root), name=XSS, id="beta", config={"evil": XSS}, notes=XSS,
               group="g2")
    media.log({XSS: 1.0, "cap": media.Image(np.zeros((4, 4), np.uint8), caption=XSS), "txt": XSS})
    media.finish()
    out = base / "site"
    build_site([root], out)
    return {"site": out, "alpha": "proj.alpha", "beta": "other.beta"}


def test_index_lists_sorts_filters_and_groups(site, site_page):
    sp = site_page(site["site"])
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    assert page.title() == "Runs — mediaboard"
    rows = page.locator("#runs-table tbody tr[data-run]")
    assert rows.count() == 2
    headers = page.locator("#runs-table thead th").all_inner_texts()
    assert any("config.lr" in t for t in headers) and any("summary.train/loss" in t for t in headers)
    page.locator("button.sort[data-col=name]").click()
    first = page.locator("#runs-table tbody tr[data-run]").first.get_attribute("data-run")
    page.locator("button.sort[data-col=name]").click()
    assert page.locator("#runs-table tbody tr[data-run]").first.get_attribute("data-run") != first
    page.fill("input.filter", "baseline")
    assert page.locator("#runs-table tbody tr[data-run]").count() == 1
    assert "filter=baseline" in page.url
    page.fill("input.filter", "")
    page.select_option("select[aria-label='Group runs by']", "project")
    assert page.locator("tr.group-row").count() == 2
    page.locator("tr[data-run='proj.alpha'] input[type=checkbox]").check()
    assert "sel=proj.alpha" in page.url
    sp.screenshot()
    page.goto(page.url)  # the selection and grouping come back from the hash
    page.reload()
    page.wait_for_selector("body[data-ready=index]")
    assert page.locator("tr[data-run='proj.alpha'] input[type=checkbox]").is_checked()
    assert page.locator("tr.group-row").count() == 2


def test_run_page_charts_and_overview(site, site_page):
    sp = site_page(site["site"])
    sp.open_run(site["alpha"])
    page = sp.page
    assert page.title() == "alpha — proj — mediaboard"
    page.wait_for_selector("body[data-charts=ready]")
    page.locator('.chart[data-key="train/loss"]').scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.chart[data-key=\"train/loss\"] .main-svg') !== null")
    n = page.evaluate("document.querySelector('.chart[data-key=\"train/loss\"]').data[0].y.length")
    assert n == 10
    assert page.locator("details[data-section=train]").count() == 1
    # config, summary and files sit folded below the charts and media; opening them is kept in the URL
    assert not page.locator("table.kv[aria-label=config]").is_visible()
    page.locator("details.overview > summary").click()
    assert "lr" in page.locator("table.kv[aria-label=config]").inner_text()
    page.wait_for_function("location.hash.includes('fold=overview')")  # the toggle event comes a task later
    # x-axis by another logged key, smoothing and log-y go to the hash and redraw
    page.select_option("#x-axis", "epoch")
    page.locator("#log-y").check()
    page.wait_for_function("document.querySelector('.chart[data-key=\"train/loss\"]').layout.yaxis.type === 'log'")
    xs = page.evaluate("document.querySelector('.chart[data-key=\"train/loss\"]').data[0].x")
    assert xs == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert "x=epoch" in page.url and "logy=1" in page.url
    sp.screenshot()


def panel_label(page, key: str) -> str:
    return page.locator(f"article.panel[data-key='{key}'] .panel-step").inner_text()


def test_one_cursor_moves_every_panel(site, site_page):
    sp = site_page(site["site"])
    sp.open_run(site["alpha"], "step=0")
    page = sp.page
    sp.wait_cursor(0)
    # steps with media: union of img (0,2,4,6,8) and note (0,3,6,9)
    assert page.evaluate("MB.cursor.steps") == [0, 2, 3, 4, 6, 8, 9]
    page.fill("#cursor-step", "5")
    page.press("#cursor-step", "Enter")
    sp.wait_cursor(4)  # 5 was not logged by anything: nearest earlier cursor step
    assert "step 4" in panel_label(page, "img")
    assert "showing step 3 (nearest earlier)" in panel_label(page, "note")
    assert page.locator("article.panel[data-key=note] .panel-body").inner_text().strip() == "text at 3"
    img = page.locator("article.panel[data-key=img] img").first
    assert "4_0.png" in img.get_attribute("src")
    # keyboard arrows move the one cursor
    page.locator("main").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    sp.wait_cursor(6)
    assert "step 6 · 4 of 5 logged" in panel_label(page, "img")
    assert "step 6 · 3 of 4 logged" in panel_label(page, "note")
    page.keyboard.press("End")
    sp.wait_cursor(9)
    assert "showing step 8 (nearest earlier)" in panel_label(page, "img")
    page.wait_for_function(
        "document.querySelector('article.panel[data-key=img] img').naturalWidth === 12")
    page.keyboard.press("Home")
    sp.wait_cursor(0)
    # the slider too
    page.locator("#cursor").fill("3")
    sp.wait_cursor(4)
    sp.screenshot()


def test_hash_restores_the_view(site, site_page):
    sp = site_page(site["site"])
    sp.open_run(site["alpha"], "step=6&x=_runtime&smooth=0.5&mk=img")
    page = sp.page
    sp.wait_cursor(6)
    assert page.locator("#cursor-step").input_value() == "6"
    assert page.locator("#x-axis").input_value() == "_runtime"
    assert page.locator("#smoothing").input_value() == "0.5"
    assert page.locator("article.panel[data-key=note]").is_hidden()
    page.wait_for_selector("body[data-charts=ready]")
    page.locator('.chart[data-key="train/acc"]').scroll_into_view_if_needed()
    page.wait_for_function("(document.querySelector('.chart[data-key=\"train/acc\"]').data || []).length === 2")


def test_injected_markup_never_executes(site, site_page):
    sp = site_page(site["site"])
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    assert XSS in page.locator("#runs-table").inner_text()
    sp.open_run(site["beta"], "step=0")
    sp.wait_cursor(0)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("article.panel").count() >= 2
    assert XSS in page.locator("h1 .run-name").inner_text()
    assert page.title().startswith(XSS)
    assert page.locator(f"article.panel[data-key='{XSS}']").count() == 0  # a scalar key: a chart
    assert page.evaluate("window.__pwned") is None
    sp.screenshot()


def test_phone_width_layout(site, site_page):
    sp = site_page(site["site"], width=390, height=844)
    sp.open_run(site["alpha"], "step=0")
    sp.wait_cursor(0)
    page = sp.page
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    sp.screenshot("phone")
    sp.open("", wait="body[data-ready=index]")
    sp.screenshot("phone-index")


def test_missing_file_and_unknown_run_show_placeholders(tmp_path, site_page):
    root = tmp_path / "runs"
    run = media.init(project="p", dir=str(root), id="m")
    media.log({"img": media.Image(np.zeros((4, 4), np.uint8))})
    media.log({"img": media.Image(np.ones((4, 4), np.uint8))})
    media.finish()
    (Path(run.dir) / "media" / "img" / "1_0.png").unlink()
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.m", "step=1")
    sp.wait_cursor(1)
    assert "file missing: media/img/1_0.png" in sp.page.locator("article.panel[data-key=img]").inner_text()
    sp.open("#/run/nope")
    sp.page.wait_for_selector("body[data-ready=error]")
    assert "Could not load run nope" in sp.page.locator("main").inner_text()
    sp.bad = [b for b in sp.bad if "run.js" not in b and "ERR_FILE_NOT_FOUND" not in b]


def test_long_series_is_reduced_by_min_max_and_says_so(tmp_path, site_page):
    n = 9000
    media.init(project="p", dir=str(tmp_path / "runs"), id="long")
    for s in range(n):
        media.log({"loss": 5.0 if s == 4321 else float(np.sin(s / 50)), "lr": 0.1}, step=s)
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.long")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    page.wait_for_function("document.querySelector('.chart[data-key=loss]').data !== undefined")
    ys = page.evaluate("document.querySelector('.chart[data-key=loss]').data[0].y")
    assert len(ys) < n and max(ys) == 5.0 and min(ys) == pytest.approx(-1.0, abs=1e-3)  # spike and trough kept
    note = page.locator(".chart[data-key=loss] + .chart-note").inner_text()
    assert f"{n} points, drawn as {len(ys)}" in note and "min and max" in note
    assert page.locator(".chart[data-key=lr] + .chart-note").inner_text().startswith(f"{n} points, drawn as")
    sp.screenshot()


def test_torn_history_is_shown_and_the_rest_of_the_page_works(tmp_path, site_page):
    run = media.init(project="p", dir=str(tmp_path / "runs"), id="torn")
    for s in range(4):
        media.log({"loss": 1 / (s + 1), "t": f"t{s}"})
    media.finish()
    with open(Path(run.dir) / "history.jsonl", "a") as f:
        f.write('{"_step": 9, "loss": 0.')
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.torn", "step=3")
    sp.wait_cursor(3)
    page = sp.page
    alert = page.locator("[role=alert]").inner_text()
    assert "torn" in alert and "history.jsonl" in alert
    assert page.locator("article.panel[data-key=t] .panel-body").inner_text().strip() == "t3"
    page.wait_for_selector("body[data-charts=ready]")
    assert page.evaluate("document.querySelector('.chart[data-key=loss]').data[0].y.length") == 4


def test_reload_restores_the_whole_view(site, site_page):
    sp = site_page(site["site"])
    sp.open_run(site["alpha"], "step=0")
    page = sp.page
    sp.wait_cursor(0)
    page.fill("#cursor-step", "8")
    page.press("#cursor-step", "Enter")
    sp.wait_cursor(8)
    page.wait_for_selector("body[data-charts=ready]")
    page.select_option("#x-axis", "_runtime")
    page.locator("#log-y").check()
    page.fill("section.media input.filter", "im")
    page.evaluate("MB.setPanelState('img', 'zoom', 2)")
    url = page.url
    page.reload()
    page.wait_for_selector("body[data-ready=run]")
    sp.wait_cursor(8)
    assert page.url == url
    assert page.locator("#cursor-step").input_value() == "8"
    assert page.locator("#x-axis").input_value() == "_runtime"
    assert page.locator("#log-y").is_checked()
    assert page.locator("article.panel[data-key=note]").is_hidden()
    assert page.evaluate("MB.panelState('img', 'zoom', 1)") == 2
    assert "step 8" in panel_label(page, "img")
    # the same link in a fresh tab opens the same view
    other = site_page(site["site"])
    other.page.goto(url)
    other.page.wait_for_selector("body[data-cursor='8']")
    assert other.page.locator("#x-axis").input_value() == "_runtime"


def test_slider_is_reachable_by_keyboard_and_steps_with_arrows(site, site_page):
    sp = site_page(site["site"])
    sp.open_run(site["alpha"], "step=0")
    page = sp.page
    sp.wait_cursor(0)
    page.locator("#cursor").focus()
    page.keyboard.press("ArrowRight")
    sp.wait_cursor(2)
    page.keyboard.press("ArrowRight")
    sp.wait_cursor(3)
    assert "showing step 2 (nearest earlier)" in panel_label(page, "img")
    assert "step 3 · 2 of 4 logged" in panel_label(page, "note")
    page.keyboard.press("ArrowLeft")
    sp.wait_cursor(2)
    assert page.evaluate("document.activeElement.id") == "cursor"
    # every control on the page has an accessible name
    unnamed = page.evaluate("""[...document.querySelectorAll('input, select, button')].filter(e =>
        !(e.getAttribute('aria-label') || e.closest('label') || e.textContent.trim())).map(e => e.outerHTML)""")
    assert unnamed == []


def test_every_kind_has_a_renderer_and_no_panel_says_otherwise(tmp_path, site_page):
    from media._registry import KINDS
    from tests.viewer.test_build import _every_kind

    media.init(project="all", dir=str(tmp_path / "runs"), id="kinds", name="every kind")
    for s in range(3):
        media.log({"loss": 1 / (s + 1), **_every_kind()})
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    for width, height in ((1280, 800), (390, 844)):
        sp = site_page(tmp_path / "site", width=width, height=height)
        sp.open_run("all.kinds", "step=1")
        sp.wait_cursor(1)
        page = sp.page
        missing = page.evaluate("k => k.filter(kind => !MB.renderers[kind])", [*KINDS, "text"])
        assert missing == [], f"no renderer for {missing}"
        assert page.locator("article.panel").count() == len(_every_kind())
        assert "no renderer for kind" not in page.locator("section.media").inner_text()
        assert page.locator("section.media .placeholder").count() == 0
        page.wait_for_selector("body[data-charts=ready]")
        page.wait_for_timeout(500)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{overflow}px of sideways scroll at {width}px"
        sp.screenshot("phone" if width < 600 else "")


def test_many_keys_across_chunks_stay_in_step(tmp_path, site_page):
    """30 media keys (more panels than the shard cache holds) over 3 chunks of steps."""
    from viewer.build import CHUNK

    media.init(project="p", dir=str(tmp_path / "runs"), id="many")
    steps = CHUNK * 2 + 10
    for s in range(steps):
        row = {f"k{k:02d}": f"k{k:02d}@{s}" for k in range(30) if s % (1 + k % 3) == 0}
        media.log(row, step=s)
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.many")
    page = sp.page

    def check(step: int) -> None:
        sp.wait_cursor(step)
        texts = page.evaluate("""[...document.querySelectorAll('article.panel')].map(p =>
            [p.dataset.key, p.querySelector('.panel-body').innerText.trim()])""")
        assert len(texts) == 30
        for key, text in texts:
            every = 1 + int(key[1:]) % 3
            assert text == f"{key}@{step - step % every}", (step, key, text)

    for target in (0, CHUNK - 1, CHUNK, CHUNK * 2 + 1, 7, steps - 1):
        page.fill("#cursor-step", str(target))
        page.press("#cursor-step", "Enter")
        check(target)
    page.locator("main").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowLeft")
    check(steps - 2)


def test_next_chunk_is_prefetched_near_a_chunk_edge(tmp_path, site_page):
    """At the end of a chunk the next chunk's shard is loaded while idle; a far jump then back
    still renders the right entries (a late shard never overwrites a newer cursor)."""
    from viewer.build import CHUNK

    media.init(project="p", dir=str(tmp_path / "runs"), id="pre")
    for s in range(CHUNK * 3):
        media.log({"note": f"n@{s}", "other": f"o@{s}"}, step=s)
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.pre", "step=3")
    page = sp.page
    sp.wait_cursor(3)
    loaded = "() => Object.keys(MB.store.shards).map(k => k.split('\\u0000').slice(1).join(':')).sort()"
    page.wait_for_timeout(300)
    assert page.evaluate(loaded) == ["note:0", "other:0"]  # mid-chunk: nothing extra
    page.evaluate(f"MB.cursor.set({CHUNK - 2})")
    sp.wait_cursor(CHUNK - 2)
    page.wait_for_function(f"() => ({loaded})().length === 4", timeout=5000)
    assert page.evaluate(loaded) == ["note:0", "note:1", "other:0", "other:1"]
    # the two keys are logged at the same steps: one script per chunk serves both
    shard_loads = page.evaluate("""[...document.scripts].map(e => e.src)
        .filter(n => n.includes('/data/p.pre/') && !n.endsWith('run.js') && !n.endsWith('scalars.js'))
        .map(n => n.split('/data/p.pre/')[1])""")
    assert shard_loads == ["s/0/0.js", "s/0/1.js"]
    # rapid moves across chunks: the last one wins in every panel
    page.evaluate(f"MB.cursor.set({CHUNK * 3 - 1}); MB.cursor.set(1); MB.cursor.set({CHUNK * 2 + 5})")
    sp.wait_cursor(CHUNK * 2 + 5)
    page.wait_for_timeout(300)
    texts = page.locator("article.panel .panel-body").all_inner_texts()
    assert [t.strip() for t in texts] == [f"n@{CHUNK * 2 + 5}", f"o@{CHUNK * 2 + 5}"]


def test_chart_titles_show_keys_as_text_not_markup(tmp_path, site_page):
    keys = ['a/<b>bold</b> &amp; <a href="javascript:window.__pwned=1">x</a>', "b/<i>e</i>", XSS]
    media.init(project="p", dir=str(tmp_path / "runs"), id="markup")
    for s in range(3):
        media.log({k: float(s) for k in keys} | {"epoch": s})
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.markup", f"x={keys[1]}")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    page.wait_for_function("document.querySelectorAll('.chart .gtitle').length === 4")
    titles = page.evaluate("""[...document.querySelectorAll('.chart')].map(c =>
        [c.dataset.key, c.querySelector('.gtitle').textContent, c.querySelector('.xtitle').textContent])""")
    for key, title, xtitle in titles:
        assert title == key and xtitle == keys[1]
    assert page.locator(".chart .gtitle a, .chart .gtitle tspan").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_corrupt_media_files_show_placeholders_and_the_page_works(tmp_path, site_page):
    run = media.init(project="p", dir=str(tmp_path / "runs"), id="corrupt")
    media.log({"img": media.Image(np.zeros((4, 4), np.uint8)), "tab": media.Table(columns=["a"], data=[[1]]),
               "ok": media.Image(np.full((4, 4), 200, np.uint8)), "loss": 1.0})
    media.finish()
    d = Path(run.dir)
    (d / "media" / "img" / "0_0.png").write_bytes(b"not a png")
    (d / "media" / "tab" / "0_0.table.json").write_text("{torn")
    stats = build_site([tmp_path / "runs"], tmp_path / "site")
    assert any("unreadable JSON" in p for p in stats.problems)
    sp = site_page(tmp_path / "site")
    sp.open_run("p.corrupt", "step=0")
    sp.wait_cursor(0)
    page = sp.page
    page.wait_for_selector("article.panel[data-key=img] .placeholder")
    assert "media/img/0_0.png" in page.locator("article.panel[data-key=img] .placeholder").inner_text()
    assert "media/tab/0_0.table.json" in page.locator("article.panel[data-key=tab] .placeholder").inner_text()
    assert "unreadable JSON" in page.locator("[role=alert]").inner_text()
    page.wait_for_function("document.querySelector('article.panel[data-key=ok] img').naturalWidth === 4")
    page.wait_for_selector("body[data-charts=ready]")
    assert page.evaluate("document.querySelector('.chart[data-key=loss]').data[0].y") == [1.0]


def test_saved_files_are_linked_from_the_run_page(tmp_path, site_page):
    from urllib.parse import unquote, urlparse

    src = tmp_path / "work" / "notes v1.txt"
    src.parent.mkdir()
    src.write_text("hello from a saved file")
    media.init(project="p", dir=str(tmp_path / "runs"), id="saved")
    media.save(str(src), base_path=str(src.parent))
    media.log({"loss": 1.0})
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.saved", "fold=overview")  # the overview opened, as a link can ask
    assert sp.page.locator("details.overview").evaluate("d => d.open")
    link = sp.page.locator("ul.files a")
    assert link.count() == 1 and link.inner_text() == "notes v1.txt"
    target = Path(unquote(urlparse(link.evaluate("a => a.href")).path))
    assert target.read_text() == "hello from a saved file"
    assert target.is_relative_to((tmp_path / "site").resolve())


def test_site_still_works_moved_away_from_its_runs(tmp_path, site_page):
    """Self-contained: move the site, delete the runs, and everything still shows."""
    import shutil

    media.init(project="p", dir=str(tmp_path / "runs"), id="moved")
    for s in range(3):
        media.log({"loss": 1.0 / (s + 1), "img": media.Image(np.full((5, 7), 80 * s, np.uint8))})
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    shutil.rmtree(tmp_path / "runs")
    moved = tmp_path / "elsewhere" / "a site with spaces #1"
    moved.parent.mkdir()
    shutil.move(str(tmp_path / "site"), str(moved))
    sp = site_page(moved)
    sp.open_run("p.moved", "step=2")
    sp.wait_cursor(2)
    page = sp.page
    page.wait_for_function("document.querySelector('article.panel[data-key=img] img').naturalWidth === 7")
    page.wait_for_selector("body[data-charts=ready]")
    assert page.evaluate("document.querySelector('.chart[data-key=loss]').data[0].y.length") == 3


def test_arrow_keys_still_move_the_cursor_after_a_checkbox_click(site, site_page):
    sp = site_page(site["site"])
    sp.open_run(site["alpha"], "step=0")
    sp.wait_cursor(0)
    page = sp.page
    page.locator("#log-y").click()
    page.keyboard.press("ArrowRight")
    sp.wait_cursor(2)


def test_define_metric_step_metric_and_hidden(tmp_path, site_page):
    root = tmp_path / "runs"
    media.init(project="p", dir=str(root), id="dm")
    media.define_metric("val/acc", step_metric="epoch")
    media.define_metric("debug", hidden=True)
    for s in range(6):
        media.log({"epoch": s // 2, "val/acc": s / 10, "debug": s})
    media.finish()
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.dm")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    page.wait_for_function("(document.querySelector('.chart[data-key=\"val/acc\"]').data || []).length > 0")
    assert page.evaluate("document.querySelector('.chart[data-key=\"val/acc\"]').data[0].x") == [0, 0, 1, 1, 2, 2]
    assert page.locator(".chart[data-key=debug]").count() == 0


class _StuckImage(media.Image):
    """An image whose encoding never ends (what a writer killed mid-encode leaves behind)."""

    def _serialize(self, writer):
        import time

        time.sleep(20)
        return super()._serialize(writer)


def test_lost_media_value_is_shown_as_lost_at_its_step(tmp_path, site_page):
    run = media.init(project="p", dir=str(tmp_path / "runs"), id="lost", settings={"finish_timeout": 0.3})
    media.log({"loss": 1.0, "img": media.Image(np.full((8, 8), 200, np.uint8))})
    media.log({"loss": 0.5, "img": _StuckImage(np.zeros((8, 8), np.uint8))})
    media.log({"loss": 0.25, "img": media.Image(np.full((8, 8), 90, np.uint8))})
    with pytest.warns(RuntimeWarning, match="gave up"):
        media.finish()
    assert media.open_run(run.dir).lost == [("img", 1)]
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open_run("p.lost", "step=1")
    sp.wait_cursor(1)
    page = sp.page
    panel = page.locator("article.panel[data-key=img]")
    assert "lost at step 1" in panel.inner_text()
    assert page.locator("article.panel[data-key=img] [data-lost=true]").count() == 1
    alert = page.locator("[role=alert]").inner_text()
    assert "'img' at step 1" in alert and "lost" in alert
    sp.screenshot("step1")
    sp.open_run("p.lost", "step=2")
    sp.wait_cursor(2)
    assert page.locator("article.panel[data-key=img] img").count() == 1
    assert page.evaluate("document.querySelector('.chart[data-key=loss]') !== null")


def test_bidi_and_control_characters_are_shown_not_obeyed(tmp_path, site_page):
    rlo = "\u202e"
    root = tmp_path / "runs"
    media.init(project="p", dir=str(root), id="bidi", name=f"evil{rlo}gnp.exe", notes=f"a{rlo}b\x07c",
               config={f"lr{rlo}": 1})
    media.log({f"img{rlo}key": media.Image(np.zeros((4, 4), np.uint8), caption=f"cat{rlo}god"),
               "t": media.Table(columns=[f"c{rlo}ol"], data=[[f"cell{rlo}x"]]), f"loss{rlo}": 1.0})
    media.finish()
    build_site([root], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    index_text = page.inner_text("main")
    assert "evil\u27e6U+202E\u27e7gnp.exe" in index_text and rlo not in index_text
    sp.open_run("p.bidi")
    page.wait_for_selector("body[data-charts=ready]")
    text = page.evaluate("document.body.innerText")
    assert rlo not in text and "\x07" not in text and rlo not in page.title()
    for shown in ("evil\u27e6U+202E\u27e7gnp.exe", "img\u27e6U+202E\u27e7key", "cat\u27e6U+202E\u27e7god",
                  "cell\u27e6U+202E\u27e7x", "a\u27e6U+202E\u27e7b\u27e6U+0007\u27e7c"):
        assert shown in text, shown
    # the chart title too (plotly draws SVG text)
    titles = page.eval_on_selector_all(".chart .gtitle", "ts => ts.map(t => t.textContent)")
    assert any("loss\u27e6U+202E\u27e7" in t for t in titles), titles
    sp.screenshot()


def test_bokeh_documents_cannot_reach_the_page(tmp_path, site_page):
    """Bokeh HTML (Div) and callbacks (CustomJS) run only in the sandboxed frame."""
    from bokeh.layouts import column
    from bokeh.models import Button, CustomJS, Div
    from bokeh.plotting import figure

    payloads = [
        '<img src=x onerror="window.parent.__pwned=1;top.document.body.dataset.pwned=1">',
        '<svg onload="parent.document.body.dataset.pwned=2"></svg>',
        "<iframe srcdoc=\"<script>parent.parent.document.body.dataset.pwned=3</script>\"></iframe>",
        '<a id="jsl" href="javascript:top.document.body.dataset.pwned=4">js link</a>',
        "<style>body{display:none!important}</style><script>alert(1)</script>",
    ]
    button = Button(label="click me")
    button.js_on_event("button_click", CustomJS(code="alert('x'); top.document.body.dataset.pwned = 5;"))
    p = figure(width=200, height=150)
    p.line([0, 1, 2], [1, 0, 1])
    layout = column(*[Div(text=t) for t in payloads], button, p)
    media.init(project="p", dir=str(tmp_path / "runs"), id="bk")
    media.log({"evil": media.Bokeh(layout)})
    media.finish()
    build_site([tmp_path / "runs"], tmp_path / "site")
    sp = site_page(tmp_path / "site")
    dialogs = []
    sp.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sp.open_run("p.bk")
    page = sp.page
    page.wait_for_selector("article.panel[data-key=evil] .mb-bokeh-root[data-ready='1']")
    frame = page.locator("article.panel[data-key=evil] iframe").element_handle().content_frame()
    deep = """() => { const all = []; const walk = n => { all.push(n);
        if (n.shadowRoot) n.shadowRoot.querySelectorAll('*').forEach(walk); };
        document.querySelectorAll('*').forEach(walk); return all; }"""
    frame.wait_for_function(f"({deep})().some(e => e.tagName === 'BUTTON' && e.textContent.includes('click me'))")
    # the Div HTML is drawn inside the frame, and the CustomJS button and javascript: link clicked
    assert frame.evaluate(f"({deep})().some(e => e.id === 'jsl')")
    frame.evaluate(f"""() => {{ const all = ({deep})();
        all.find(e => e.tagName === 'BUTTON' && e.textContent.includes('click me')).click();
        const a = all.find(e => e.id === 'jsl'); if (a) a.click(); }}""")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.get_attribute("body", "data-pwned") is None
    assert page.evaluate("getComputedStyle(document.body).display") != "none"
    assert dialogs == []
    assert page.locator("img[src=x], svg[onload]").count() == 0  # nothing injected into the page
    sp.screenshot()
    # what the payloads tried, refused by the sandbox (reported by the frame, not the page)
    expected = ("cross-origin frame", "Not allowed to load local resource", "alert", "javascript:",
                "Blocked script execution", "sandboxed")
    sp.bad = [b for b in sp.bad if not any(e in b for e in expected)]
