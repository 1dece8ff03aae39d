"""The Content-Security-Policy of the pages, enforced (the other browser tests bypass it): the
site works under it, Html media still run their scripts in their sandbox, Bokeh draws, and markup
that somehow reached the page could not run a script."""

from __future__ import annotations

import numpy as np
import pytest

import media
from viewer import ci
from viewer.build import build_site

pytestmark = pytest.mark.browser

INJECT = """() => { const d = document.createElement('div');
  d.innerHTML = '<img src="data:," onerror="window.__pwned=1"><a id=jsl href="javascript:window.__pwned=2">x</a>';
  document.body.appendChild(d); const s = document.createElement('script');
  s.textContent = 'window.__pwned = 3'; document.body.appendChild(s); d.querySelector('#jsl').click(); }"""


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
                   "bk": media.Bokeh(p)}, step=s)
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
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    page.wait_for_selector("article.panel[data-key=img] img")
    # Html media: its own script ran, in its sandboxed frame
    frame = page.locator("article.panel[data-key=page] iframe").element_handle().content_frame()
    frame.wait_for_selector("body[data-ran='1']")
    assert frame.inner_text("#t") == "script ran"
    # Bokeh: drawn in its frame
    page.wait_for_selector("article.panel[data-key=bk] .mb-bokeh-root[data-ready='1']")
    # markup that reached the page could not run anything
    page.evaluate(INJECT)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
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
    sp.screenshot("gallery")
    sp.page.evaluate(INJECT)
    sp.page.wait_for_timeout(300)
    assert sp.page.evaluate("window.__pwned") is None
    sp.bad = [b for b in sp.bad if "Content Security Policy" not in b]
