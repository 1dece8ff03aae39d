"""Table: compared cell by cell (media cells by their files' bytes); the build inlines the table
file and enriches the stubs in its cells like any other."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from media import stubs
from viewer.kinds._util import NO_CELL, cell_text

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "table"
METRICS = ("changed", "rows")
VENDOR: tuple[str, ...] = ()
REENCODE = False


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    tb = _read_table(cmp.base, b[stubs.PATH])
    tc = _read_table(cmp.cand, c[stubs.PATH])
    cols = list(dict.fromkeys(list(tb["columns"]) + list(tc["columns"])))
    nb, nc = len(tb["data"]), len(tc["data"])
    changed_cells, changed_rows = 0, 0
    examples: list[str] = []
    for r in range(max(nb, nc)):
        rb = dict(zip(tb["columns"], tb["data"][r])) if r < nb else None
        rc = dict(zip(tc["columns"], tc["data"][r])) if r < nc else None
        diff_here = 0
        for col in cols:
            vb = rb.get(col, NO_CELL) if rb is not None else NO_CELL
            vc = rc.get(col, NO_CELL) if rc is not None else NO_CELL
            if not samecell_text(cmp, vb, vc):
                diff_here += 1
                if len(examples) < 5:
                    examples.append(f"row {r}, {col}: {cell_text(vb)} → {cell_text(vc)}")
        changed_cells += diff_here
        changed_rows += bool(diff_here)
    row.metrics = {"changed": float(changed_cells), "rows": float(changed_rows)}
    row.score = changed_rows / max(nb, nc, 1)
    row.text = (f"{changed_cells} {'cell' if changed_cells == 1 else 'cells'} in {changed_rows} "
                f"of {max(nb, nc)} rows differ")
    if nb != nc:
        row.details.append(f"rows {nb} → {nc}")
    row.details.extend(examples)


def samecell_text(cmp: Comparer, vb: Any, vc: Any) -> bool:
    media_b, media_c = stubs.kind_of(vb) in stubs.STUBS, stubs.kind_of(vc) in stubs.STUBS
    if media_b and media_c and stubs.PATH in vb and stubs.PATH in vc:
        other_b = {k: v for k, v in vb.items() if k != stubs.PATH}
        other_c = {k: v for k, v in vc.items() if k != stubs.PATH}
        if other_b != other_c:
            return False
        try:
            return cmp.base.resolve(vb[stubs.PATH]).read_bytes() == cmp.cand.resolve(vc[stubs.PATH]).read_bytes()
        except OSError:
            return False
    return _same_value(vb, vc)


def _same_value(a: Any, b: Any) -> bool:
    """Equal as JSON values: dicts whatever their key order, NaN equal to NaN, 1 not "1"."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) != isinstance(b, bool) or isinstance(a, str) != isinstance(b, str):
        return False
    return bool(a == b)




def _read_table(run: Any, relpath: str) -> dict[str, Any]:
    with open(run.resolve(relpath), encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict) or "columns" not in data or "data" not in data:
        raise ValueError(f"{relpath}: expected a split-orient table with columns and data")
    return data


def enrich(e) -> None:
    table = e.inline.get(e.stub[stubs.PATH]) if isinstance(e.stub.get(stubs.PATH), str) else None
    if isinstance(table, dict) and isinstance(table.get("data"), list):
        # only media cells are stubs: a JSON cell is user data, even where it has a "path" key
        table["data"] = [[e.enrich(c) if stubs.kind_of(c) in stubs.TYPES else c for c in row]
                         if isinstance(row, list) else row for row in table["data"]]
