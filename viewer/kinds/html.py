"""html: Html pages, compared as documents (viewer/kinds/_document.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from media import stubs
from viewer.kinds._document import compare_document

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "html"
METRICS = ("changed", "sim")
VENDOR: tuple[str, ...] = ()
REENCODE = False


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    compare_document(cmp, row, b, c)

#: Html media up to this size are inlined as text (the page hands them to a sandboxed frame)
HTML_INLINE_BYTES = 5_000_000


def enrich(e) -> None:
    if isinstance(e.stub.get(stubs.PATH), str) and not e.missing:
        target = e.reader.resolve(e.stub[stubs.PATH])
        if target.stat().st_size <= HTML_INLINE_BYTES:
            e.inline[e.stub[stubs.PATH]] = target.read_text(encoding="utf-8", errors="replace")
