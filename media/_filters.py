"""The ``filters`` and ``order`` of ``Api.runs()``: wandb's MongoDB-style queries, read locally.

A filter is a dict; every entry must hold (an implicit ``$and``)::

    {"config.lr": 0.1}                                  equality
    {"state": "finished"}                               finished, running, crashed or failed
    {"tags": {"$in": ["baseline", "v2"]}}               a list field matches when any item does
    {"summary_metrics.acc": {"$gt": 0.9}}               operators: $eq $ne $gt $gte $lt $lte
                                                        $in $nin $exists $regex $not
    {"$or": [{"config.lr": 0.1}, {"group": "g"}]}       $and, $or, $nor take a list of filters

Fields: ``config.<key>`` and ``summary_metrics.<key>`` (dots walk into nested dicts; wandb's
``config.<key>.value`` is the same as ``config.<key>``; ``summary.<key>`` is the older spelling),
``state`` (or ``status``), ``tags``, ``display_name`` (the run's name), ``name`` and ``id`` (the
run id: wandb's ``name`` is the id), ``group``, ``job_type``, ``notes``, ``project``,
``created_at``, ``heartbeat_at`` (ISO strings, as wandb compares them) and the other run.json
fields (``exit_code``, ``host``, ...). Anything else raises ``MediaValueError`` before a run is
read. A value of the wrong type for an operator (``None > 0.9``) does not match; it never raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from media.errors import MediaValueError, describe

if TYPE_CHECKING:
    from media._public_run import Run

Predicate = Callable[["Run"], bool]

_MISSING = object()

# field name -> how to read it from a Run (config/summary prefixes are handled apart)
_FIELDS: dict[str, Callable[[Run], Any]] = {
    "state": lambda r: r.state,
    "status": lambda r: r.state,
    "tags": lambda r: r.tags,
    "display_name": lambda r: r.name,
    "displayName": lambda r: r.name,
    "name": lambda r: r.id,
    "id": lambda r: r.id,
    "group": lambda r: r.group,
    "job_type": lambda r: r.job_type,
    "jobType": lambda r: r.job_type,
    "notes": lambda r: r.notes,
    "project": lambda r: r.project,
    "created_at": lambda r: r.created_at,
    "createdAt": lambda r: r.created_at,
    "heartbeat_at": lambda r: r.heartbeat_at,
    "heartbeatAt": lambda r: r.heartbeat_at,
}
# run.json fields read as stored (docs/format.md)
_META_FIELDS = ("exit_code", "host", "pid", "python", "program", "mediaboard_version",
                "start_time", "end_time", "resumed_at")
_PREFIXES = ("config.", "summary_metrics.", "summary.")


def lookup(tree: Any, dotted: str) -> Any:
    """``tree[dotted]`` if that key exists, else the walk of its dotted parts through nested
    dicts; a last part ``value`` that does not exist is skipped (wandb's ``config.lr.value``).
    Returns ``_MISSING`` when nothing is there."""
    if not isinstance(tree, dict):
        return _MISSING
    if dotted in tree:
        return tree[dotted]
    node: Any = tree
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif part == "value" and i == len(parts) - 1:
            return node
        else:
            return _MISSING
    return node


def field_reader(field: Any, *, where: str) -> Callable[[Run], Any]:
    """How to read ``field`` of a run (``_MISSING`` when the run lacks it); MediaValueError for a
    field this API does not know."""
    if not isinstance(field, str):
        raise MediaValueError(f"{where}: expected a field name (str); got {describe(field)}.")
    for prefix in _PREFIXES:
        if field.startswith(prefix) and len(field) > len(prefix):
            rest = field[len(prefix):]
            if prefix == "config.":
                return lambda r: lookup(r.config, rest)
            return lambda r: lookup(r.summary_metrics, rest)
    if field in _FIELDS:
        return _FIELDS[field]
    if field in _META_FIELDS:
        return lambda r: r.meta.get(field, _MISSING)
    raise MediaValueError(
        f"{where}: unknown field {field!r}; expected config.<key>, summary_metrics.<key>, "
        f"{', '.join(_FIELDS)} or a run.json field ({', '.join(_META_FIELDS)})."
    )


def _compare(op: str, a: Any, b: Any) -> bool:
    try:
        if op == "$gt":
            return bool(a > b)
        if op == "$gte":
            return bool(a >= b)
        if op == "$lt":
            return bool(a < b)
        return bool(a <= b)
    except TypeError:
        return False


def _scalar_op(op: str, operand: Any, *, where: str) -> Callable[[Any], bool]:
    """A test of one value (not a list: lists are handled by ``_on_value``)."""
    if op == "$eq":
        return lambda v: v is not _MISSING and v == operand
    if op in ("$gt", "$gte", "$lt", "$lte"):
        return lambda v: v is not _MISSING and v is not None and _compare(op, v, operand)
    if op == "$in":
        if not isinstance(operand, (list, tuple)):
            raise MediaValueError(f"{where}: $in expects a list; got {describe(operand)}.")
        return lambda v: v is not _MISSING and any(v == o for o in operand)
    if op == "$regex":
        if not isinstance(operand, str):
            raise MediaValueError(f"{where}: $regex expects a pattern (str); got {describe(operand)}.")
        try:
            pattern = re.compile(operand)
        except re.error as exc:
            raise MediaValueError(f"{where}: $regex {operand!r} is not a valid pattern ({exc}).") from None
        return lambda v: isinstance(v, str) and pattern.search(v) is not None
    raise AssertionError(op)  # pragma: no cover - callers pass only the ops above


def _on_value(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    # MongoDB's rule for list fields (tags): the list matches when it, or any of its items, does.
    return lambda v: test(v) or (isinstance(v, list) and any(test(x) for x in v))


_OPS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex", "$not")


def _negate(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: not test(v)


def _exists(want: bool) -> Callable[[Any], bool]:
    return lambda v: (v is not _MISSING) == want


def _condition(cond: Any, *, where: str) -> Callable[[Any], bool]:
    """A test of a field's value for the right-hand side of one filter entry."""
    if not (isinstance(cond, dict) and cond and any(isinstance(k, str) and k.startswith("$")
                                                   for k in cond)):
        return _on_value(_scalar_op("$eq", cond, where=where))
    tests: list[Callable[[Any], bool]] = []
    for op, operand in cond.items():
        if not isinstance(op, str) or not op.startswith("$"):
            raise MediaValueError(f"{where}: expected only operators in {describe(cond)}; got "
                                  f"{op!r} beside them.")
        if op in ("$ne", "$nin"):
            positive = _on_value(_scalar_op("$eq" if op == "$ne" else "$in", operand, where=where))
            tests.append(_negate(positive))
        elif op == "$exists":
            tests.append(_exists(bool(operand)))
        elif op == "$not":
            tests.append(_negate(_condition(operand, where=f"{where} $not")))
        elif op in _OPS:
            tests.append(_on_value(_scalar_op(op, operand, where=where)))
        else:
            raise MediaValueError(
                f"{where}: unsupported operator {op!r}; expected one of {', '.join(_OPS)} "
                f"(or $and, $or, $nor around filters)."
            )
    return lambda v: all(t(v) for t in tests)


def compile_filters(filters: Any, *, where: str = "Api.runs(): filters") -> Predicate:
    """The predicate a run must pass for ``filters`` (see the module docstring).

    Raises MediaValueError for a form it does not support, before any run is read.
    """
    if not isinstance(filters, dict):
        raise MediaValueError(f"{where}: expected a dict; got {describe(filters)}.")
    preds: list[Predicate] = []
    for field, cond in filters.items():
        here = f"{where}: {field!r}"
        if field in ("$and", "$or", "$nor"):
            if not isinstance(cond, (list, tuple)) or not cond:
                raise MediaValueError(f"{here}: expected a non-empty list of filters; got "
                                      f"{describe(cond)}.")
            subs = [compile_filters(c, where=f"{here}[{i}]") for i, c in enumerate(cond)]
            preds.append(_combine(field, subs))
            continue
        if isinstance(field, str) and field.startswith("$"):
            raise MediaValueError(f"{where}: unsupported operator {field!r} at the top level; "
                                  f"expected a field name, $and, $or or $nor.")
        preds.append(_field_test(field_reader(field, where=here), _condition(cond, where=here)))
    return _combine("$and", preds)


def _combine(op: str, preds: list[Predicate]) -> Predicate:
    if op == "$and":
        return lambda r: all(p(r) for p in preds)
    if op == "$or":
        return lambda r: any(p(r) for p in preds)
    return lambda r: not any(p(r) for p in preds)


def _field_test(read: Callable[[Run], Any], test: Callable[[Any], bool]) -> Predicate:
    return lambda r: test(read(r))


def _start_time(r: Run) -> Any:
    t = r.meta.get("start_time")
    return t if isinstance(t, (int, float)) and not isinstance(t, bool) else _MISSING


def sort_key(order: Any, *, where: str = "Api.runs(): order"
             ) -> tuple[Callable[[Run], tuple[int, Any] | None], bool]:
    """``(key, descending)`` for wandb's ``order`` (``"+created_at"``, ``"-summary_metrics.acc"``).

    The key is None for a run that lacks the field (``ordered`` puts those last either way);
    values of different types sort numbers, then strings, then the rest by their text, so a
    malformed run never stops the sort.
    """
    if not isinstance(order, str) or not order.lstrip("+-"):
        raise MediaValueError(f"{where}: expected a field name with an optional + or -; got "
                              f"{describe(order)}.")
    descending = order.startswith("-")
    field = order.lstrip("+-")
    read = _start_time if field in ("created_at", "createdAt") else field_reader(field, where=where)

    def key(r: Run) -> tuple[int, Any] | None:
        v = read(r)
        if v is _MISSING or v is None:
            return None
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v:
            return (0, v)
        if isinstance(v, str):
            return (1, v)
        return (2, repr(v))

    return key, descending


def ordered(runs: list[Run], order: Any) -> list[Run]:
    """``runs`` sorted by ``order`` (see ``sort_key``); runs without the field keep their order, last."""
    key, descending = sort_key(order)
    keyed = [(key(r), r) for r in runs]
    present = [(k, r) for k, r in keyed if k is not None]
    present.sort(key=lambda kr: kr[0], reverse=descending)
    return [r for _, r in present] + [r for k, r in keyed if k is None]
