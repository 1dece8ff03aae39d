"""``run.summary``: one value per key describing the run (by default the last logged value).

Rules (also in docs/format.md):
  - every committed history row copies its values into the summary: the last logged value wins;
  - a value set explicitly (``summary["best"] = 0.9`` or ``summary.update({...})``) wins over later
    logs of that key, until it is deleted;
  - media set explicitly are serialized into the run folder with the step label ``summary``;
  - ``summary.best = 0.9`` and ``del summary.best`` are the same as item access;
  - a key with a ``define_metric(name, summary=...)`` definition (exact name, or a glob such as
    ``"val/*"``) holds what it asks for, as in wandb: ``summary="min"`` gives ``{"min": 0.1}``,
    ``"min,max"`` gives ``{"min": ..., "max": ...}``, ``"best"`` the min or max by ``goal``
    (minimize unless goal="maximize"), ``"none"`` leaves the key out, ``"copy"`` the last value.
    Aggregates count numbers only (bools and NaN/inf are left out of min, max, mean and best);
    a key whose values are not numbers keeps its last value.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from media.errors import MediaTypeError, describe
from media.runfolder import metric_for

#: define_metric summaries that store an aggregate (a dict) instead of the last value
AGGREGATES = ("min", "max", "mean", "first", "last", "best")


class _Aggregate:
    """Running first/last/min/max/mean of one key's logged numbers."""

    __slots__ = ("first", "last", "lo", "hi", "total", "count", "seen")

    def __init__(self) -> None:
        self.first: Any = None
        self.last: Any = None
        self.lo: Any = None
        self.hi: Any = None
        self.total = 0.0
        self.count = 0
        self.seen = False

    def add(self, value: Any, *, late: bool) -> None:
        if not late or not self.seen:
            self.last = value
        if not self.seen:
            self.first = value
        self.seen = True
        if isinstance(value, float) and not math.isfinite(value):
            return
        self.lo = value if self.lo is None or value < self.lo else self.lo
        self.hi = value if self.hi is None or value > self.hi else self.hi
        self.total += value
        self.count += 1

    def view(self, parts: tuple[str, ...], goal: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for part in parts:
            if part == "min":
                out["min"] = self.lo
            elif part == "max":
                out["max"] = self.hi
            elif part == "mean":
                out["mean"] = self.total / self.count if self.count else None
            elif part == "first":
                out["first"] = self.first
            elif part == "last":
                out["last"] = self.last
            elif part == "best":
                out["best"] = self.hi if goal == "maximize" else self.lo
        return out


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


class Summary:
    """Dict-like summary of a run. ``on_set({key: value}) -> {key: json_value}`` converts explicit
    values (all checked before any is stored).

    The run feeds it through four methods, and touches nothing else inside it: ``_restore``
    (a resumed run's summary), ``_absorb_row`` (a committed history row), ``_absorb_late``
    (a media value's stub, written after its row) and ``_explicit_keys``. They start with an
    underscore so that they never hide a summary key: ``summary.absorb`` is the key "absorb".
    The run calls them under the lock it passed in.
    """

    def __init__(self, on_set: Callable[[dict[str, Any]], dict[str, Any]], on_change: Callable[[], None],
                 lock: Any = None) -> None:
        d = self.__dict__
        d["_values"] = {}
        d["_explicit"] = set()
        d["_on_set"] = on_set
        d["_on_change"] = on_change
        d["_lock"] = lock if lock is not None else threading.RLock()
        d["_metrics"] = {}
        #: key -> (aggregates, goal), or None for the last value, or () for "none"
        d["_specs"] = {}
        d["_aggs"] = {}

    # -- explicit writes (user) ---------------------------------------------------------------------
    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def update(self, data: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        """Set several keys explicitly; they then win over later logs of the same keys."""
        if data is not None and not isinstance(data, Mapping):
            raise MediaTypeError(f"summary.update(): expected a dict; got {describe(data)}.")
        items = dict(data or {})
        items.update(kwargs)
        for k in items:
            if not isinstance(k, str):
                raise MediaTypeError(f"summary: expected string keys; got key {describe(k)}.")
        # on_set checks every value before it writes anything (media files), so a refused
        # update changes nothing in memory or on disk
        converted = self._on_set(items)
        with self._lock:
            self._values.update(converted)
            self._explicit.update(converted)
        self._on_change()

    def __delitem__(self, key: str) -> None:
        with self._lock:
            del self._values[key]
            self._explicit.discard(key)
        self._on_change()

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            raise AttributeError(f"summary: names starting with '_' are not summary keys; got {name!r}")
        self.update({name: value})

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f"summary has no key {name!r}") from None

    # -- from the run ------------------------------------------------------------------------------
    def _restore(self, values: Mapping[str, Any], explicit: Iterable[str]) -> None:
        """Load a resumed run's summary: ``values`` as read from disk, and which of them were
        set explicitly (names not in ``values`` are left out)."""
        self._values.update(values)
        self._explicit.update(k for k in explicit if k in values)

    def _set_metrics(self, metrics: Mapping[str, Any]) -> None:
        """The run's ``define_metric`` definitions (run.json ``metrics``); they shape the values
        logged from now on."""
        self._metrics.clear()
        self._metrics.update(metrics)
        self._specs.clear()

    def _spec(self, key: str) -> tuple[tuple[str, ...], str | None] | None:
        try:
            return self._specs[key]
        except KeyError:
            pass
        spec: tuple[tuple[str, ...], str | None] | None = None
        if not key.startswith("_"):
            definition = metric_for(self._metrics, key)
            summary = definition.get("summary") if definition else None
            if isinstance(summary, str):
                parts = tuple(p.strip() for p in summary.split(","))
                if "none" in parts:
                    spec = ((), None)
                elif any(p in AGGREGATES for p in parts):
                    goal = definition.get("goal") if definition else None
                    spec = (tuple(p for p in parts if p in AGGREGATES), goal)
        self._specs[key] = spec
        return spec

    def _absorb_row(self, row: Mapping[str, Any], *, late: bool = False,
                    aggregates_only: bool = False) -> None:
        """Copy a committed row's values in: the last logged value wins, except over keys set
        explicitly; a late row (``late``) only fills keys that have no value yet. Keys with a
        define_metric summary are aggregated instead (late rows count in min, max, mean and
        best). ``aggregates_only`` feeds only those (a resume replaying older rows)."""
        values = self._values
        explicit = self._explicit
        if not late and not explicit and not self._metrics and not aggregates_only:
            values.update(row)  # the common case, once per log()
            return
        for k, v in row.items():
            if k in explicit or k == "_late":
                continue
            spec = self._spec(k) if self._metrics else None
            if spec is not None:
                parts, goal = spec
                if not parts:
                    values.pop(k, None)
                elif _is_number(v):
                    agg = self._aggs.get(k)
                    if agg is None:
                        agg = self._aggs[k] = _Aggregate()
                    agg.add(v, late=late)
                    values[k] = agg.view(parts, goal)
                elif not aggregates_only and not (late and k in values):
                    values[k] = v
                continue
            if aggregates_only or (late and k in values):
                continue
            values[k] = v

    def _absorb_late(self, key: str, value: Any, *, only_if_missing: bool = False) -> bool:
        """Store a logged value that arrives after its row (a media value's stub), unless ``key``
        was set explicitly or, with ``only_if_missing``, already has a value. Returns True when
        it was stored."""
        if key in self._explicit or (only_if_missing and key in self._values):
            return False
        if self._metrics and self._spec(key) == ((), None):
            return False  # define_metric(summary="none")
        self._values[key] = value
        return True

    def _explicit_keys(self) -> list[str]:
        """The keys set explicitly (they win over later logs), sorted."""
        return sorted(self._explicit)

    # -- reading -----------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._values))

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def keys(self):  # noqa: ANN201
        return list(self._values.keys())

    def items(self):  # noqa: ANN201
        return list(self._values.items())

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"summary has no key {name!r}") from None

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._values)

    def __repr__(self) -> str:
        return f"Summary({self._values!r})"
