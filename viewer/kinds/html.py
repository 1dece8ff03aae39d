"""html: Html pages, compared as documents (viewer/kinds/_document.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from media import stubs
from viewer import policy
from viewer.kinds._document import compare_document

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "html"
METRICS = ("changed", "sim")
VENDOR: tuple[str, ...] = ()
REENCODE = False


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    compare_document(cmp, row, b, c, n)

#: Html media up to this size are inlined as text (the page hands them to a sandboxed frame)
HTML_INLINE_BYTES = 5_000_000


def enrich(e) -> None:
    """Small pages are inlined (the page hands them to a frame of static/frame.html, under its
    policy); a larger one is framed from the site's copy of the file, which therefore ships with
    the same policy written into it (no network, no file loads)."""
    if isinstance(e.stub.get(stubs.PATH), str) and not e.missing:
        path = e.stub[stubs.PATH]
        target = e.reader.resolve(path)
        small = target.stat().st_size <= HTML_INLINE_BYTES
        text = target.read_text(encoding="utf-8", errors="replace")
        if small:
            e.inline[path] = text
        else:
            e.rewrites[path] = policy.confine_html(text)
