"""The Content-Security-Policy of the pages, enforced (the other browser tests bypass it): the
site works under it, Html media still run their scripts in their sandbox, Bokeh draws, and markup
that somehow reached the page could not run a script."""

from __future__ import annotations

import re

import numpy as np
import pytest

import media
from viewer import ci, policy
from viewer.build import build_site
from viewer.export import main as export_main

pytestmark = pytest.mark.browser

INJECT = """() => { const d = document.createElement('div');
  d.innerHTML = '<img src="data:," onerror="window.__pwned=1"><a id=jsl href="javascript:window.__pwned=2">x</a>';
  document.body.appendChild(d); const s = document.createElement('script');
  s.textContent = 'window.__pwned = 3'; document.body.appendChild(s); d.querySelector('#jsl').click(); }"""


# Html whose content tries to reach outside the page it was given: its frame's own policy refuses
NET = ("<img id=b src='https://example.invalid/beacon.png'><script>fetch('https://example.invalid/f')"
       ".then(function () { document.body.dataset.net = 'sent'; },"
       " function () { document.body.dataset.net = 'refused'; });</script>")


# Html whose script reads a JSON data block (as Bokeh's file_html pages do)
DATA = ("<script type='application/json' id=d>{\"v\": 7}</script><script>document.body.dataset.v = "
        "JSON.parse(document.getElementById('d').textContent).v;</script>")


def _frame(page, key):
    return page.locator(f"article.panel[data-key={key}] iframe").element_handle().content_frame()


def _check_run_page(sp):
    """The csp_site run page works under the page's policy, and nothing injected runs."""
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    page.wait_for_selector("article.panel[data-key=img] img")
    # Html media: its own script ran, in its sandboxed frame
    frame = _frame(page, "page")
    frame.wait_for_selector("body[data-ran='1']")
    assert frame.inner_text("#t") == "script ran"
    # ... and could not reach the network (the frame's own policy)
    _frame(page, "net").wait_for_selector("body[data-net='refused']")
    _frame(page, "data").wait_for_selector("body[data-v='7']", state="attached")  # data block kept
    page.wait_for_timeout(100)
    assert "https://example.invalid/beacon.png" in sp.refused or any(
        "beacon.png" in b and "Content Security Policy" in b for b in sp.bad)
    # Bokeh: drawn in its frame
    page.wait_for_selector("article.panel[data-key=bk] .mb-bokeh-root[data-ready='1']")
    assert page.evaluate("typeof window.Bokeh") == "undefined"
    # markup that reached the page could not run anything
    page.evaluate(INJECT)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None


@pytest.fixture(scope="module")
def csp_site(tmp_path_factory):
    from bokeh.plotting import figure

    base = tmp_path_factory.mktemp("csp")
    root = base / "runs"
    media.init(project="p", dir=str(root), id="c")
    p = figure(width=200, height=150)
    p.line([0, 1, 2], [1, 0, 1])
    for s in range(2):
        media.log({"loss": 1.0 / (s + 1), "img": media.Image(np.full((8, 8), 50 * s, np.uint8)),
                   "page": media.Html("<p id=t>static</p><script>document.getElementById('t')"
                                      ".textContent = 'script ran'; document.body.dataset.ran = 1;</script>"),
                   "net": media.Html(NET), "bk": media.Bokeh(p),
                   "data": media.Html(DATA)}, step=s)
    media.finish()
    build_site([root], base / "site")
    return base


def test_pages_carry_the_policy_and_work_under_it(csp_site, site_page):
    index = (csp_site / "site" / "index.html").read_text()
    assert "Content-Security-Policy" in index and "script-src 'self' file:" in index
    assert "unsafe-inline' ;" not in index and "'unsafe-eval'" not in index
    sp = site_page(csp_site / "site", csp=True)
    sp.open("", wait="body[data-ready=index]")
    sp.open_run("p.c")
    _check_run_page(sp)
    frame_doc = (csp_site / "site" / "static" / "frame.html").read_text()
    assert policy.meta(policy.FRAME) in frame_doc
    sp.screenshot()
    sp.bad = [b for b in sp.bad if "Content Security Policy" not in b]  # the refusals we caused


