"""Small helpers the kinds' comparisons and ``viewer.ci`` share: how a number, a cell and a note
read in a gallery row."""

from __future__ import annotations

import json
import math
from typing import Any

from media import stubs


def fmt(x: float) -> str:
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return str(x)
    if x == int(x) and abs(x) < 1e12:
        return str(int(x))
    return f"{x:.4g}"


#: a table cell that one side does not have
NO_CELL = object()


def cell_text(v: Any) -> str:
    """A cell or summary value, short, for a one-line report."""
    if v is NO_CELL:
        return "(no cell)"
    if isinstance(v, dict) and stubs.TYPE in v:
        return f"<{v['_type']}>"
    s = json.dumps(v, ensure_ascii=False, default=str)
    return s if len(s) <= 40 else s[:39] + "…"


def join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b
