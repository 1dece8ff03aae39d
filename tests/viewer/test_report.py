"""``mediaboard report``: Markdown rendering, panel syntax errors with line numbers, the output
folder, and (in Chromium, from file://) every panel kind drawing real content."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

import media
from viewer import cli, markdown, report

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "runs"

REPORT = """\
# Fixture report

Two runs, **bold**, *em*, `code <b>` and a [link](https://example.org).

- first item
- second item
  1. nested

| metric | a | b |
|:--|--:|:-:|
| loss | 0.05 | 0.06 |

```python
print("<b>not bold</b>")
```

> A quoted remark.

```mediaboard
chart: train/loss, val/loss
runs: demo/fixture-a, demo/fixture-b   # two runs
```

```mediaboard
media: examples
run: demo/fixture-a
step: 6
```

```mediaboard
media: examples
run: fixture-b
```

```mediaboard
table: predictions
run: demo/fixture-a
step: 10
```

```mediaboard
compare: examples
runs: demo/fixture-a, demo/fixture-b
step: 10
```

```mediaboard
config: demo/fixture-a
```

```mediaboard
summary: demo/fixture-b
title: final numbers
```

```mediaboard
media: status    # a text key, at a step it was not logged at
run: demo/fixture-a
step: 7
```

```mediaboard
chart: lr
run: demo/fixture-a
x: epoch
logy: yes
smooth: 0.5
```
"""


def write(tmp_path: Path, text: str, name: str = "report.md") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def run_report(capsys, md: Path, out: Path, *roots: str) -> tuple[int, str, str]:
    argv = [str(md), "-o", str(out), "-q"]
    if roots:
        argv += ["--runs", *roots]
    code = report.main(argv)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    page = report.build_report(write(tmp, REPORT), tmp / "out", [str(FIXTURES)])
    assert page == tmp / "out" / "report.html"
    return tmp / "out"


# ------------------------------------------------------------------------------------------------
# Markdown
# ------------------------------------------------------------------------------------------------


def test_markdown_blocks():
    blocks = markdown.parse(REPORT)
    kinds = [b["t"] for b in blocks]
    assert kinds[:7] == ["heading", "para", "list", "table", "code", "quote", "code"]
    lst = blocks[2]
    assert not lst["ordered"] and len(lst["items"]) == 2
    assert lst["items"][1][1]["t"] == "list" and lst["items"][1][1]["ordered"]
    table = blocks[3]
    assert table["align"] == ["left", "right", "center"]
    assert [markdown.plain_text(c) for c in table["rows"][0]] == ["loss", "0.05", "0.06"]
    assert blocks[4]["lang"] == "python" and blocks[4]["text"] == 'print("<b>not bold</b>")'
    assert blocks[6]["lang"] == "mediaboard" and blocks[6]["line"] == 19


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**b** and *e*", [("strong", "b"), ("text", " and "), ("em", "e")]),
        ("__b__ _e_", [("strong", "b"), ("text", " "), ("em", "e")]),
        ("snake_case_name", [("text", "snake_case_name")]),
        ("`a *b*`", [("code", "a *b*")]),
        (r"\*not em\*", [("text", "*not em*")]),
        ("<script>x</script>", [("text", "<script>x</script>")]),
        ("[ok](https://a.org)", [("link", "ok")]),
        ("[bad](javascript:alert(1))", [("span", "bad")]),
        ("[bad](data:text/html,x)", [("span", "bad")]),
        ("<https://a.org>", [("link", "https://a.org")]),
    ],
)
def test_markdown_inline(text, expected):
    nodes = markdown.inline(text)
    got = [(n["t"], n.get("s", markdown.plain_text(n.get("c", [])))) for n in nodes]
    assert got == expected


def test_markdown_setext_hard_break_and_rule():
    blocks = markdown.parse("Title\n=====\n\nline one  \nline two\n\n***\n")
    assert blocks[0]["t"] == "heading" and blocks[0]["level"] == 1
    assert [n["t"] for n in blocks[1]["inl"]] == ["text", "br", "text"]
    assert blocks[2]["t"] == "hr"


# ------------------------------------------------------------------------------------------------
# the output folder
# ------------------------------------------------------------------------------------------------


def test_output_is_a_site_plus_report(built):
    assert (built / "report.html").is_file() and (built / "index.html").is_file()
    assert (built / "data" / "demo.fixture-a" / "run.js").is_file()
    assert (built / "files" / "demo.fixture-b").is_dir()
    page = (built / "report.html").read_text()
    figs = re.findall(r'<figure class="mb-panel mb-panel-(\w+)"[^>]*data-line="(\d+)"', page)
    assert figs == [
        ("chart", "20"),
        ("media", "25"),
        ("media", "31"),
        ("table", "36"),
        ("compare", "42"),
        ("config", "48"),
        ("summary", "52"),
        ("media", "57"),
        ("chart", "63"),
    ]
    # every script and stylesheet the page names exists in the folder; nothing from outside
    for ref in re.findall(r'(?:src|href)="([^"#]+)"', page):
        assert ref.startswith("https://example.org") or (built / ref).is_file(), ref
    assert "<b>not bold</b>" not in page and "&lt;b&gt;not bold&lt;/b&gt;" in page


def test_only_named_runs_are_built(tmp_path, capsys):
    md = write(tmp_path, "# One run\n\n```mediaboard\nconfig: demo/fixture-b\n```\n")
    code, out, err = run_report(capsys, md, tmp_path / "out", str(FIXTURES))
    assert code == 0, err
    assert out.strip() == str((tmp_path / "out" / "report.html").resolve())
    assert sorted(p.name for p in (tmp_path / "out" / "data").iterdir() if p.is_dir()) == [
        "demo.fixture-b"
    ]


def test_run_named_by_folder_relative_to_the_report(tmp_path, capsys):
    folder = FIXTURES / "demo" / "fixture-a"
    md_dir = tmp_path / "docs"
    md_dir.mkdir()
    rel = Path(os.path.relpath(folder, md_dir))
    md = write(md_dir, f"```mediaboard\nmedia: examples\nrun: {rel.as_posix()}\nstep: 4\n```\n")
    code, _, err = run_report(capsys, md, tmp_path / "out")
    assert code == 0, err
    spec = json.loads(
        re.search(r'data-spec="([^"]+)"', (tmp_path / "out" / "report.html").read_text())
        .group(1)
        .replace("&#34;", '"')
    )
    assert spec["runs"][0]["key"] == "demo.fixture-a" and spec["step"] == 4


def test_cli_registers_report(tmp_path, capsys):
    md = write(tmp_path, "```mediaboard\nsummary: demo/fixture-a\n```\n")
    code = cli.main(["report", str(md), "-o", str(tmp_path / "out"), "--runs", str(FIXTURES), "-q"])
    assert code == 0
    assert (tmp_path / "out" / "report.html").is_file()
    capsys.readouterr()
    code = cli.main(["report", str(md).replace(".md", "-missing.md"), "-o", str(tmp_path / "o2")])
    err = capsys.readouterr().err
    assert code == 2 and "does not exist" in err and len(err.strip().splitlines()) == 1


# ------------------------------------------------------------------------------------------------
# errors: one line on stderr, exit code 2, file:line
# ------------------------------------------------------------------------------------------------

ERRORS = [
    (
        "intro\n\n```mediaboard\nchart: train/loss\nruns: demo/fixture-a\ncolour: red\n```\n",
        6,
        r"unknown option 'colour' in mediaboard chart block \(expected one of: runs, run, x, smooth, logy, cursor, title\)",
    ),
    (
        "```mediaboard\ngallery: examples\nrun: demo/fixture-a\n```\n",
        2,
        r"unknown panel kind 'gallery' in mediaboard block \(expected one of: chart, media, table, compare",
    ),
    (
        "# t\n\n```mediaboard\nmedia: examples\nrun: demo/nope\n```\n",
        5,
        r"run 'demo/nope' not found under .* known: demo/fixture-a, demo/fixture-b",
    ),
    (
        "```mediaboard\nchart: train/loss, val/acc\nruns: demo/fixture-a, demo/fixture-b\n```\n",
        2,
        r"chart: key 'val/acc' is not a numeric key of run demo/fixture-a \(its numeric keys: train/loss",
    ),
    (
        "```mediaboard\nmedia: nothing\nrun: demo/fixture-a\n```\n",
        2,
        r"media: key 'nothing' is not a media key of run demo/fixture-a \(its media keys: audio",
    ),
    (
        "```mediaboard\ncompare: examples\nruns: demo/fixture-a, demo/fixture-c\n```\n",
        3,
        r"run 'demo/fixture-c' not found",
    ),
    (
        "```mediaboard\ntable: examples\nrun: demo/fixture-a\n```\n",
        2,
        r"table: key 'examples' of run demo/fixture-a holds image values, not tables",
    ),
    (
        "```mediaboard\nmedia: examples\nrun: demo/fixture-a\nstep: ten\n```\n",
        4,
        r"step: expected a step \(an integer >= 0\); got 'ten'",
    ),
    (
        "```mediaboard\nchart: train/loss\nruns: demo/fixture-a\nsmooth: 1.5\n```\n",
        4,
        r"smooth: expected a number from 0 to 0.99; got '1.5'",
    ),
    (
        "```mediaboard\nchart: train/loss\nruns: demo/fixture-a\nlogy: maybe\n```\n",
        4,
        r"logy: expected yes or no; got 'maybe'",
    ),
    (
        "```mediaboard\nchart: train/loss\nruns: demo/fixture-a\nx: epochs\n```\n",
        4,
        r"x: expected _step, _runtime, _timestamp or a numeric key of every run; 'epochs'",
    ),
    ("```mediaboard\nmedia: examples\n```\n", 2, r"mediaboard media block needs 'run: \.\.\.'"),
    (
        "```mediaboard\nmedia: examples\nrun: demo/fixture-a, demo/fixture-b\n```\n",
        3,
        r"run: expected one run; got 2",
    ),
    (
        "```mediaboard\nconfig: demo/fixture-a\nsummary: demo/fixture-a\n```\n",
        3,
        r"two panel kinds in one mediaboard block",
    ),
    (
        "```mediaboard\nmedia: examples\nrun: demo/fixture-a\nrun: demo/fixture-b\n```\n",
        4,
        r"option 'run' given twice \(first on line 3\)",
    ),
    ("text\n```mediaboard\n```\n", 2, r"empty mediaboard block"),
    (
        "```mediaboard\nchart train/loss\n```\n",
        2,
        r"expected 'option: value' in mediaboard block; got 'chart train/loss'",
    ),
    (
        "```mediaboard\nchart:\nruns: demo/fixture-a\n```\n",
        2,
        r"chart: expected keys after 'chart:'",
    ),
    ("a\n\n```mediaboard\nconfig: demo/fixture-a\n", 3, r"mediaboard block is not closed"),
    (
        "```mediaboard\nmedia: examples\nrun: demo/fixture-a\nstep: 4\ncursor: t\n```\n",
        5,
        r"cursor: a panel with 'step: 4' shows one fixed step and cannot follow a cursor",
    ),
    (
        "```mediaboard\nmedia: examples\nrun: demo/fixture-a\ncursor: two words\n```\n",
        4,
        r"cursor: expected a name of letters, digits, '_', '.' or '-' \(up to 40\); got 'two words'",
    ),
    (
        "```mediaboard\nchart: train/loss\nruns: demo/fixture-a\nx: _runtime\ncursor: t\n```\n"
        "```mediaboard\nmedia: examples\nrun: demo/fixture-a\ncursor: t\n```\n",
        5,
        r"cursor: a chart marks the cursor's step on an x-axis of steps; this chart's x is '_runtime'",
    ),
    (
        "# r\n\n```mediaboard\nchart: train/loss\nruns: demo/fixture-a\ncursor: lonely\n```\n",
        6,
        r"cursor: 'lonely' is followed by charts only; a media, table or compare panel",
    ),
    (
        "- item\n\n  ```mediaboard\n  config: demo/fixture-a\n  colour: red\n  ```\n",
        5,
        r"unknown option 'colour' in mediaboard config block \(expected one of: title\)",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), ERRORS)
def test_errors_name_file_and_line(tmp_path, capsys, text, line, message):
    md = write(tmp_path, text)
    code, out, err = run_report(capsys, md, tmp_path / "out", str(FIXTURES))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{md}:{line}: "), err
    assert re.search(message, lines[0]), err
    assert not (tmp_path / "out" / "report.html").exists()


def test_step_before_the_first_entry(root, tmp_path, capsys):
    run = media.init(project="late", id="late-run", name="late")
    media.log({"loss": 1.0}, step=0)
    media.log({"pic": media.Image(np.zeros((8, 8, 3), dtype=np.uint8))}, step=5)
    media.finish()
    md = write(tmp_path, "```mediaboard\nmedia: pic\nrun: late\nstep: 3\n```\n")
    code, _, err = run_report(capsys, md, tmp_path / "out", str(Path(run.dir).parent))
    assert code == 2
    assert re.search(
        rf"^{re.escape(str(md))}:4: step: 'pic' of run late/late-run has no entry at or before "
        r"step 3 \(first logged at step 5\)$",
        err.strip(),
    ), err


def test_ambiguous_run_name(root, tmp_path, capsys):
    for i in range(2):
        media.init(project=f"p{i}", id=f"r{i}", name="same")
        media.log({"loss": 1.0})
        media.finish()
    md = write(tmp_path, "text\n\n```mediaboard\nconfig: same\n```\n")
    code, _, err = run_report(capsys, md, tmp_path / "out", str(root))
    assert (
        code == 2
        and f"{md}:4: run 'same' is ambiguous: 2 runs match (p0/r0, p1/r1); give project/id" in err
    )


def test_bad_runs_root(tmp_path, capsys):
    md = write(tmp_path, "# nothing\n")
    code, _, err = run_report(capsys, md, tmp_path / "out", str(tmp_path / "nowhere"))
    assert code == 2 and "--runs: expected a run folder or a folder of runs" in err


# ------------------------------------------------------------------------------------------------
# in the browser
# ------------------------------------------------------------------------------------------------


def _open_report(site_page, site: Path, **kw):
    sp = site_page(site, **kw)
    sp.page.goto((site / "report.html").as_uri())
    sp.page.wait_for_selector("body[data-report=ready]", timeout=20000)
    return sp


@pytest.mark.browser
def test_every_panel_kind_draws(site_page, built):
    sp = _open_report(site_page, built)
    page = sp.page
    states = page.eval_on_selector_all("figure.mb-panel", "fs => fs.map(f => f.dataset.state)")
    assert states == ["ready"] * 9
    # markdown
    assert page.inner_text("main h1") == "Fixture report"
    assert page.eval_on_selector_all("main > ul > li", "els => els.length") == 2
    assert page.inner_text("main table.md-table tbody td") == "loss"
    assert page.inner_text("main pre.md-code code") == 'print("<b>not bold</b>")'
    assert page.inner_text("main blockquote") == "A quoted remark."
    # chart: two keys, one trace per run in each
    traces = page.eval_on_selector_all(
        "#panel-1 .chart",
        "cs => cs.map(c => [c.dataset.key, c.querySelectorAll('.scatterlayer .trace').length])",
    )
    assert traces == [["train/loss", 2], ["val/loss", 2]]
    legend = page.eval_on_selector_all(
        "#panel-1 .chart[data-key='train/loss'] .legendtext", "ls => ls.map(l => l.textContent)"
    )
    assert legend == ["fixture-a", "fixture-b"]
    # media at a fixed step: the step-6 images of fixture-a
    srcs = page.eval_on_selector_all("#panel-2 img", "is => is.map(i => i.getAttribute('src'))")
    assert srcs and all(
        re.search(r"files/demo\.fixture-a/media/examples/6_\d\.png$", s) for s in srcs
    ), srcs
    assert page.eval_on_selector_all(
        "#panel-2 img", "is => is.every(i => i.complete && i.naturalWidth === 96)"
    )
    assert page.get_attribute("#panel-2 .mb-compare-cell", "data-step") == "6"
    # media with its own cursor: starts at the last step, the ◀ button moves it
    assert page.get_attribute("#panel-3", "data-cursor") == "10"
    page.click("#panel-3 button[aria-label='Previous step']")
    page.wait_for_selector("#panel-3[data-cursor='8']")
    srcs = page.eval_on_selector_all("#panel-3 img", "is => is.map(i => i.getAttribute('src'))")
    assert srcs and all("files/demo.fixture-b/media/examples/8_" in s for s in srcs), srcs
    assert page.get_attribute("#panel-2 .mb-compare-cell", "data-step") == "6"  # other panels stay
    # table: the 6 rows of predictions at step 10
    assert page.eval_on_selector_all("#panel-4 tbody tr", "rs => rs.length") == 6
    assert page.get_attribute("#panel-4 .mb-compare-cell", "data-step") == "10"
    # compare: one column per run, both at step 10
    cells = page.eval_on_selector_all(
        "#panel-5 .mb-compare-cell",
        "cs => cs.map(c => [c.dataset.run, c.querySelector('h4').textContent,"
        " c.querySelector('[data-step]').dataset.step, c.querySelectorAll('img').length])",
    )
    assert [c[:3] for c in cells] == [
        ["demo.fixture-a", "fixture-a", "10"],
        ["demo.fixture-b", "fixture-b", "10"],
    ]
    assert all(c[3] >= 4 for c in cells)
    # config and summary rows
    config = dict(
        page.eval_on_selector_all(
            "#panel-6 table.kv tr",
            "rs => rs.map(r => [r.cells[0].textContent, r.cells[1].textContent])",
        )
    )
    assert config["model.name"] == "tiny-unet" and config["batch_size"] == "32"
    summary = dict(
        page.eval_on_selector_all(
            "#panel-7 table.kv tr",
            "rs => rs.map(r => [r.cells[0].textContent, r.cells[1].textContent])",
        )
    )
    assert summary["_step"] == "11" and "best_val_loss" in summary
    assert page.inner_text("#panel-7 .mb-panel-title") == "final numbers"
    assert page.get_attribute("#panel-7 .mb-run-link", "href") == "index.html#/run/demo.fixture-b"
    # a text key at step 7 shows its step-5 entry, labelled as the nearest earlier
    assert "step 5: loss" in page.inner_text("#panel-8 .mb-media-body")
    assert page.inner_text("#panel-8 .mb-step-label").startswith(
        "showing step 5 (nearest earlier than 7)"
    )
    # chart options: log y, x = epoch, one run and no legend
    layout = page.evaluate(
        "(() => { const c = document.querySelector('#panel-9 .chart'); "
        "return [c._fullLayout.yaxis.type, c._fullLayout.xaxis.title.text, c._fullLayout.showlegend,"
        " c.querySelectorAll('.scatterlayer .trace').length]; })()"
    )
    assert layout == ["log", "epoch", False, 2]  # smoothed, and the raw series faint behind
    sp.screenshot("report")


@pytest.mark.browser
def test_markdown_text_is_never_html(site_page, tmp_path):
    text = (
        "# <script>window.__pwned = 1</script> title\n\n"
        'Text <img src=x onerror="window.__pwned = 2"> and <b>not bold</b>.\n\n'
        '[click](javascript:window.__pwned=3) and <a href="javascript:alert(1)">raw</a>\n\n'
        "| <i>cell</i> |\n|---|\n| <script>window.__pwned = 4</script> |\n\n"
        "```mediaboard\nconfig: demo/fixture-a\ntitle: <script>window.__pwned = 5</script>\n```\n"
    )
    md = write(tmp_path, text)
    report.build_report(md, tmp_path / "out", [str(FIXTURES)])
    sp = _open_report(site_page, tmp_path / "out")
    page = sp.page
    assert page.evaluate("window.__pwned") is None
    assert page.inner_text("main h1") == "<script>window.__pwned = 1</script> title"
    assert 'Text <img src=x onerror="window.__pwned = 2"> and <b>not bold</b>.' in page.inner_text(
        "main"
    )
    assert (
        page.eval_on_selector_all("main script, main img, main b, main i", "els => els.length") == 0
    )
    assert page.eval_on_selector_all("main a[href^='javascript']", "els => els.length") == 0
    assert page.inner_text("main .md-unsafe-link") == "click"
    assert page.inner_text("#panel-1 .mb-panel-title") == "<script>window.__pwned = 5</script>"
    sp.screenshot("escaped")


@pytest.mark.browser
def test_site_pages_ignore_report_js(site_page, built):
    """report.js is loaded on every page: on the runs index and run pages it does nothing."""
    sp = site_page(built)
    sp.open("", wait="body[data-ready=index]")
    assert sp.page.eval_on_selector_all("#runs-table tbody tr", "rs => rs.length") == 2
    sp.open_run("demo.fixture-a")
    assert sp.page.eval_on_selector_all("article.panel", "ps => ps.length") >= 12
    assert sp.page.get_attribute("body", "data-report") is None


@pytest.mark.browser
def test_report_fits_a_phone(site_page, built):
    sp = _open_report(site_page, built, width=420, height=900)
    page = sp.page
    assert page.eval_on_selector_all(
        "figure.mb-panel", "fs => fs.every(f => f.dataset.state === 'ready')"
    )
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('figure.mb-panel')).filter("
        "f => f.getBoundingClientRect().right > window.innerWidth + 1).map(f => f.id)"
    )
    assert wide == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    widths = page.eval_on_selector_all(
        "#panel-1 .chart", "cs => cs.map(c => c.getBoundingClientRect().width)"
    )
    assert len(widths) == 2 and all(100 < w <= 420 for w in widths), widths
    sp.screenshot("phone")


def test_rebuild_updates_the_same_folder(tmp_path, capsys):
    md = write(tmp_path, "```mediaboard\nconfig: demo/fixture-a\n```\n")
    out = tmp_path / "out"
    assert run_report(capsys, md, out, str(FIXTURES))[0] == 0
    write(tmp_path, "# Now b\n\n```mediaboard\nsummary: demo/fixture-b\n```\n")
    assert run_report(capsys, md, out, str(FIXTURES))[0] == 0
    page = (out / "report.html").read_text()
    assert '<h1 id="now-b">Now b</h1>' in page and "demo.fixture-a" not in page
    assert sorted(p.name for p in (out / "data").iterdir() if p.is_dir()) == ["demo.fixture-b"]


SHARED = """# Shared cursor

```mediaboard
media: examples
run: demo/fixture-a
cursor: train
```

```mediaboard
media: audio
run: demo/fixture-a
cursor: train
```

```mediaboard
compare: weights
runs: demo/fixture-a, demo/fixture-b
cursor: train
```

```mediaboard
chart: train/loss
runs: demo/fixture-a
cursor: train
```

```mediaboard
table: predictions
run: demo/fixture-a
cursor: train
```

```mediaboard
media: examples   # its own cursor
run: demo/fixture-b
```
"""


@pytest.mark.browser
def test_panels_share_a_named_cursor(site_page, tmp_path):
    """Panels with the same `cursor:` move together over the union of their steps (examples and
    weights at 0, 2, ..., 10, audio at 0, 5, 10, predictions at 0, 10, 11), each showing its
    nearest earlier entry; the chart of that cursor marks the step; other panels stay put."""
    out = tmp_path / "out"
    report.build_report(write(tmp_path, SHARED), out, [str(FIXTURES)])
    sp = _open_report(site_page, out)
    page = sp.page
    assert (
        page.eval_on_selector_all("figure.mb-panel", "fs => fs.map(f => f.dataset.state)")
        == ["ready"] * 6
    )
    union = [0, 2, 4, 5, 6, 8, 10, 11]
    spec = page.evaluate("JSON.parse(document.querySelector('#panel-1').dataset.spec)")
    assert (
        spec["cursor"] == "train" and spec["cursor_steps"] == union and spec["cursor_panels"] == 5
    )

    def shown():
        """{panel: (cursor step, [steps shown by its cells])}"""
        return page.evaluate(
            "[1, 2, 3, 4, 5, 6].map(i => { const f = document.querySelector('#panel-' + i);"
            " return [f.dataset.cursor || null,"
            " [...f.querySelectorAll('.mb-compare-cell[data-step], .mb-cell[data-step]')].map(c => c.dataset.step)]; })"
        )

    def wait_all(step):
        page.wait_for_function(
            f"[1, 2, 3, 4, 5].every(i => document.querySelector('#panel-' + i).dataset.cursor === '{step}')"
        )

    wait_all(11)
    assert shown()[:5] == [
        ["11", ["10"]],
        ["11", ["10"]],
        ["11", ["10", "10"]],
        ["11", []],
        ["11", ["11"]],
    ]
    assert page.get_attribute("#panel-6", "data-cursor") == "10"
    label = page.inner_text("#panel-2 .mb-cursor output")
    assert label == "step 11 (8 of 8) · cursor “train”, shared by 5 panels"
    # move the audio panel's slider to step 5: every panel of the cursor follows
    page.locator("#panel-2 .mb-cursor input[type=range]").fill(str(union.index(5)))
    wait_all(5)
    got = shown()
    assert got[:5] == [["5", ["4"]], ["5", ["5"]], ["5", ["4", "4"]], ["5", []], ["5", ["0"]]]
    assert got[5][0] == "10"  # a panel with its own cursor stays
    assert all(
        page.eval_on_selector_all(
            f"#panel-{i} .mb-cursor input[type=range]", "rs => rs.map(r => r.value)"
        )
        == ["3"]
        for i in (1, 2, 3, 5)
    )
    srcs = page.eval_on_selector_all("#panel-1 img", "is => is.map(i => i.getAttribute('src'))")
    assert srcs and all("files/demo.fixture-a/media/examples/4_" in s for s in srcs), srcs
    # the chart draws a line at the cursor's step
    shapes = page.evaluate(
        "document.querySelector('#panel-4 .chart').layout.shapes.map(s => [s.x0, s.x1])"
    )
    assert shapes == [[5, 5]]
    assert page.url.endswith("report.html#cursor=train:5")  # a link to this view
    # the ▶ button of another panel moves them all on
    page.click("#panel-5 button[aria-label='Next step']")
    wait_all(6)
    assert page.evaluate("document.querySelector('#panel-4 .chart').layout.shapes[0].x0") == 6
    sp.screenshot("shared")
    # a link opens the report at its cursor's step (a step not logged: the nearest earlier one)
    page.goto((out / "report.html").as_uri() + "#cursor=train:9")
    page.reload()
    page.wait_for_selector("body[data-report=ready]", timeout=20000)
    wait_all(8)
    assert page.get_attribute("#panel-6", "data-cursor") == "10"


# ---- CommonMark through markdown-it-py (each of these was wrong in the home-made parser) -------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*a **b** c*", [("em", "a b c")]),
        ("&copy; &amp; &#x41;", [("text", "© & A")]),
        ("***strong em***", [("em", "strong em")]),
        ("a\\\nb", [("text", "a"), ("br", ""), ("text", "b")]),
        ("![alt](pic.png)", [("link", "alt")]),
        ("![alt](javascript:x)", [("span", "alt")]),
        ("<b>raw</b>", [("text", "<b>raw</b>")]),
    ],
)
def test_markdown_follows_commonmark(text, expected):
    nodes = markdown.inline(text)
    got = [(n["t"], n.get("s", markdown.plain_text(n.get("c", [])))) for n in nodes]
    assert got == expected


def test_markdown_nested_emphasis_and_rules_after_lists():
    em = markdown.inline("*a **b** c*")[0]
    assert [c["t"] for c in em["c"]] == ["text", "strong", "text"]
    blocks = markdown.parse("- item\n\n* * *\n\n    indented code\n")
    assert [b["t"] for b in blocks] == ["list", "hr", "code"]
    assert blocks[2]["text"] == "indented code" and blocks[2]["line"] == 5


def test_mediaboard_fences_keep_line_numbers_in_lists_and_quotes():
    text = "intro\n\n> ```mediaboard\n> chart: loss\n> ```\n\n- ```mediaboard\n  media: x\n  ```\n\n```mediaboard\nchart: a\n"
    codes = [b for b in markdown.walk(markdown.parse(text)) if b["t"] == "code"]
    assert [(c["line"], c["lines"], c["closed"]) for c in codes] == [
        (3, [(4, "chart: loss")], True),
        (7, [(8, "media: x")], True),
        (11, [(12, "chart: a")], False),
    ]


def test_a_megabyte_of_adversarial_markdown_builds(tmp_path):
    """The old parser took 129 s on 51 KB of '*a '; this is a hang guard, not a timing."""
    import subprocess
    import sys

    code = (
        "from viewer import markdown\n"
        "units = ('*a ', '_a ', '[a', '**', '`', '> ', '- ', '![', '<', '\\\\')\n"
        "text = '\\n\\n'.join(u * (100_000 // len(u)) for u in units)  # 1 MB, 100 KB of each\n"
        "markdown.parse(text)\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=str(Path(__file__).resolve().parents[2]))
    assert proc.stdout.strip() == "ok", proc.stderr[-2000:]
