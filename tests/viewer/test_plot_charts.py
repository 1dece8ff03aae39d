"""Charts of tables (media.plot.*, plot_table; viewer/static/renderers/plot.js and
compare/plot.js) in a real browser (Chromium via Playwright, file://): the traces plotly drew,
read back from the plot element, on the run page and overlaid on the compare page. Outside
requests and console errors fail every test."""

from __future__ import annotations

import numpy as np
import pytest

import media
from viewer.build import build_site

pytestmark = pytest.mark.browser

A, B = "proj.alpha", "proj.beta"
XSS = "<img src=x onerror=window.__pwned=1>"
NAMES = ["cat", "dog", XSS]


def log_run(root, run_id, quality):
    rng = np.random.default_rng(len(run_id))
    truth = np.arange(60) % 3
    probs = rng.random((60, 3)) + quality * np.eye(3)[truth]
    media.init(project="proj", dir=str(root), name=run_id, id=run_id)
    t = media.Table(columns=["step", "loss", "which"], data=[[i, 1 / (i + 1 + quality), "train" if i % 2 else "val"] for i in range(10)])
    media.log({
        "pr": media.plot.pr_curve(truth, probs, labels=NAMES),
        "roc": media.plot.roc_curve(truth, probs, labels=NAMES),
        "cm": media.plot.confusion_matrix(probs=probs, y_true=truth, class_names=NAMES),
        "line": media.plot.line(t, "step", "loss", stroke="which", title="loss"),
        "bar": media.plot.bar(t, "step", "loss"),
        "hist": media.plot.histogram(t, "loss"),
        "series": media.plot.line_series([0, 1, 2], [[1, 2, 3], [3, 1, 0]], keys=["a", "b"], xname="epoch"),
        "custom": media.plot_table("me/my-spec", t, {"x": "step"}, {"title": "mine"}),
    }, step=0)
    media.finish()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("plot_charts")
    log_run(base / "runs", "alpha", 0.4)
    log_run(base / "runs", "beta", 2.0)
    build_site([base / "runs"], base / "site")
    return base / "site"


def plot_of(key):
    return f'article.panel[data-key="{key}"] .mb-plot-chart .mb-plot'


def traces(page, sel, expr="t => t.name"):
    page.wait_for_function(f"(document.querySelector({sel!r}) || {{}}).data !== undefined")
    return page.evaluate(f"document.querySelector({sel!r}).data.map({expr})")


def test_run_page_draws_every_chart(site, site_page):
    sp = site_page(site)
    sp.open_run(A)
    page = sp.page
    pr = traces(page, plot_of("pr"))
    assert len(pr) == 3 and pr[0].startswith("cat (AUC ") and pr[1].startswith("dog (AUC ")
    assert "&lt;img" in pr[2]  # a class name reaches plotly escaped, and shows as text
    auc = traces(page, plot_of("pr"), "t => t.meta.auc")
    assert all(0 < a <= 1 for a in auc)
    roc = traces(page, plot_of("roc"))
    assert roc[-1] == "chance" and len(roc) == 4
    cm = page.evaluate(f"(() => {{ const d = document.querySelector({plot_of('cm')!r}); "
                       f"return [d.data[0].type, d.data[0].x, d.data[0].z.flat().reduce((a, b) => a + b, 0), "
                       f"d.layout.xaxis.title.text, d.layout.yaxis.title.text]; }})()") if traces(page, plot_of("cm")) else None
    assert cm[0] == "heatmap" and cm[1][:2] == ["cat", "dog"] and cm[2] == 60
    assert cm[3:] == ["Predicted", "Actual"]
    assert sorted(traces(page, plot_of("line"))) == ["train", "val"]
    assert traces(page, plot_of("bar"), "t => t.type") == ["bar"]
    assert traces(page, plot_of("hist"), "t => t.type") == ["histogram"]
    assert traces(page, plot_of("series")) == ["a", "b"]
    note = page.locator('article.panel[data-key="custom"] .mb-plot-chart .mb-note')
    assert "me/my-spec is not drawn" in note.text_content()
    page.wait_for_selector('article.panel[data-key="custom"] .mb-plot-chart table')
    # the escaped class name is drawn as text in the heat map's axis, never as markup
    page.wait_for_function(f"document.querySelector({plot_of('cm')!r}).textContent.includes('<img src=x')")
    assert page.evaluate("window.__pwned") is None
    page.locator('article.panel[data-key="pr"]').scroll_into_view_if_needed()
    page.locator('article.panel[data-key="pr"]').screenshot(path=str(sp.screenshot("page").parent / "plot-pr.png"))
    page.locator('article.panel[data-key="cm"]').screenshot(path=str(sp.screenshot("page").parent / "plot-cm.png"))


def open_compare(sp, query=""):
    sp.open(f"#/compare?runs={A},{B}" + (f"&{query}" if query else ""), wait="body[data-ready=compare]")


def test_compare_overlays_two_runs_pr_curves(site, site_page):
    sp = site_page(site)
    open_compare(sp)
    page = sp.page
    row = page.locator(".cmp-row[data-key=pr]")
    row.scroll_into_view_if_needed()
    sel = ".cmp-row[data-key=pr] .cmp-plot .cmp-plot-plot"
    names = traces(page, sel)
    assert len(names) == 6 and names[0].startswith("alpha") and names[3].startswith("beta")
    colors = traces(page, sel, "t => t.line.color")
    assert len(set(colors[:3])) == 1 and len(set(colors[3:])) == 1 and colors[0] != colors[3]
    assert row.get_attribute("data-mode") == "overlay"
    roc = traces(page, ".cmp-row[data-key=roc] .cmp-plot .cmp-plot-plot")
    assert roc.count("chance") == 1 and len(roc) == 7
    row.screenshot(path=str(sp.screenshot("page").parent / "plot-compare-pr.png"))


def test_compare_confusion_matrices_side_by_side_or_difference(site, site_page):
    sp = site_page(site)
    open_compare(sp)
    page = sp.page
    row = page.locator(".cmp-row[data-key=cm]")
    row.scroll_into_view_if_needed()
    assert row.get_attribute("data-mode") == "side"  # confusion matrices do not overlay
    assert row.locator(".mb-plot-chart").count() == 2
    row.locator("select.cmp-mode").select_option("diff")
    page.wait_for_function("document.querySelector('.cmp-row[data-key=cm]').dataset.mode === 'diff'")
    sel = ".cmp-row[data-key=cm] .cmp-plot .cmp-plot-plot"
    z = traces(page, sel, "t => t.z")[0]
    assert len(z) == 3 and sum(map(sum, z)) == 0  # each run has 60 samples: the changes add up to 0
    assert any(v != 0 for r in z for v in r)
    row.screenshot(path=str(sp.screenshot("page").parent / "plot-compare-cm.png"))
