"""plotly: Plotly figures (and converted matplotlib figures), compared as documents (viewer/kinds/_document.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from viewer.kinds._document import compare_document

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "plotly"
METRICS = ("changed", "dev")
VENDOR = ("plotly",)
REENCODE = False


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    compare_document(cmp, row, b, c, n)
