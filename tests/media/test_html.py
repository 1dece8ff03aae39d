"""Html: strings, paths and file objects stored as .html files; injection rules; bad inputs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import media
from media.html import Html
from media.runfolder import MediaWriter

FRAGMENT = "<h1>Épreuve</h1><p>loss ↓</p>"
DOC = "<html><head><title>t</title></head><body>x</body></html>"
DOC_CHARSET = '<html><head><meta charset="utf-8"></head><body>y</body></html>'


def ser(h: Html, tmp_path) -> tuple[dict, bytes]:
    stub = h._serialize(MediaWriter(tmp_path, "page", 2))
    return stub, (tmp_path / stub["path"]).read_bytes()


def test_fragment_is_wrapped_in_a_local_page(tmp_path):
    stub, raw = ser(Html(FRAGMENT), tmp_path)
    text = raw.decode("utf-8")
    assert stub == {
        "_type": "html",
        "path": "media/page/2_0.html",
        "size": len(raw),
        "wrapped": True,
    }
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text
    assert FRAGMENT in text and text.rstrip().endswith("</html>")
    assert "http" not in text.lower()  # nothing remote (wandb links a remote stylesheet)


GOOD = [
    # id, make(tmp_path), inject, expected file text
    (
        "document without charset gets one",
        lambda t: DOC,
        True,
        '<html><head><meta charset="utf-8"><title>t</title></head><body>x</body></html>',
    ),
    (
        "html without head",
        lambda t: "<HTML><body>z</body></HTML>",
        True,
        '<HTML><head><meta charset="utf-8"></head><body>z</body></HTML>',
    ),
    ("document with charset unchanged", lambda t: DOC_CHARSET, True, DOC_CHARSET),
    ("inject=False keeps a fragment", lambda t: FRAGMENT, False, FRAGMENT),
    ("str path", lambda t: str(_write(t / "a.html", DOC_CHARSET)), True, DOC_CHARSET),
    ("Path, any extension", lambda t: _write(t / "a.txt", FRAGMENT), False, FRAGMENT),
    ("text file object", lambda t: io.StringIO(FRAGMENT), False, FRAGMENT),
    ("binary file object", lambda t: io.BytesIO(FRAGMENT.encode()), False, FRAGMENT),
    ("bytes", lambda t: FRAGMENT.encode(), False, FRAGMENT),
    ("copy of Html", lambda t: Html(FRAGMENT, inject=False), False, FRAGMENT),
    ("a .txt path string is text", lambda t: "notes.txt", False, "notes.txt"),
]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("make, inject, expected", [g[1:] for g in GOOD], ids=[g[0] for g in GOOD])
def test_good_inputs(tmp_path, make, inject, expected):
    stub, raw = ser(Html(make(tmp_path), inject=inject), tmp_path)
    assert raw.decode("utf-8") == expected
    assert stub["wrapped"] is False


def test_file_with_inject_false_is_stored_byte_for_byte(tmp_path):
    src = tmp_path / "r.html"
    src.write_bytes(b"<p>\r\nwindows newlines</p>")
    _, raw = ser(Html(src, inject=False), tmp_path)
    assert raw == src.read_bytes()


def test_data_is_not_path(tmp_path):
    _, raw = ser(Html("report.html", inject=False, data_is_not_path=True), tmp_path)
    assert raw == b"report.html"


def test_file_object_is_rewound(tmp_path):
    f = io.StringIO(FRAGMENT)
    f.read()
    _, raw = ser(Html(f, inject=False), tmp_path)
    assert raw.decode() == FRAGMENT


BAD = [
    ("int", lambda t: 5, TypeError, r"Html: data_or_path: expected a str of HTML.*got int"),
    (
        "missing html path",
        lambda t: "missing.html",
        ValueError,
        r"file not found: 'missing.html'.*data_is_not_path=True",
    ),
    ("folder", lambda t: t, ValueError, r"expected a file; got the folder"),
    ("not utf-8", lambda t: b"\xff\xfe<p>", ValueError, r"expected UTF-8 text.*offset 0"),
]


@pytest.mark.parametrize("make, exc, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_inputs(tmp_path, make, exc, match):
    with pytest.raises(exc, match=match):
        Html(make(tmp_path))


def test_bad_inject():
    with pytest.raises(TypeError, match=r"Html: inject: expected a bool"):
        Html("<p>", inject="yes")


def test_html_through_a_run(root):
    run = media.init(project="h")
    media.log({"pages": [Html("<p>one</p>"), Html("<p>two</p>")]})
    media.finish()
    r = media.open_run(run.dir)
    ((_, stub),) = r.media("pages")
    assert stub["_type"] == "media-list" and stub["kind"] == "html" and stub["count"] == 2
    texts = [r.resolve(s["path"]).read_text(encoding="utf-8") for s in stub["items"]]
    assert "<p>one</p>" in texts[0] and "<p>two</p>" in texts[1]
