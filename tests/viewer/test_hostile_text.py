"""Every user-controlled string of a run, with every payload family, on every page: nothing runs,
nothing is injected, no dialog opens, nothing leaves the site (docs/security.md, "Text").

Two hostile runs put each payload in each location at once; the site (index, run pages, compare
page with every row in its default mode), a report, a ci gallery and a single-file export are
opened in Chromium, every button and checkbox of the page is clicked, and the page is searched.
"""

from __future__ import annotations

import numpy as np
import pytest

import media
from viewer import ci, cli
from viewer.build import build_site

pytestmark = pytest.mark.browser

PAYLOADS = [
    '<img src=x onerror="window.__pwned=1">',
    '<svg onload="window.__pwned=2"></svg>',
    '"><script>window.__pwned=3</script>',
    "javascript:window.__pwned=4",
    "</script><script>window.__pwned=5</script>",
    "{{constructor.constructor('window.__pwned=6')()}}${window.__pwned=7}",
    "<iframe srcdoc='<script>parent.__pwned=8</script>'></iframe>",
    "evil\u202egnp.exe\u0007",
]

LOCATIONS = ["name", "notes", "tag", "group", "job_type", "config key", "config value", "summary key",
             "summary value", "scalar key", "media key", "caption", "table column", "table cell",
             "class label", "box caption", "text value", "histogram key"]


def _hostile(root, run_id: str, shift: int) -> None:
    p = PAYLOADS
    media.init(project="hostile", dir=str(root), id=run_id, name=f"{run_id} {p[0]}", notes=" ".join(p),
               tags=list(p), group=p[2] + p[7], job_type=p[1],
               config={f"cfg{i} {x}": f"val {x}" for i, x in enumerate(p)})
    for s in range(2):
        row = {f"loss {x}": float(i + s + shift) for i, x in enumerate(p)}
        row.update({f"txt {x}": f"said {x}" for x in p})
        row[f"img {p[0]}"] = media.Image(
            np.full((16, 16, 3), 40 * (s + shift), np.uint8), caption=" ".join(p),
            classes=[{"id": i + 1, "name": x} for i, x in enumerate(p)],
            boxes={"pred": {"box_data": [{"position": {"minX": 0.1, "minY": 0.1, "maxX": 0.6, "maxY": 0.6},
                                          "class_id": 1, "box_caption": " ".join(p)}]}})
        row[f"tab {p[1]}"] = media.Table(columns=list(p), data=[list(p), [str(s + shift)] * len(p)])
        row[f"hist {p[2]}"] = media.Histogram(np.random.default_rng(s).normal(size=200))
        media.log(row, step=s)
    media.summary.update({f"sum {x}": x for x in p})
    media.finish()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    root = base / "runs"
    _hostile(root, "ha", 0)
    _hostile(root, "hb", 1)
    build_site([root], base / "site")
    return base, root


def _click_everything(page) -> int:
    """Click every button and checkbox once (in the page and its same-origin frames)."""
    n = page.evaluate("""() => {
        const els = [...document.querySelectorAll('button, input[type=checkbox], summary')]
          .filter(e => !e.closest('.modebar'));
        els.forEach(e => { try { e.click(); } catch (err) {} });
        return els.length; }""")
    page.wait_for_timeout(300)
    return n


def _assert_inert(sp, dialogs) -> None:
    page = sp.page
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    # nothing from a run became markup in the page (frames hold only sandboxed Html/Bokeh)
    assert page.locator("img[src=x], svg[onload], iframe[srcdoc*='parent']").count() == 0
    # no script element is a payload (data scripts of an export hold the strings as JSON text)
    scripts = page.evaluate("[...document.scripts].map(s => s.textContent.trim().slice(0, 40))")
    assert not any(s.startswith(("window.__pwned", "parent.__pwned")) for s in scripts), scripts
    text = page.evaluate("document.body.innerText")
    assert "\u202e" not in text


def _open(sp, fragment: str, wait: str, dialogs: list) -> None:
    sp.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sp.open(fragment, wait=wait)


def test_index_run_and_compare_pages(hostile_site, site_page):
    base, _ = hostile_site
    sp = site_page(base / "site")
    dialogs: list = []
    _open(sp, "", "body[data-ready=index]", dialogs)
    clicked = _click_everything(sp.page)
    _assert_inert(sp, dialogs)
    for run in ("hostile.ha", "hostile.hb"):
        sp.open_run(run)
        sp.page.wait_for_selector("body[data-charts=ready]")
        clicked += _click_everything(sp.page)
        _assert_inert(sp, dialogs)
    sp.open("#/compare?runs=hostile.ha,hostile.hb", wait="body[data-ready=compare]")
    sp.page.wait_for_timeout(800)
    clicked += _click_everything(sp.page)
    _assert_inert(sp, dialogs)
    sp.screenshot("compare")
    assert clicked > 40
    print(f"\n{len(PAYLOADS)} payloads x {len(LOCATIONS)} locations = {len(PAYLOADS) * len(LOCATIONS)} "
          f"combinations, 4 pages, {clicked} controls clicked")


def test_report_ci_gallery_and_export(hostile_site, site_page, tmp_path):
    base, root = hostile_site
    md = tmp_path / "r.md"
    key = f"img {PAYLOADS[0]}"
    md.write_text(f"# Report {PAYLOADS[0]}\n\n{PAYLOADS[3]} [x]({PAYLOADS[3]})\n\n"
                  f"```mediaboard\nmedia: {key}\nrun: hostile/ha\ntitle: {PAYLOADS[2]}\n```\n\n"
                  "```mediaboard\nconfig: hostile/ha\n```\n", encoding="utf-8")
    assert cli.main(["report", str(md), "-o", str(tmp_path / "rep"), "--runs", str(root), "-q"]) == 0
    sp = site_page(tmp_path / "rep")
    dialogs: list = []
    sp.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sp.page.goto((tmp_path / "rep" / "report.html").as_uri())
    sp.page.wait_for_selector("body[data-report=ready]", timeout=20000)
    _click_everything(sp.page)
    _assert_inert(sp, dialogs)

    gallery = tmp_path / "ci"
    ci.main(["--baseline", str(root / "hostile" / "ha"), "--candidate", str(root / "hostile" / "hb"),
             "-o", str(gallery)])
    sp2 = site_page(gallery)
    sp2.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sp2.page.goto((gallery / "index.html").as_uri())
    sp2.page.wait_for_load_state("load")
    _click_everything(sp2.page)
    _assert_inert(sp2, dialogs)
    summary = (gallery / "summary.md").read_text(encoding="utf-8")
    assert "<script" not in summary and "<img src=x" not in summary and "\u202e" not in summary

    export = tmp_path / "export"
    assert cli.main(["export", str(root / "hostile" / "ha"), "--single-file", str(export / "index.html"),
                     "-q"]) == 0
    sp3 = site_page(export)
    sp3.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sp3.open_run("hostile.ha")
    sp3.page.wait_for_selector("body[data-charts=ready]")
    _click_everything(sp3.page)
    _assert_inert(sp3, dialogs)
