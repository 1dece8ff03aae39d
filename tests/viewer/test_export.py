"""``mediaboard export --single-file``: one HTML file under a size budget, opened from file://.

The browser tests open the exported file with the ``site_page`` fixture, which fails on any request
outside the file's folder (so any http(s) request) and on any console or page error."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import media
from viewer import cli
from viewer.export import LADDER, ExportError, keep_indices, main, parse_size

RUN_KEY = "proj.big"


def _blocky(rng: np.random.Generator, step: int) -> np.ndarray:
    """A 512x512 RGB image of seeded random 4x4 blocks over a red gradient: about 75 kB as PNG,
    so 200 of them (and plotly.js for the loss chart) do not fit 20 MB as logged."""
    blocks = rng.integers(0, 256, (128, 128, 3), dtype=np.uint8)
    img = np.kron(blocks, np.ones((4, 4, 1), np.uint8))
    img[:, :, 0] = (np.arange(512)[None, :] + 3 * step) % 256
    return img


@pytest.fixture(scope="module")
def big_run(tmp_path_factory) -> Path:
    """One run: 200 steps of a 512x512 image, a loss and a text line."""
    root = tmp_path_factory.mktemp("export") / "runs"
    media.init(project="proj", dir=str(root), name="big", id="big")
    rng = np.random.default_rng(7)
    for s in range(200):
        media.log({"samples/img": media.Image(_blocky(rng, s), caption=f"sample {s}"),
                   "loss": 1.0 / (s + 1), "note": f"text {s}"}, step=s)
    media.finish()
    return root


@pytest.fixture
def small_run(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    media.init(project="proj", dir=str(root), name="small", id="small")
    for s in range(3):
        media.log({"img": media.Image(np.full((16, 24, 3), 60 * s, np.uint8)), "note": f"n{s}"}, step=s)
    media.finish()
    return root


def _export(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "-q"])
    out = capsys.readouterr()
    return code, out.out, out.err


def _no_remote_urls(text: str) -> None:
    """The markup loads nothing by URL (scripts and styles are inline); strings inside the inlined
    scripts (plotly.js names a few CDNs for features we never use) are checked in the browser."""
    assert not re.search(r"<script[^>]+src=|<link\b", text, re.IGNORECASE)
    markup = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", text, flags=re.IGNORECASE | re.DOTALL)
    assert "<script" not in markup.lower()
    assert not re.search(r"https?:|(?:src|href)\s*=\s*[\"']?//", markup, re.IGNORECASE)


# ------------------------------------------------------------------------------------------------
# rules without a browser
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("20MB", 20_000_000), ("500kb", 500_000), ("3MiB", 3 * 1024**2), ("1.5 GB", 1_500_000_000),
    ("123456", 123456), ("10KB", 10_000),
])
def test_parse_size(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "20 parsecs", "-5MB", "0"])
def test_parse_size_rejects(text):
    with pytest.raises(ExportError, match="--budget: expected a size"):
        parse_size(text)


@pytest.mark.parametrize("n, cap, flagged, expected", [
    (10, None, [], list(range(10))),
    (10, 10, [], list(range(10))),
    (10, 4, [], [0, 3, 6, 9]),
    (200, 2, [], [0, 199]),
    (200, 2, [57], [0, 57, 199]),
    (60, 12, [], [0, 5, 11, 16, 21, 27, 32, 38, 43, 48, 54, 59]),
])
def test_keep_indices_keeps_first_last_and_flagged(n, cap, flagged, expected):
    got = keep_indices(n, cap, flagged)
    assert got == expected
    assert got == keep_indices(n, cap, flagged)  # deterministic


def test_ladder_only_ever_reduces():
    steps = [lv.max_steps or 10**9 for lv in LADDER]
    sides = [lv.side or 10**9 for lv in LADDER]
    assert steps == sorted(steps, reverse=True) and sides == sorted(sides, reverse=True)
    assert LADDER[0].max_steps is None and LADDER[0].side is None


@pytest.mark.parametrize("argv, message", [
    (["{run}", "--single-file", "{tmp}/o.html", "--budget", "lots"], "--budget: expected a size like 20MB"),
    (["{tmp}/nope", "--single-file", "{tmp}/o.html"], "does not exist"),
    (["{run}", "--single-file", "{tmp}"], "--single-file: expected a file name"),
    (["{run}"], "the following arguments are required: --single-file"),
])
def test_bad_usage_is_one_line_exit_2(small_run, tmp_path, capsys, argv, message):
    code, stdout, err = _export(capsys, *[a.format(run=small_run, tmp=tmp_path) for a in argv])
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1 and err.startswith("mediaboard export: ")
    assert message in err


def test_impossible_budget_fails_with_one_line(big_run, tmp_path, capsys):
    out = tmp_path / "x.html"
    code, stdout, err = _export(capsys, str(big_run), "--single-file", str(out), "--budget", "10KB")
    assert code == 1
    assert stdout == ""
    assert err.count("\n") == 1
    assert re.match(r"mediaboard export: budget 10\.00 kB is too small: the smallest export .* needs "
                    r"[\d.]+ MB, of which [\d.]+ MB is plotly\.js; give a larger --budget\.$", err.strip())
    assert not out.exists()


def test_cli_registers_export(small_run, tmp_path, capsys):
    out = tmp_path / "via-cli.html"
    code = cli.main(["export", str(small_run), "--single-file", str(out), "-q"])
    assert code == 0 and out.is_file()
    assert capsys.readouterr().out.strip() == str(out.resolve())


# ------------------------------------------------------------------------------------------------
# in the browser (file://, no network)
# ------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_small_run_fits_whole_without_notes(small_run, tmp_path, capsys, site_page):
    site = tmp_path / "export"
    code, _, _ = _export(capsys, str(small_run), "--single-file", str(site / "index.html"),
                         "--budget", "2MB")
    assert code == 0
    text = (site / "index.html").read_text(encoding="utf-8")
    assert len(text.encode()) <= 2_000_000
    assert "plotly" not in re.findall(r'data-vendor="([^"]*)"', text)[0]  # no charts: no plotly.js
    _no_remote_urls(text)
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]

    sp = site_page(site)
    sp.open_run("proj.small", "step=2")
    sp.wait_cursor(2)
    page = sp.page
    assert page.locator(".export-note").count() == 0
    assert "Nothing was left out" in page.locator(".export-banner").inner_text()
    img = page.locator("article.panel[data-key='img'] img.mb-img")
    assert img.get_attribute("src").startswith("data:image/png;base64,")
    page.wait_for_function("document.querySelector(\"article.panel[data-key='img'] img.mb-img\").naturalWidth === 24")
    pixel = page.evaluate("""() => { const i = document.querySelector("article.panel[data-key='img'] img.mb-img");
        const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(i, 0, 0); return Array.from(g.getImageData(3, 3, 1, 1).data); }""")
    assert pixel == [120, 120, 120, 255]
    assert page.locator("article.panel[data-key='note'] .panel-body").inner_text().strip() == "n2"
    sp.screenshot("whole")


@pytest.mark.browser
@pytest.mark.parametrize("budget", [8_000_000, 20_000_000])
def test_200_images_stay_under_budget_and_every_key_shows(big_run, tmp_path, capsys, site_page, budget):
    site = tmp_path / "export"
    out = site / "index.html"
    code, _, err = _export(capsys, str(big_run), "--single-file", str(out), "--budget", str(budget),
                           "--keep-step", "101")
    assert code == 0, err
    size = out.stat().st_size
    assert size <= budget
    print(f"budget {budget} bytes, export {size} bytes")
    text = out.read_text(encoding="utf-8")
    _no_remote_urls(text)
    assert "plotly" in re.findall(r'data-vendor="([^"]*)"', text)[0]  # the loss chart needs it

    sp = site_page(site)
    sp.open_run(RUN_KEY, "step=0")
    sp.wait_cursor(0)
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]", timeout=30000)
    for key in ("samples/img", "note"):
        body = page.locator(f"article.panel[data-key='{key}'] .panel-body")
        assert body.inner_text().strip() or body.locator("img").count(), key
    note = page.locator("article.panel[data-key='samples/img'] .export-note").inner_text()
    assert note.startswith("Reduced in this export: ")
    assert "re-encoded as WebP" in note
    img = page.locator("article.panel[data-key='samples/img'] img.mb-img")
    assert img.get_attribute("src").startswith("data:image/webp;base64,")
    page.wait_for_function("document.querySelector(\"article.panel[data-key='samples/img'] img.mb-img\")"
                           ".naturalWidth > 0")
    shown = re.search(r"showing (\d+) of 200 logged steps", note)
    if budget == 8_000_000:
        assert shown, note  # 200 images do not fit next to plotly.js: fewer steps
        assert "showing" in page.locator("article.panel[data-key='note'] .export-note").inner_text()
    steps = page.evaluate("MB.cursor.steps")
    assert steps[0] == 0 and steps[-1] == 199 and 101 in steps
    assert len(steps) == (int(shown.group(1)) if shown else 200)
    sp.screenshot(f"reduced-{budget // 1_000_000}MB")
    page.keyboard.press("End")
    sp.wait_cursor(199)
    assert page.locator("article.panel[data-key='samples/img']").get_attribute("data-step") == "199"
    assert page.locator("article.panel[data-key='note'] .panel-body").inner_text().strip() == "text 199"


@pytest.fixture
def audio_run(tmp_path: Path, monkeypatch) -> Path:
    """One step: 5 s of 22.05 kHz audio (about 220 kB as WAV), a tiny image and a saved text file."""
    root = tmp_path / "runs"
    monkeypatch.chdir(tmp_path)
    media.init(project="proj", dir=str(root), name="av", id="av")
    Path("notes.txt").write_text("hello from a saved file\n")
    media.save("notes.txt")
    t = np.arange(5 * 22050) / 22050
    media.log({"snd": media.Audio((0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), sample_rate=22050),
               "img": media.Image(np.zeros((8, 8, 3), np.uint8))}, step=0)
    media.finish()
    return root


def test_export_is_deterministic(audio_run, tmp_path, capsys):
    """The same runs and budget give the same bytes (here a reduced export: audio left out)."""
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    for out in (a, b):
        assert _export(capsys, str(audio_run), "--single-file", str(out), "--budget", "400KB")[0] == 0
    assert a.read_bytes() == b.read_bytes()
    assert "1 audio file left out" in a.read_text(encoding="utf-8")


@pytest.mark.browser
@pytest.mark.parametrize("budget, dropped", [("5MB", False), ("400KB", True)])
def test_audio_and_saved_files_kept_or_left_out_with_a_note(audio_run, tmp_path, capsys, site_page,
                                                             budget, dropped):
    site = tmp_path / "export"
    code, _, err = _export(capsys, str(audio_run), "--single-file", str(site / "index.html"),
                           "--budget", budget)
    assert code == 0, err
    assert (site / "index.html").stat().st_size <= parse_size(budget)
    sp = site_page(site)
    sp.open_run("proj.av", "step=0")
    sp.wait_cursor(0)
    page = sp.page
    panel = page.locator("article.panel[data-key='snd']")
    if dropped:
        assert re.fullmatch(r"Reduced in this export: 1 audio file left out \(2\d\d\.\d\d kB\)\.",
                            panel.locator(".export-note").inner_text())
        assert "audio file missing" in panel.locator(".placeholder").inner_text()
        assert "saved file(s) are left out" in page.locator("[role=alert]").inner_text()
    else:
        assert page.locator(".export-note").count() == 0
        assert panel.locator("audio").get_attribute("src").startswith("data:audio/")
        page.wait_for_function("document.querySelector(\"article.panel[data-key='snd'] audio\").duration > 4.9")
    sp.screenshot(budget)
    # a saved file opens from a blob: URL (browsers refuse to open data: URLs in a tab)
    page.locator("details.overview > summary").click()  # the files sit in the folded overview
    link = page.locator("ul.files a")
    assert link.get_attribute("href").startswith("blob:")
    with page.expect_navigation():
        link.click()
    expected = "Left out of this single-file export: files/notes.txt" if dropped else "hello from a saved file"
    assert expected in page.inner_text("body")


@pytest.mark.browser
def test_bokeh_draws_in_its_sandbox_inside_the_export(tmp_path, capsys, site_page):
    from bokeh.plotting import figure

    root = tmp_path / "runs"
    media.init(project="proj", dir=str(root), name="bk", id="bk")
    p = figure(width=240, height=180)
    p.line([0, 1, 2, 3], [3, 1, 2, 0])
    media.log({"plot": media.Bokeh(p)}, step=0)
    media.finish()
    site = tmp_path / "export"
    code, _, err = _export(capsys, str(root), "--single-file", str(site / "index.html"))
    assert code == 0, err
    assert len(list(site.iterdir())) == 1  # one file
    sp = site_page(site)
    sp.open_run("proj.bk")
    page = sp.page
    page.wait_for_selector("article.panel[data-key=plot] .mb-bokeh-root[data-ready='1']")
    assert page.get_attribute("article.panel[data-key=plot] iframe", "sandbox") == "allow-scripts"
    assert page.evaluate("document.querySelector('article.panel[data-key=plot] .mb-bokeh-root')._mbBokeh.plots") == 1
    assert page.evaluate("typeof window.Bokeh") == "undefined"
    sp.screenshot()
