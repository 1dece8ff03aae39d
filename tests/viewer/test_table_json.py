"""Tables with JSON cells and INCREMENTAL tables in a real browser (Chromium via Playwright,
file://): a JSON cell collapsed to one line, expanded on a click into indented text (as text,
never markup); an INCREMENTAL table drawn whole at the cursor step, on the run page and in the
compare page's changed rows, which compares JSON cells by value. Screenshots go to
artifacts/screenshots/."""

from __future__ import annotations

import json

import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=window.__pwned=1>"
DET = {"boxes": [[0, 0, 4, 4], [1, 2, 3, 4], [5, 5, 9, 9]], "score": 0.9, "label": XSS}


def panel(key: str) -> str:
    return f'article.panel[data-key="{key}"] .panel-body'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """alpha and beta each log `det` (JSON cells; beta's row 0 has its keys in another order,
    row 1 another score) at step 0 and `inc`, an INCREMENTAL table of 2 new rows at each of the
    steps 0-3 (beta's row 3, logged at step 1, has another pred)."""
    base = tmp_path_factory.mktemp("table_json")
    root = base / "runs"
    for name in ("alpha", "beta"):
        media.init(project="p", dir=str(root), name=name, id=name)
        det0 = DET if name == "alpha" else dict(reversed(list(DET.items())))
        media.log({"det": media.Table(columns=["id", "pred"], data=[
            [0, det0], [1, {"boxes": [], "score": float("nan") if name == "alpha" else 0.5}],
            [2, [{"k": 1}, None]], [3, "plain text"]])}, step=0)
        inc = media.Table(columns=["id", "pred"], log_mode="INCREMENTAL")
        for step in range(4):
            for i in (2 * step, 2 * step + 1):
                changed = name == "beta" and i == 3
                inc.add_data(i, {"cls": "dog" if changed else "cat", "n": i})
            media.log({"inc": inc}, step=step)
        media.finish()
    out = base / "site"
    build_site([root], out)
    return out


def test_json_cell_collapsed_then_expanded(site, site_page):
    sp = site_page(site)
    sp.open_run("p.alpha")
    page = sp.page
    body = panel("det")
    page.wait_for_selector(f"{body} button.mb-json")
    cell = f"{body} tr[data-row='0'] td:nth-child(3)"
    btn = f"{cell} button.mb-json"
    assert page.inner_text(btn) == '{"boxes": [\u20263], "score": 0.9, "label": "<img src=x onerror=window.__pwned=1>"}'
    assert page.get_attribute(btn, "aria-expanded") == "false"
    assert page.locator(f"{cell} pre").count() == 0
    # a list holding a dict is JSON too; NaN is shown as the run folder writes it
    assert page.inner_text(f"{body} tr[data-row='2'] td:nth-child(3)") == "[{\u20261}, null]"
    assert page.inner_text(f"{body} tr[data-row='1'] td:nth-child(3)") == '{"boxes": [\u20260], "score": NaN}'
    sp.screenshot("collapsed")
    page.click(btn)
    full = page.inner_text(f"{cell} pre.mb-json-full")
    assert page.get_attribute(btn, "aria-expanded") == "true"
    # indented, parts that fit in 60 characters on one line
    assert json.loads(full) == DET and full.startswith('{\n  "boxes": [[0,0,4,4],[1,2,3,4],[5,5,9,9]],\n')
    assert page.locator(f"{cell} pre img").count() == 0  # the string is text, not markup
    sp.screenshot("expanded")
    page.click(btn)
    assert page.locator(f"{cell} pre").count() == 0
    # filtered and sorted by their JSON text
    page.fill(f"{body} .mb-table-filter", "score")
    page.wait_for_function(f"document.querySelectorAll({json.dumps(body + ' tbody tr')}).length === 2")
    page.fill(f"{body} .mb-table-filter", "")
    page.click(f"{body} th[data-col='1']")
    page.wait_for_function(f"document.querySelectorAll({json.dumps(body + ' tbody tr')}).length === 4")
    order = "rs => rs.map(r => r.dataset.row)"
    # localeCompare of the JSON texts ('[{"k":1},null]' first, "plain text" last)
    assert page.eval_on_selector_all(f"{body} tbody tr", order) == ["2", "0", "1", "3"]
    page.click(f"{body} th[data-col='1']")
    assert page.eval_on_selector_all(f"{body} tbody tr", order) == ["3", "1", "0", "2"]
    assert page.evaluate("window.__pwned") is None


def rows_at(sp, step: int) -> list[list[str]]:
    sp.open_run("p.alpha", f"step={step}")
    sp.wait_cursor(step)
    page = sp.page
    body = panel("inc")
    page.wait_for_selector(f"{body} .mb-table-grid tbody tr")
    return page.eval_on_selector_all(
        f"{body} tbody tr", "rs => rs.map(r => [...r.children].slice(1, 3).map(c => c.textContent))")


def test_incremental_table_grows_with_the_cursor(site, site_page):
    sp = site_page(site)
    early = rows_at(sp, 1)
    assert early == [["0", "0"], ["0", "1"], ["1", "2"], ["1", "3"]]  # step logged at, id
    meta = sp.page.inner_text(f"{panel('inc')} .mb-meta")
    assert "rows 4" in meta and "new at this step 2" in meta and "increments 2" in meta
    sp.screenshot("step1")
    last = rows_at(sp, 3)
    assert len(last) == 8 > len(early)
    assert [r[0] for r in last] == ["0", "0", "1", "1", "2", "2", "3", "3"]
    assert sp.page.inner_text(f"{panel('inc')} th[data-col='0']").startswith("logged at step")
    sp.screenshot("step3")


def counts(page, row: str) -> dict[str, int]:
    el = page.locator(f".cmp-row[data-key={row}] .cmp-tdiff")
    return {k: int(el.get_attribute(f"data-{k}")) for k in ("joined", "changed", "only-a", "only-b")}


def test_compare_page_json_by_value_and_incremental_whole(site, site_page):
    sp = site_page(site)
    page = sp.page
    sp.open("#/compare?runs=p.alpha,p.beta&step=0", wait="body[data-ready=compare]")
    page.wait_for_selector(".cmp-row[data-key=det] .cmp-tdiff", timeout=15000)
    # row 0: the same dict with its keys in another order; row 1: NaN -> 0.5
    assert counts(page, "det") == {"joined": 4, "changed": 1, "only-a": 0, "only-b": 0}
    td = page.locator(".cmp-row[data-key=det] tr[data-key='1'] td[data-col=pred]")
    assert td.get_attribute("class") == "changed"
    assert td.locator("button.mb-json").count() == 2
    page.wait_for_selector(".cmp-row[data-key=inc] .cmp-tdiff", timeout=15000)
    assert counts(page, "inc") == {"joined": 2, "changed": 0, "only-a": 0, "only-b": 0}
    sp.open("#/compare?runs=p.alpha,p.beta&step=2", wait="body[data-ready=compare]")
    page.wait_for_function(
        "document.querySelector('.cmp-row[data-key=inc] .cmp-tdiff')?.dataset.joined === '6'")
    assert counts(page, "inc") == {"joined": 6, "changed": 1, "only-a": 0, "only-b": 0}
    assert page.locator(".cmp-row[data-key=inc] tbody tr").evaluate_all(
        "rs => rs.map(r => r.dataset.key)") == ["3"]
    sp.screenshot("compare")