def test_ci_gallery_works_under_its_policy(csp_site, site_page, tmp_path):
    run = csp_site / "runs" / "p" / "c"
    out = tmp_path / "g"
    assert ci.main(["--baseline", str(run), "--candidate", str(run), "-o", str(out)]) == 0
    assert "Content-Security-Policy" in (out / "index.html").read_text()
    assert "<script>" not in (out / "index.html").read_text()  # the script is gallery.js
    sp = site_page(out, csp=True)
    sp.page.goto((out / "index.html").as_uri())
    sp.page.wait_for_load_state("load")
    # its own script (gallery.js) ran under the policy: it writes the filter count
    sp.page.wait_for_selector("text=/\\d+ of \\d+ shown/")
    # Html values: shown in sandboxed frames of frame.html, never shipped as pages of the gallery
    assert not list(out.rglob("*.html.html")) and not [
        f for f in out.rglob("*.html") if f.name not in ("index.html", "frame.html")]
    assert not re.search(r'href="files/[^"]*\.html"', (out / "index.html").read_text())
    boxes = sp.page.locator("tr[data-key=page] .html-frame iframe")
    boxes.first.wait_for()
    rows = sp.page.locator("tr[data-key=page]").count()
    assert rows >= 1 and boxes.count() == 2 * rows  # baseline and candidate of each row
    for i in range(2 * rows):
        h = boxes.nth(i).element_handle()
        assert h.get_attribute("sandbox") == "allow-scripts"
        h.content_frame().wait_for_selector("body[data-ran='1']")
    net = sp.page.locator("tr[data-key=net] .html-frame iframe").first.element_handle().content_frame()
    net.wait_for_selector("body[data-net='refused']")
    sp.screenshot("gallery")
    sp.page.evaluate(INJECT)
    sp.page.wait_for_timeout(300)
    assert sp.page.evaluate("window.__pwned") is None
    sp.bad = [b for b in sp.bad if "Content Security Policy" not in b]


def test_single_file_export_carries_a_policy_of_hashes_and_works_under_it(csp_site, site_page, tmp_path):
    out = tmp_path / "x" / "index.html"
    assert export_main([str(csp_site / "runs"), "--single-file", str(out), "-q"]) == 0
    text = out.read_text()
    metas = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
    assert len(metas) == 1
    script_src = re.search(r"script-src ([^;]*);", metas[0]).group(1).split()
    # only hashes and blob: (which only a running script can make): no inline text, no eval, no host
    assert script_src[-1] == "blob:"
    assert all(s.startswith("'sha256-") for s in script_src[:-1]) and len(script_src) >= 3
    assert "connect-src 'none'" in metas[0]
    # a script that reached the file's markup without being one of its own (a broken escaper, an
    # edited file) does not run: only hashed scripts do
    out.write_text(text.replace("</body>", "<script>window.__pwned = 5</script></body>", 1))
    sp = site_page(out.parent, csp=True)
    sp.open_run("p.c")
    _check_run_page(sp)
    # the Html frame is a srcdoc under the export's policy: its script was re-added from blob:
    assert _frame(sp.page, "page").url == "about:srcdoc"
    sp.screenshot("export")
    sp.bad = [b for b in sp.bad if "Content Security Policy" not in b]


def test_a_large_html_page_is_framed_from_a_copy_that_carries_the_frame_policy(
        tmp_path, site_page, monkeypatch):
    """Pages over the inlining limit are framed from the site's copy of the file: that copy has
    the frame's policy written in, so its beacon is refused like an inlined page's."""
    from viewer.kinds import html as html_kind

    monkeypatch.setattr(html_kind, "HTML_INLINE_BYTES", 10)
    root = tmp_path / "runs"
    media.init(project="p", dir=str(root), id="big")
    media.log({"net": media.Html("<!doctype html>" + NET)}, step=0)
    media.finish()
    build_site([root], tmp_path / "site")
    copies = list((tmp_path / "site" / "files").rglob("*.html"))
    assert len(copies) == 1
    text = copies[0].read_text()
    assert text.lower().startswith("<!doctype html>") and text[15:].startswith(policy.meta(policy.FRAME))
    sp = site_page(tmp_path / "site", csp=True)
    sp.open_run("p.big")
    frame = _frame(sp.page, "net")
    assert frame.url.startswith("file://")  # framed from the file, not inlined
    frame.wait_for_selector("body[data-net='refused']")
    sp.page.wait_for_timeout(100)
    assert "https://example.invalid/beacon.png" in sp.refused or any(
        "beacon.png" in b and "Content Security Policy" in b for b in sp.bad)
    sp.bad = [b for b in sp.bad if "Content Security Policy" not in b]
