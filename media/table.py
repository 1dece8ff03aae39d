"""Table: rows and named columns of numbers, strings, bools, dates, lists and media values.

Stored as one JSON file in pandas' "split" orient (``{"columns": [...], "data": [[...], ...]}``),
so ``pandas.read_json(path, orient="split")`` reads it. A media cell (an Image with its masks and
boxes, Audio, Video, Html, Object3D, ...) is written like a logged value, as its own file(s), and
the table file holds its stub in the cell. The stub is documented in ``docs/kinds/table.md``.

Example::

    t = media.Table(columns=["id", "image", "pred"])
    for i, (x, p) in enumerate(zip(xs, preds)):
        t.add_data(i, media.Image(x), p)
    media.log({"predictions": t})
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, NoReturn

import numpy as np

from media import stubs
from media._arrays import is_torch_tensor, to_numpy
from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe, warn

#: wandb's default column names, used when ``columns`` is not given
DEFAULT_COLUMNS = ("Input", "Output", "Expected")

#: plain (non-media) column kinds; media columns are named by the media kind ("image", ...)
PLAIN_KINDS = ("number", "string", "bool", "datetime", "list", "json")

#: wandb's log modes: IMMUTABLE (default) and MUTABLE write the whole table at each log,
#: INCREMENTAL writes the rows added since the same Table's previous log
LOG_MODES = ("IMMUTABLE", "MUTABLE", "INCREMENTAL")

#: nesting a JSON cell may have (deeper is refused: no reader should have to recurse further)
MAX_JSON_DEPTH = 100

_INT_TYPES = (int, np.integer)
_FLOAT_TYPES = (float, np.floating)


class Table(Media):
    """A table of rows; cells are plain values or media values.

    ``columns``: a list of names (str, or int which become str); default
    ``["Input", "Output", "Expected"]`` as in wandb. ``data`` (or its alias ``rows``): a list of
    rows (each a list or tuple), a 2-D numpy array, or a pandas DataFrame. ``dataframe``: a pandas
    DataFrame (its column labels become the names; ``columns`` and ``data`` must then be absent).

    Cells may be ``None``, bool, int, float (NaN and inf are kept), str, ``decimal.Decimal``
    (becomes float), dates and times (``datetime``, ``date``, ``np.datetime64``,
    ``pd.Timestamp``: stored as ISO 8601 strings, column kind ``datetime``), lists/tuples/arrays of
    plain values (stored as JSON lists), JSON data (a dict, or a list holding one, nested as deep
    as 100: column kind ``json``; dict keys are str, or int written as their decimal text) and
    media values (Image, Audio, Video, Html, Object3D, Plotly, Bokeh, Histogram). Each column has
    one kind, set by its first non-None cell; int and float are both ``number``. A ``json`` column
    also takes numbers, strings, bools, dates and lists (they are JSON too), and a dict in a
    column of those kinds makes it ``json``. A cell of another kind raises ``MediaTypeError``
    unless ``allow_mixed_types=True`` (the column is then ``mixed``).

    ``log_mode`` (wandb's): ``"IMMUTABLE"`` (default) and ``"MUTABLE"``: each ``log()`` writes the
    whole table as it is then (rows and columns added after a log belong to the next one);
    ``"INCREMENTAL"``: each ``log()`` of this Table writes only the rows added since its previous
    log, and the viewer shows the increments as one growing table. ``add_column`` is refused on
    an INCREMENTAL table.

    More rows than ``Table.MAX_ROWS`` warn once, with the numbers; every row is kept.

    Example::

        t = Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]])
        t.add_data(3, "z")
        t.add_column("c", [0.1, 0.2, 0.3])
        df = t.get_dataframe()
    """

    kind = "table"

    #: more rows than this warn (nothing is dropped); raise it to silence the warning
    MAX_ROWS: ClassVar[int] = 200_000

    def __init__(
        self,
        columns: Sequence[Any] | None = None,
        data: Any = None,
        rows: Any = None,
        dataframe: Any = None,
        *,
        allow_mixed_types: bool = False,
        log_mode: str | None = "IMMUTABLE",
    ) -> None:
        self.allow_mixed_types = bool(allow_mixed_types)
        self._warned_rows = False
        if log_mode is None:
            log_mode = "IMMUTABLE"  # wandb's signature allows None for the default
        if log_mode not in LOG_MODES:
            raise MediaValueError(
                f"Table: log_mode: expected one of {', '.join(LOG_MODES)}; got {describe(log_mode)}."
            )
        self.log_mode: str = log_mode
        # INCREMENTAL: rows written by earlier logs, logs so far, the id the increments share
        self._logged_rows = 0
        self._increments = 0
        self._table_id: str | None = None
        if rows is not None:
            if data is not None:
                raise MediaValueError(
                    "Table: got both data and rows (rows is an alias of data); pass one."
                )
            data = rows
        if dataframe is None and _is_dataframe(data):
            if columns is not None:
                raise MediaValueError(
                    "Table: columns must not be given with a DataFrame; its column labels are used."
                )
            dataframe, data = data, None
        if dataframe is not None:
            if not _is_dataframe(dataframe):
                raise MediaTypeError(
                    f"Table: dataframe: expected a pandas DataFrame; got {describe(dataframe)}."
                )
            if columns is not None or data is not None:
                raise MediaValueError(
                    "Table: dataframe= takes the columns and data from the frame; do not also "
                    "pass columns or data."
                )
            self._from_dataframe(dataframe)
            return

        self.columns: list[str] = _column_names(
            list(DEFAULT_COLUMNS) if columns is None else columns
        )
        self._kinds: list[str | None] = [None] * len(self.columns)
        #: the rows, each a list of cells (as wandb's ``Table.data``)
        self.data: list[list[Any]] = []
        if data is not None:
            for i, row in enumerate(_rows_of(data)):
                self._append(row, where=f"Table: data row {i}")
            self._check_size()

    # ---- building -----------------------------------------------------------------------------
    def _from_dataframe(self, df: Any) -> None:
        self.columns = _column_names([c for c in df.columns], what="dataframe column labels")
        self._kinds = [None] * len(self.columns)
        cols: list[list[Any]] = []
        for j, name in enumerate(self.columns):
            values, kind = _dataframe_column(df.iloc[:, j], name=name, owner=self)
            cols.append(values)
            self._kinds[j] = kind
        self.data = [list(r) for r in zip(*cols)] if cols else []
        if not cols:
            self.data = [[] for _ in range(len(df))]
        self._check_size()

    def _append(self, row: Sequence[Any], *, where: str) -> None:
        if len(row) != len(self.columns):
            raise MediaValueError(
                f"{where}: expected {len(self.columns)} values (columns {self.columns}); "
                f"got {len(row)}."
            )
        cells = [self._cell(v, j, where) for j, v in enumerate(row)]
        self.data.append(cells)

    def _cell(self, value: Any, j: int, where: str) -> Any:
        cell, kind = _normalize(value, where=f"{where}, column {self.columns[j]!r}")
        if kind is not None:
            self._kinds[j] = self._merge_kind(self._kinds[j], kind, j, where, value)
        return cell

    def _merge_kind(self, have: str | None, new: str, j: int, where: str, value: Any) -> str:
        if have is None or have == new or have == "mixed":
            return new if have is None else have
        if "json" in (have, new) and have in PLAIN_KINDS and new in PLAIN_KINDS:
            return "json"  # JSON data holds numbers, strings, bools and lists too
        if self.allow_mixed_types:
            return "mixed"
        raise MediaTypeError(
            f"{where}, column {self.columns[j]!r}: expected {have} (the column's kind, set by "
            f"its first values); got {new}: {describe(value)}. Convert the value, or pass "
            "Table(..., allow_mixed_types=True)."
        )

    def _check_size(self) -> None:
        n = len(self.data)
        if n > self.MAX_ROWS and not self._warned_rows:
            self._warned_rows = True
            warn(
                f"Table: {n} rows is more than Table.MAX_ROWS={self.MAX_ROWS}; all rows are kept, "
                "but the file may be large and slow to view. Set media.Table.MAX_ROWS higher to "
                "silence this.",
            )

    def add_data(self, *row: Any) -> None:
        """Append one row: one value per column, in column order."""
        self._append(row, where=f"Table.add_data: row {len(self.data)}")
        self._check_size()

    def add_row(self, *row: Any) -> None:
        """wandb's older name for ``add_data``."""
        self._append(row, where=f"Table.add_row: row {len(self.data)}")
        self._check_size()

    def add_column(self, name: Any, data: Any) -> None:
        """Append a column ``name`` with one value per existing row.

        On a table with no columns yet, the column also sets the number of rows.
        """
        if self.log_mode == "INCREMENTAL":
            raise MediaValueError(
                f"Table.add_column: column {name!r}: expected a table with log_mode IMMUTABLE or "
                "MUTABLE; got log_mode='INCREMENTAL', whose increments share their columns. Give "
                "every column when the table is made, or use log_mode='MUTABLE'."
            )
        (name,) = _column_names([name], what="add_column: name")
        if name in self.columns:
            raise MediaValueError(f"Table.add_column: column {name!r} already exists.")
        values = list(_values_of(data, what=f"Table.add_column: {name!r}"))
        if self.columns and len(values) != len(self.data):
            raise MediaValueError(
                f"Table.add_column: column {name!r}: expected {len(self.data)} values (one per "
                f"row); got {len(values)}."
            )
        self.columns.append(name)
        self._kinds.append(None)
        j = len(self.columns) - 1
        try:
            cells = [self._cell(v, j, f"Table.add_column: row {i}") for i, v in enumerate(values)]
        except Exception:
            self.columns.pop()
            self._kinds.pop()
            raise
        if len(self.columns) == 1:
            self.data = [[c] for c in cells]
        else:
            for r, c in zip(self.data, cells):
                r.append(c)
        self._check_size()

    # ---- reading ------------------------------------------------------------------------------
    def get_column(self, name: str, convert_to: str | None = None) -> Any:
        """The values of column ``name`` as a list (``convert_to="numpy"``: a numpy array)."""
        if name not in self.columns:
            raise MediaValueError(
                f"Table.get_column: no column {name!r}; the columns are {self.columns}."
            )
        if convert_to not in (None, "numpy"):
            raise MediaValueError(
                f"Table.get_column: convert_to: expected None or 'numpy'; got {describe(convert_to)}."
            )
        j = self.columns.index(name)
        values = [r[j] for r in self.data]
        if convert_to == "numpy":
            kind = self._kinds[j]
            if kind not in (None, *PLAIN_KINDS):
                raise MediaValueError(
                    f"Table.get_column: column {name!r} holds {kind} values; convert_to='numpy' "
                    "works for plain columns."
                )
            return np.array([np.nan if v is None and kind == "number" else v for v in values])
        return values

    @property
    def column_kinds(self) -> dict[str, str]:
        """``{column: kind}``: number, string, bool, datetime, list, json, a media kind, mixed or
        none."""
        return {c: (k or "none") for c, k in zip(self.columns, self._kinds)}

    def get_dataframe(self) -> Any:
        """The table as a pandas DataFrame (media cells stay media objects)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "Table.get_dataframe needs pandas: pip install pandas (or mediaboard[pandas])"
            ) from None
        return pd.DataFrame([list(r) for r in self.data], columns=list(self.columns))

    def iterrows(self) -> Iterator[tuple[int, list[Any]]]:
        """``(index, row)`` pairs, as wandb's ``Table.iterrows``."""
        for i, r in enumerate(self.data):
            yield i, list(r)

    def __iter__(self) -> Iterator[list[Any]]:
        return (list(r) for r in self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def ncols(self) -> int:
        return len(self.columns)

    def __repr__(self) -> str:
        return f"<Table {len(self.data)} rows x {len(self.columns)} columns {self.columns}>"

    # ---- writing ------------------------------------------------------------------------------
    def _at_log(self) -> Table:
        """A snapshot taken by ``log()``: rows added or changed later belong to the next log.

        INCREMENTAL: the snapshot holds only the rows added since this Table's previous log."""
        snap = Table.__new__(Table)
        snap.__dict__.update(self.__dict__)
        snap.columns = list(self.columns)
        snap._kinds = list(self._kinds)
        if self.log_mode == "INCREMENTAL":
            if self._table_id is None:
                self._table_id = uuid.uuid4().hex[:16]
                snap._table_id = self._table_id
            snap.data = [list(r) for r in self.data[self._logged_rows:]]
            # the rows count as logged once log() has taken the call (_accepted): a refused call
            # leaves them to the next log
            snap.__dict__["_origin"] = (self, len(self.data))
        else:
            snap.data = [list(r) for r in self.data]
        return snap

    def _accepted(self) -> None:
        origin = self.__dict__.pop("_origin", None)
        if origin is not None:
            table, rows = origin
            table._logged_rows = rows
            table._increments += 1

    def _serialize(self, writer: Any) -> dict[str, Any]:
        rows = self.data
        incremental = self.log_mode == "INCREMENTAL"
        # an increment's snapshot keeps the counts from before its log: its first row is row
        # `offset` of the whole table, and it is increment number `self._increments`
        offset = self._logged_rows if incremental else 0
        media_cols = [j for j, k in enumerate(self._kinds) if k not in PLAIN_KINDS and k]
        if media_cols:
            out = []
            for i, r in enumerate(rows, offset):
                r = list(r)
                for j in media_cols:
                    cell = r[j]
                    if isinstance(cell, Media):
                        r[j] = cell._serialize(writer.child(f"r{i}c{j}"))
                out.append(r)
            rows = out
        path = writer.write_json({"columns": self.columns, "data": rows}, ".table.json")
        stub = {
            "_type": "table",
            "path": path,
            "columns": list(self.columns),
            "nrows": len(rows),
            "ncols": len(self.columns),
            "column_kinds": self.column_kinds,
        }
        if self.log_mode != "IMMUTABLE":
            stub["log_mode"] = self.log_mode
        if incremental:
            stub.update(table_id=self._table_id, increment=self._increments, row_offset=offset)
        return stub


# --------------------------------------------------------------------------------------------
# cells
# --------------------------------------------------------------------------------------------


def _normalize(value: Any, *, where: str) -> tuple[Any, str | None]:
    """``(cell, kind)`` for one value; kind None for a missing value."""
    t = type(value)
    if value is None:
        return None, None
    if t is str:
        return value, "string"
    if t is bool or isinstance(value, np.bool_):
        return bool(value), "bool"
    if t is int or t is float:
        return value, "number"
    if isinstance(value, _INT_TYPES):
        return int(value), "number"
    if isinstance(value, _FLOAT_TYPES):
        return float(value), "number"
    if isinstance(value, str):
        return str(value), "string"
    if isinstance(value, decimal.Decimal):
        return float(value), "number"
    if isinstance(value, Media):
        if value.kind in ("table", "media-list"):
            raise MediaTypeError(
                f"{where}: a {type(value).__name__} cannot be a table cell; log it under its own key."
            )
        return value, value.kind
    if _is_missing(value):
        return None, None
    date = _date_text(value)
    if date is not None:
        return (None, None) if date == "" else (date, "datetime")
    if isinstance(value, (list, tuple, Mapping)) or isinstance(value, np.ndarray) or is_torch_tensor(
        value
    ):
        found = _JsonCell(where)
        cell = found.convert(value, "", 0)
        return cell, ("json" if found.has_dict else "list")
    raise MediaTypeError(
        f"{where}: expected a number, string, bool, None, date, list, dict (JSON data) or media "
        f"value; got {describe(value)}."
    )


class _JsonCell:
    """Converts one list or dict cell to JSON data, naming the place of anything it refuses.

    Inside: None, bool, numbers (numpy scalars become Python numbers; NaN and inf are kept, as in
    number cells), str, dates (ISO 8601 text), lists, tuples, arrays and tensors (lists), dicts
    with str or int keys (int keys become their decimal text, as ``json`` writes them). Refused:
    media values, a dict whose ``"_type"`` names a stub kind (readers would take it for a stub),
    circular references, nesting deeper than ``MAX_JSON_DEPTH``, other objects."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.has_dict = False
        self._open: set[int] = set()

    def _fail(self, at: str, what: str, value: Any, exc: type[Exception] = MediaTypeError,
              got: str | None = None) -> NoReturn:
        inside = f" at {at}" if at else ""
        raise exc(f"{self.where}{inside}: {what}; got {got or describe(value)}.")

    def convert(self, value: Any, at: str, depth: int) -> Any:
        if depth > MAX_JSON_DEPTH:
            self._fail(at, f"expected JSON data nested at most {MAX_JSON_DEPTH} deep", value,
                       MediaValueError)
        if isinstance(value, Mapping) and not isinstance(value, Media):
            return self._dict(value, at, depth)
        if isinstance(value, (list, tuple)):
            return self._seq(value, at, depth)
        if isinstance(value, np.ndarray) or is_torch_tensor(value):
            arr = to_numpy(value, what=f"{self.where} {at}".strip())
            if arr.dtype.kind in "biufUS":
                return arr.tolist()
            return self._seq(arr.tolist(), at, depth)
        if isinstance(value, Media):
            self._fail(at, "a media value cannot be inside a list or dict cell; give it a column "
                       "of its own", value)
        try:
            cell, kind = _normalize(value, where=self.where)
        except MediaTypeError:
            kind = "?"
        if kind not in (None, "number", "string", "bool", "datetime"):
            self._fail(at, "expected JSON data (dict, list, number, string, bool, None)", value)
        return cell

    def _seq(self, items: Any, at: str, depth: int) -> list[Any]:
        if id(items) in self._open:
            self._fail(at, "expected JSON data without cycles", items, MediaValueError,
                       "a list that contains itself")
        self._open.add(id(items))
        out = [self.convert(v, f"{at}[{i}]", depth + 1) for i, v in enumerate(items)]
        self._open.discard(id(items))
        return out

    def _dict(self, d: Mapping[Any, Any], at: str, depth: int) -> dict[str, Any]:
        if id(d) in self._open:
            self._fail(at, "expected JSON data without cycles", d, MediaValueError,
                       "a dict that contains itself")
        self.has_dict = True
        self._open.add(id(d))
        out: dict[str, Any] = {}
        for k, v in d.items():
            if isinstance(k, str):
                name = k
            elif isinstance(k, _INT_TYPES) and not isinstance(k, (bool, np.bool_)):
                name = str(int(k))
            else:
                self._fail(at, "expected dict keys that are str or int (JSON keys are text)", k)
            if name in out:
                self._fail(at, f"expected distinct keys; {name!r} appears twice once int keys "
                           "are written as text", k, MediaValueError)
            out[name] = self.convert(v, f"{at}[{name!r}]", depth + 1)
        self._open.discard(id(d))
        t = out.get(stubs.TYPE)
        if isinstance(t, str) and t in stubs.TYPES:
            self._fail(at, f"expected JSON data whose dicts have no {stubs.TYPE!r} naming a media "
                       "kind (such a dict reads back as a media stub; rename the key)", t,
                       MediaValueError, f"{stubs.TYPE!r}: {t!r}")
        return out


def _date_text(value: Any) -> str | None:
    """ISO 8601 text for dates and times; "" for NaT; None for anything else."""
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return "" if np.isnat(value) else str(value)
    if type(value).__name__ in ("Timestamp", "NaTType") and (
        type(value).__module__ or ""
    ).startswith("pandas"):
        return "" if str(value) == "NaT" else value.isoformat()
    return None


def _is_missing(value: Any) -> bool:
    # pandas.NA and pandas.NaT (without importing pandas)
    return (type(value).__module__ or "").startswith("pandas") and type(value).__name__ in (
        "NAType",
        "NaTType",
    )


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------


def _is_dataframe(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and (type(value).__module__ or "").startswith(
        "pandas"
    )


def _column_names(columns: Any, *, what: str = "columns") -> list[str]:
    if (
        isinstance(columns, (str, bytes))
        or not isinstance(columns, (Sequence, np.ndarray))
        and not (type(columns).__name__ == "Index")
    ):
        raise MediaTypeError(f"Table: {what}: expected a list of names; got {describe(columns)}.")
    names: list[str] = []
    for c in list(columns):
        if isinstance(c, str):
            names.append(c)
        elif isinstance(c, _INT_TYPES) and not isinstance(c, (bool, np.bool_)):
            names.append(str(int(c)))
        elif isinstance(c, (list, tuple)):
            raise MediaTypeError(
                f"Table: {what}: expected a list of names (str or int); got a list of rows. "
                "Pass the rows as data=: Table(columns=[...], data=rows)."
            )
        else:
            raise MediaTypeError(
                f"Table: {what}: expected names that are str or int; got {describe(c)}."
            )
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise MediaValueError(
            f"Table: {what}: names must be unique; {dupes} appear more than once."
        )
    return names


def _rows_of(data: Any) -> Iterator[Any]:
    if isinstance(data, np.ndarray) or is_torch_tensor(data):
        arr = to_numpy(data, what="Table: data")
        if arr.ndim != 2:
            raise MediaValueError(
                f"Table: data: expected a 2-D array (rows, columns); got shape {tuple(arr.shape)}."
            )
        yield from (arr.tolist() if arr.dtype.kind in "biufUS" else list(arr))
        return
    if isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Sequence):
        raise MediaTypeError(
            "Table: data: expected a list of rows, a 2-D numpy array or a pandas DataFrame; got "
            f"{describe(data)}."
        )
    for i, row in enumerate(data):
        if isinstance(row, (str, bytes, Mapping)) or not isinstance(row, (Sequence, np.ndarray)):
            raise MediaTypeError(
                f"Table: data row {i}: expected a list or tuple of cells; got {describe(row)}."
            )
        yield row


def _values_of(data: Any, *, what: str) -> list[Any]:
    if isinstance(data, np.ndarray) or is_torch_tensor(data):
        arr = to_numpy(data, what=what)
        return arr.tolist() if arr.ndim == 1 and arr.dtype.kind in "biufUS" else list(arr)
    if type(data).__name__ == "Series" and (type(data).__module__ or "").startswith("pandas"):
        return list(data)
    if isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Sequence):
        raise MediaTypeError(f"{what}: expected a list of values; got {describe(data)}.")
    return list(data)


def _dataframe_column(series: Any, *, name: str, owner: Table) -> tuple[list[Any], str | None]:
    """One DataFrame column as cells and its kind; plain numpy dtypes take a fast path."""
    dtype = series.dtype
    kind_char = getattr(dtype, "kind", "O")
    if isinstance(dtype, np.dtype) and kind_char in "iuf":
        values = series.to_numpy().tolist()
        return values, ("number" if values else None)
    if isinstance(dtype, np.dtype) and kind_char == "b":
        values = series.to_numpy().tolist()
        return values, ("bool" if values else None)
    kind: str | None = None
    cells: list[Any] = []
    for i, v in enumerate(series.astype(object).tolist()):
        where = f"Table: dataframe row {i}"
        if isinstance(v, float) and math.isnan(v) and kind_char not in "f":
            cells.append(None)  # pandas' missing-value marker in object/string columns
            continue
        cell, k = _normalize(v, where=f"{where}, column {name!r}")
        if k is not None:
            kind = (
                k
                if kind is None or kind == k
                else owner._merge_kind(kind, k, owner.columns.index(name), where, v)
            )
        cells.append(cell)
    return cells, kind
