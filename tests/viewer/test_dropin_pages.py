"""What the drop-in calls put on the pages: alerts (media.alert) on the run page and the index,
and define_metric globs ("val/*", step_metric=...) on the charts."""

from __future__ import annotations

import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture(scope="module")
def dropin_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("dropin")
    root = base / "runs"
    media.init(project="p", id="al", dir=str(root))
    media.define_metric("epoch")
    media.define_metric("val/*", step_metric="epoch")
    for s in range(6):
        media.log({"train/loss": 1 / (s + 1), "val/acc": s / 6, "epoch": s // 2}, step=s)
        if s == 2:
            media.alert(title="loss plateau", text="loss stopped falling\n" + XSS, level=media.AlertLevel.WARN)
        if s == 4:
            media.alert(title="NaN " + XSS, text="gradients exploded", level="ERROR")
    media.finish()
    media.init(project="p", id="quiet", dir=str(root))
    media.log({"train/loss": 1.0})
    media.finish()
    build_site([root], base / "site")
    return base / "site"


def test_alerts_on_the_index_and_the_run_page(dropin_site, site_page):
    sp = site_page(dropin_site)
    sp.open("", wait="body[data-ready=index]")
    page = sp.page
    cell = page.locator("tr[data-run='p.al'] .alert-count")
    assert cell.inner_text() == "error · 2"
    assert cell.get_attribute("title") == "newest: NaN " + XSS
    assert page.locator("tr[data-run='p.quiet'] .alert-count").count() == 0
    sp.open_run("p.al")
    items = page.locator("details.alerts li.alert")
    assert items.count() == 2
    first, second = items.nth(0), items.nth(1)  # newest first
    assert first.locator(".alert-level").inner_text() == "ERROR" and "step 4" in first.inner_text()
    assert first.locator("b").inner_text() == "NaN " + XSS
    assert second.locator(".alert-text").inner_text() == "loss stopped falling\n" + XSS
    assert page.evaluate("window.__pwned") is None and page.locator("main img[src=x]").count() == 0
    sp.screenshot()


def test_a_define_metric_glob_sets_the_charts_x_axis(dropin_site, site_page):
    sp = site_page(dropin_site)
    sp.open_run("p.al")
    page = sp.page
    page.wait_for_selector("body[data-charts=ready]")
    for key, xs in (("val/acc", [0, 0, 1, 1, 2, 2]), ("train/loss", [0, 1, 2, 3, 4, 5])):
        sel = f".chart[data-key='{key}']"
        page.locator(sel).scroll_into_view_if_needed()
        page.wait_for_function(f"() => document.querySelector(\"{sel}\").data")
        assert page.evaluate(f"document.querySelector(\"{sel}\").data[0].x") == xs, key
