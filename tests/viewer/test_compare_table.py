"""The compare page's "Changed rows" mode for tables (viewer/static/compare/table.js) in a real
browser (Chromium via Playwright, file://): two tables joined on a key column or the row index,
counts and the listed rows, duplicate keys, the compare-one-column choice, filter, paging, two
steps of one run, escaping, URL state. Outside requests and console errors fail every test."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

A, B = "proj.alpha", "proj.beta"
XSS = "<img src=x onerror=window.__pwned=1>"
LABELS = ["cat", "dog", "bird"]
ROW = ".cmp-row[data-key=preds]"
BOX = f"{ROW} .cmp-tdiff"


def preds(ids, wrong=(), pred_of=None, caption_of=None):
    """A predictions table: id, label, pred, correct, img (an Image whose caption names the sample)."""
    pred_of = pred_of or {}
    caption_of = caption_of or {}
    pixels = np.zeros((4, 4, 3), np.uint8)
    rows = []
    for i in ids:
        label = LABELS[i % 3]
        pred = pred_of.get(i, LABELS[(i + 1) % 3] if i in wrong else label)
        rows.append([i, label, pred, pred == label, media.Image(pixels, caption=caption_of.get(i, f"sample {i}"))])
    return media.Table(columns=["id", "label", "pred", "correct", "img"], data=rows)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """alpha, step 1000: ids 0-11, only 5 wrong. alpha, step 5000 (rows in reverse order): 2 and 7
    went wrong, 5 was fixed, 3's image caption changed, 11 is gone, 12 is new. beta, step 5000:
    ids 0-11, 4 (predicted the XSS string) and 9 wrong, plus a second row with id 3.
    `conf`: a confidence and a prediction per id, 0-5 at step 1000, 0-4 and 6 at step 5000.
    `big`: 120 rows whose score changes between alpha's two steps. `gone`: alpha's step-5000 file
    is deleted before the build."""
    base = tmp_path_factory.mktemp("compare_table")
    root = base / "runs"
    media.init(project="proj", dir=str(root), name="alpha", id="alpha")
    media.log({"preds": preds(range(12), wrong={5}),
               "big": media.Table(columns=["id", "score"], data=[[i, i] for i in range(120)]),
               "gone": media.Table(columns=["id"], data=[[1]]),
               "xss": media.Table(columns=["id", XSS], data=[[1, "a"]]),
               "conf": media.Table(columns=["id", "conf", "pred"], data=[
                   [0, 0.5, "cat"], [1, 0.9, "dog"], [2, 0.2, "bird"], [3, 0.7, "cat"], [4, 0.4, "dog"], [5, 0.6, "bird"]])},
              step=1000)
    late = [i for i in range(13) if i != 11][::-1]
    media.log({"preds": preds(late, wrong={2, 7}, caption_of={3: "sample 3, new crop"}),
               "big": media.Table(columns=["id", "score"], data=[[i, i + 0.5] for i in range(120)]),
               "gone": media.Table(columns=["id"], data=[[2]]),
               "xss": media.Table(columns=["id", XSS], data=[[1, XSS]]),
               "conf": media.Table(columns=["id", "conf", "pred"], data=[
                   [0, 0.8, "cat"], [1, 0.3, "cat"], [2, 0.25, "bird"], [3, 0.7, "cat"], [4, None, "bird"], [6, 0.1, "dog"]])},
              step=5000)
    media.finish()
    media.init(project="proj", dir=str(root), name="beta", id="beta")
    table = preds(range(12), wrong={9}, pred_of={4: XSS})
    table.add_data(3, "cat", "dup", False, None)
    media.log({"preds": table}, step=5000)
    media.finish()
    for p in (root / "proj" / "alpha" / "media" / "gone").glob("5000_*.table.json"):
        p.unlink()
    out = base / "site"
    build_site([root], out)
    return out


def open_compare(sp, cols, query=""):
    sp.open(f"#/compare?runs={','.join(cols)}" + (f"&{query}" if query else ""), wait="body[data-ready=compare]")
    sp.page.wait_for_selector(BOX, timeout=15000)


def counts(page, box=BOX):
    el = page.locator(box)
    return {k: int(el.get_attribute(f"data-{k}")) for k in ("joined", "changed", "only-a", "only-b", "dup-a", "dup-b", "shown")}


def listed(page, box=BOX):
    """[(row state, key)] of the rows on the page."""
    return page.locator(f"{box} tbody tr").evaluate_all("rs => rs.map(r => [r.className, r.dataset.key])")


def wait_shown(page, n, box=BOX):
    page.wait_for_function(f"document.querySelector({json.dumps(box)}).dataset.shown === '{n}'")


def ps(page):
    return json.loads(parse_qs(urlsplit(page.url).fragment.split("?", 1)[1])["ps"][0])


def test_two_steps_of_one_run_join_on_id(site, site_page):
    """alpha@1000 against alpha at 5000: the join on `id` (the default) finds exactly the rows that
    changed, whichever order the rows are in."""
    sp = site_page(site)
    open_compare(sp, [f"{A}@1000", A], "step=5000")
    page = sp.page
    assert page.locator(ROW).get_attribute("data-mode") == "changes"
    assert page.locator(f"{ROW} select.cmp-mode").input_value() == "changes"
    assert page.locator(f"{ROW} .cmp-cell .cmp-body").first.is_hidden()
    assert page.locator(f"{BOX} select.cmp-tdiff-join").input_value() == "c:id"
    assert counts(page) == {"joined": 11, "changed": 4, "only-a": 1, "only-b": 1, "dup-a": 0, "dup-b": 0, "shown": 6}
    # rows in A's order, then the row only B has
    assert listed(page) == [["changed", "2"], ["changed", "3"], ["changed", "5"], ["changed", "7"],
                            ["only-a", "11"], ["only-b", "12"]]
    text = page.locator(f"{BOX} .cmp-tdiff-counts").inner_text()
    assert text.startswith("11 rows joined · 4 changed") and "1 only in A · 1 only in B" in text
    # a changed cell: A's value, an arrow, B's value, marked; an unchanged one is the value alone
    row2 = page.locator(f"{BOX} tr[data-key='2']")
    assert row2.locator("td[data-col=pred]").inner_text() == "bird → cat"
    assert row2.locator("td[data-col=pred]").get_attribute("class") == "changed"
    assert row2.locator("td[data-col=correct]").inner_text() == "true → false"
    assert row2.locator("td[data-col=label]").get_attribute("class") == "same"
    # media cells are thumbnails with their captions: the same image once, a changed one A → B
    assert row2.locator("td[data-col=img]").get_attribute("class") == "same"  # same caption, other file
    assert row2.locator("td[data-col=img]").inner_text() == "sample 2"
    page.wait_for_function("[...document.querySelectorAll('.cmp-tdiff img.mb-thumb')].every(i => i.complete && i.naturalWidth === 4)")
    assert row2.locator("td[data-col=img] img.mb-thumb").count() == 1
    assert page.locator(f"{BOX} tr[data-key='3'] td.changed").evaluate_all("ts => ts.map(t => t.dataset.col)") == ["img"]
    img3 = page.locator(f"{BOX} tr[data-key='3'] td[data-col=img]")
    assert " ".join(img3.inner_text().split()) == "sample 3 → sample 3, new crop"
    srcs = img3.locator("img.mb-thumb").evaluate_all("is => is.map(i => i.getAttribute('src'))")
    assert len(srcs) == 2 and srcs[0] != srcs[1] and all(s.startswith("files/proj.alpha/") for s in srcs)
    # a click on a thumbnail opens the image full size in a dialog, and Escape closes it
    img3.locator(".vb img.mb-thumb").click()
    page.wait_for_selector(".mb-modal .mb-lb-title")
    assert page.locator(".mb-modal .mb-lb-title").inner_text() == "B, id 3, img"
    page.wait_for_function("(() => { const i = document.querySelector('.mb-modal img'); return i && i.complete && i.naturalWidth === 4; })()")
    page.keyboard.press("Escape")
    page.wait_for_selector(".mb-modal", state="detached")
    assert page.locator(f"{BOX} tr.only-a th").inner_text() == "11 only in A"
    assert page.locator(f"{BOX} tr.only-b td[data-col=pred]").inner_text() == "cat"
    # values in the columns' run colours, run labels and steps in the header
    colors = page.evaluate("[...document.querySelectorAll('.cmp-run .cmp-swatch')].map(e => getComputedStyle(e).backgroundColor)")
    va = row2.locator("td[data-col=pred] .va").evaluate("e => getComputedStyle(e).color")
    vb = row2.locator("td[data-col=pred] .vb").evaluate("e => getComputedStyle(e).color")
    assert [va, vb] == colors
    runs = [" ".join(t.split()) for t in page.locator(f"{BOX} .cmp-tdiff-run").all_inner_texts()]
    assert runs == ["A alpha @ step 1000", "B alpha · step 5000"]
    # only changed off: every joined row as well
    page.locator(f"{BOX} input.cmp-tdiff-only").uncheck()
    wait_shown(page, 13)
    assert [k for _, k in listed(page)] == [str(i) for i in range(13)]
    assert page.locator(f"{BOX} tbody tr.same").count() == 7
    sp.screenshot("changes")


def test_join_on_row_index_differs_from_join_on_id(site, site_page):
    sp = site_page(site)
    open_compare(sp, [f"{A}@1000", A], "step=5000")
    page = sp.page
    page.locator(f"{BOX} select.cmp-tdiff-join").select_option("")
    # alpha's step 5000 is in reverse order: by position, every row's id differs
    assert counts(page) == {"joined": 12, "changed": 12, "only-a": 0, "only-b": 0, "dup-a": 0, "dup-b": 0, "shown": 12}
    assert page.locator(f"{BOX} thead th.cmp-tdiff-key").inner_text() == "row"
    assert page.locator(f"{BOX} tr[data-key='0'] td[data-col=id]").inner_text() == "0 → 12"
    assert page.locator(f"{BOX} thead tr:nth-child(2) th").all_inner_texts()[1:] == ["id", "label", "pred", "correct", "img"]
    assert ps(page)["preds"]["join"] is None
    page.locator(f"{BOX} select.cmp-tdiff-join").select_option("c:label")
    # label repeats (12 rows, 3 labels): joined on each label's first row
    assert counts(page)["joined"] == 3 and counts(page)["dup-a"] == 9 and counts(page)["dup-b"] == 9


def test_compare_one_column_and_filter(site, site_page):
    sp = site_page(site)
    open_compare(sp, [f"{A}@1000", A], "step=5000")
    page = sp.page
    options = page.locator(f"{BOX} select.cmp-tdiff-cmp option").all_inner_texts()
    assert options == ["all columns (4)", "label only", "pred only", "correct only", "img only"]
    page.locator(f"{BOX} select.cmp-tdiff-cmp").select_option("c:pred")
    assert counts(page)["changed"] == 3  # id 3 changed only its image
    assert [k for _, k in listed(page)] == ["2", "5", "7", "11", "12"]
    # the other columns are still shown, dimmed, and not marked changed
    assert page.locator(f"{BOX} thead th.not-compared").count() == 3
    assert page.locator(f"{BOX} tr[data-key='2'] td[data-col=correct]").get_attribute("class") == "differs"
    page.locator(f"{BOX} input.cmp-tdiff-filter").fill("Sample 1")  # any shown cell, any case
    wait_shown(page, 2)
    assert [k for _, k in listed(page)] == ["11", "12"]  # their image captions
    page.locator(f"{BOX} input.cmp-tdiff-filter").fill("no such text")
    wait_shown(page, 0)
    assert page.locator(f"{BOX} .cmp-tdiff-empty").inner_text() == "No rows match the filter."
    page.locator(f"{BOX} input.cmp-tdiff-filter").fill("")
    wait_shown(page, 5)


def test_two_runs_duplicate_keys_and_xss(site, site_page):
    """alpha against beta at step 5000; beta repeats id 3 and predicted an HTML string for id 4."""
    sp = site_page(site)
    open_compare(sp, [A, B], "step=5000")
    page = sp.page
    assert counts(page) == {"joined": 11, "changed": 5, "only-a": 1, "only-b": 1, "dup-a": 0, "dup-b": 1, "shown": 7}
    # rows in alpha's (reversed) order, then beta's own
    assert listed(page) == [["only-a", "12"], ["changed", "9"], ["changed", "7"], ["changed", "4"],
                            ["changed", "3"], ["changed", "2"], ["only-b", "11"]]
    note = page.locator(f"{BOX} .cmp-tdiff-dups").inner_text()
    assert note.startswith("Duplicate keys in “id”: 0 rows of A and 1 row of B repeat a key seen earlier (3)")
    assert "joined on its first row" in note
    # the first id-3 row of beta is the one joined (its pred is cat, not dup)
    assert page.locator(f"{BOX} tr[data-key='3'] td[data-col=pred]").inner_text() == "cat"
    assert page.locator(f"{BOX} tr[data-key='4'] td[data-col=pred]").inner_text() == f"dog → {XSS}"
    assert page.evaluate("window.__pwned") is None
    assert page.locator("main img[src=x]").count() == 0
    sp.screenshot("two-runs")


def test_html_in_column_names_and_values_is_text(site, site_page):
    sp = site_page(site)
    open_compare(sp, [f"{A}@1000", A], "step=5000")
    page = sp.page
    box = ".cmp-row[data-key=xss] .cmp-tdiff"
    assert page.locator(f"{box} thead tr:nth-child(2) th").all_inner_texts() == ["id", XSS]
    assert page.locator(f"{box} tr[data-key='1'] td.changed").inner_text() == f"a → {XSS}"
    assert page.locator(f"{box} select.cmp-tdiff-cmp option").all_inner_texts()[1] == f"{XSS} only"
    assert page.evaluate("window.__pwned") is None
    assert page.locator("main img[src=x]").count() == 0


def test_paging_fifty_rows_a_page(site, site_page):
    sp = site_page(site)
    open_compare(sp, [f"{A}@1000", A], "step=5000")
    page = sp.page
    box = ".cmp-row[data-key=big] .cmp-tdiff"
    assert counts(page, box)["changed"] == 120
    info = page.locator(f"{box} .cmp-tdiff-info")
    assert info.inner_text() == "rows 1–50 of 120 · page 1/3"
    assert page.locator(f"{box} tbody tr").count() == 50
    assert page.locator(f"{box} tr[data-key='7'] td[data-col=score]").inner_text() == "7 → 7.5"
    assert page.locator(f"{box} button.cmp-tdiff-prev").is_disabled()
    page.locator(f"{box} button.cmp-tdiff-next").click()
    page.locator(f"{box} button.cmp-tdiff-next").click()
    assert info.inner_text() == "rows 101–120 of 120 · page 3/3"
    assert [k for _, k in listed(page, box)][0] == "100"
    assert page.locator(f"{box} button.cmp-tdiff-next").is_disabled()
    assert ps(page)["big"]["page"] == 2


def test_table_data_not_in_the_site_falls_back_with_the_note(site, site_page):
    sp = site_page(site)
    open_compare(sp, [f"{A}@1000", A], "step=5000")
    page = sp.page
    row = page.locator(".cmp-row[data-key=gone]")
    page.wait_for_function("!document.querySelector('.cmp-row[data-key=gone] .cmp-note').hidden")
    assert row.get_attribute("data-mode") == "side"
    assert "need a table from each column" in row.locator(".cmp-note").inner_text()
    assert row.locator(".cmp-tdiff").count() == 0


def test_state_survives_reload(site, site_page):
    sp = site_page(site)
    open_compare(sp, [f"{A}@1000", A], "step=5000")
    page = sp.page
    page.locator(f"{BOX} select.cmp-tdiff-cmp").select_option("c:pred")
    page.locator(f"{BOX} input.cmp-tdiff-only").uncheck()
    page.locator(f"{BOX} input.cmp-tdiff-filter").fill("dog")
    wait_shown(page, 4)
    state = ps(page)["preds"]
    assert (state["cmp"], state["all"], state["q"], state["page"]) == ("pred", 1, "dog", 0)
    url = page.url
    page.reload()
    page.wait_for_selector("body[data-ready=compare]")
    page.wait_for_selector(BOX)
    assert page.url == url
    assert page.locator(f"{BOX} select.cmp-tdiff-cmp").input_value() == "c:pred"
    assert not page.locator(f"{BOX} input.cmp-tdiff-only").is_checked()
    assert page.locator(f"{BOX} input.cmp-tdiff-filter").input_value() == "dog"
    wait_shown(page, 4)
    # "side by side" is the other mode: plain cells, kept over a reload too
    page.locator(f"{ROW} select.cmp-mode").select_option("side")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=preds]').dataset.mode === 'side'")
    assert page.locator(f"{ROW} .cmp-cell .mb-table").count() == 2
    page.reload()
    page.wait_for_selector("body[data-ready=compare]")
    sp.wait_cursor(5000)
    assert page.locator(ROW).get_attribute("data-mode") == "side"


def test_three_columns_have_no_table_modes(site, site_page):
    sp = site_page(site)
    sp.open(f"#/compare?runs={A}@1000,{A},{B}&step=5000", wait="body[data-ready=compare]")
    sp.wait_cursor(5000)
    assert sp.page.locator(f"{ROW} select.cmp-mode").count() == 0
    assert sp.page.locator(f"{ROW} .cmp-cell .mb-table").count() == 3


@pytest.mark.parametrize(("a", "b", "expected"), [
    # NaN equals NaN; 1 and "1" are different values and different keys
    ([[1, float("nan")], [2, 1]], [[1, float("nan")], [2, "1"]], {"joined": 2, "changed": 1, "onlyA": 0, "onlyB": 0}),
    ([[1, 0], [2, 0]], [["1", 0], [2, 0]], {"joined": 1, "changed": 0, "onlyA": 1, "onlyB": 1}),
    # media cells: the same stub in another file (path) and with other build additions is unchanged
    ([[1, {"_type": "image", "path": "media/p/1_0.r0c1.png", "width": 4, "__missing": []}]],
     [[1, {"_type": "image", "path": "media/p/5_0.r0c1.png", "width": 4}]], {"joined": 1, "changed": 0, "onlyA": 0, "onlyB": 0}),
    ([[1, {"_type": "image", "path": "x.png", "width": 4}]], [[1, {"_type": "image", "path": "x.png", "width": 8}]],
     {"joined": 1, "changed": 1, "onlyA": 0, "onlyB": 0}),
    # same size and caption, other pixels: the file digests (sha256) differ
    ([[1, {"_type": "image", "path": "a.png", "width": 4, "sha256": "aa"}]],
     [[1, {"_type": "image", "path": "b.png", "width": 4, "sha256": "bb"}]], {"joined": 1, "changed": 1, "onlyA": 0, "onlyB": 0}),
    # a repeated key joins on its first row
    ([[1, "a"], [1, "b"]], [[1, "a"]], {"joined": 1, "changed": 0, "onlyA": 0, "onlyB": 0, "dupA": 1}),
])
def test_join_rules(site, site_page, a, b, expected):
    sp = site_page(site)
    sp.open("", wait="body[data-ready=index]")
    got = sp.page.evaluate("""([a, b]) => {
        const fix = rows => rows.map(r => r.map(v => v === "NaN!" ? NaN : v));
        const r = MB.compareTable.join({columns: ["id", "v"], data: fix(a)}, {columns: ["id", "v"], data: fix(b)}, "id", ["v"]);
        return {joined: r.joined, changed: r.changed, onlyA: r.onlyA, onlyB: r.onlyB, dupA: r.dupA};
    }""", [[[("NaN!" if isinstance(v, float) and v != v else v) for v in r] for r in a],
           [[("NaN!" if isinstance(v, float) and v != v else v) for v in r] for r in b]])
    assert got == {"dupA": 0} | expected


def test_sort_by_change_value_and_key(site, site_page):
    """A click on a column head sorts the changed rows: on a number column by the change B - A (or
    its size, or either side's value), on a text column by B's value, on the key column by key;
    rows with nothing to sort on come last both ways; a third click restores the join order."""
    sp = site_page(site)
    box = ".cmp-row[data-key=conf] .cmp-tdiff"
    sp.open(f"#/compare?runs={A}@1000,{A}&step=5000", wait="body[data-ready=compare]")
    page = sp.page
    page.wait_for_selector(box, timeout=15000)
    keys = lambda: [k for _, k in listed(page, box)]  # noqa: E731
    assert counts(page, box) == {"joined": 5, "changed": 4, "only-a": 1, "only-b": 1, "dup-a": 0, "dup-b": 0, "shown": 6}
    assert keys() == ["0", "1", "2", "4", "5", "6"]

    def wait_keys(expected):
        page.wait_for_function(f"[...document.querySelectorAll({json.dumps(box + ' tbody tr')})].map(r => r.dataset.key).join()"
                               f" === {json.dumps(','.join(expected))}", timeout=5000)

    def click(col, expected):
        page.locator(f"{box} button.cmp-tdiff-sort[data-col='{col}']").click()
        wait_keys(expected)

    def sort_by(by, expected):
        page.locator(f"{box} select.cmp-tdiff-by").select_option(by)
        wait_keys(expected)

    click("conf", ["1", "2", "0", "4", "5", "6"])  # change: -0.6, +0.05, +0.3; then no change to sort on
    assert page.locator(f"{box} th:has(button[data-col=conf])").get_attribute("aria-sort") == "ascending"
    assert page.locator(f"{box} button[data-col=conf]").inner_text() == "conf ▲"
    click("conf", ["0", "2", "1", "4", "5", "6"])  # descending: the empty ones stay last
    sort_by("abs", ["1", "0", "2", "4", "5", "6"])  # |change| 0.6, 0.3, 0.05
    sort_by("b", ["0", "1", "2", "6", "4", "5"])  # B: 0.8, 0.3, 0.25, 0.1; 4 is null in B, 5 has no B row
    assert ps(page)["conf"]["sort"] == {"col": "conf", "dir": -1, "by": "b"}
    # the state survives a reload
    page.reload()
    page.wait_for_selector(box, timeout=15000)
    assert keys() == ["0", "1", "2", "6", "4", "5"]
    assert page.locator(f"{box} select.cmp-tdiff-by").input_value() == "b"
    sort_by("a", ["1", "5", "0", "4", "2", "6"])  # A: 0.9, 0.6, 0.5, 0.4, 0.2; 6 has no A row
    click("conf", ["0", "1", "2", "4", "5", "6"])  # third click: join order again
    assert page.locator(f"{box} th:has(button[data-col=conf])").get_attribute("aria-sort") == "none"
    # a text column sorts on B's values whatever "sort by" says about changes
    sort_by("delta", ["0", "1", "2", "4", "5", "6"])
    click("pred", ["2", "4", "0", "1", "6", "5"])  # bird, bird, cat, cat, dog; 5 has no B row
    click("", ["0", "1", "2", "4", "5", "6"])  # the key column, ascending
    click("", ["6", "5", "4", "2", "1", "0"])
    sp.screenshot("sorted")
