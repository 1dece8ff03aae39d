"""``media.Api``: find and read runs on disk, like wandb's public API but local and offline.

Example::

    api = media.Api("mediaboard")
    for r in api.runs("mnist", filters={"config.lr": {"$lt": 0.01}, "state": "finished"}):
        print(r.name, r.summary.get("acc"))
        df = r.history(pandas=True)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media.errors import MediaValueError, describe

_OPS = {
    "$eq": lambda a, b: a == b,
    "$ne": lambda a, b: a != b,
    "$gt": lambda a, b: a is not None and a > b,
    "$gte": lambda a, b: a is not None and a >= b,
    "$lt": lambda a, b: a is not None and a < b,
    "$lte": lambda a, b: a is not None and a <= b,
    "$in": lambda a, b: a in b,
    "$nin": lambda a, b: a not in b,
}


def _field(reader: rf.RunReader, path: str) -> Any:
    head, _, rest = path.partition(".")
    if head == "config":
        return reader.config.get(rest)
    if head == "summary":
        return reader.summary.get(rest)
    if head in ("state", "status"):
        return reader.status
    if head == "tags":
        return reader.tags
    return reader.meta.get(path)


def _matches(reader: rf.RunReader, filters: dict[str, Any]) -> bool:
    for path, cond in filters.items():
        value = _field(reader, path)
        if isinstance(cond, dict) and cond and all(k.startswith("$") for k in cond):
            for op, operand in cond.items():
                if op not in _OPS:
                    raise MediaValueError(
                        f"Api.runs(): filter {path!r}: expected an operator among "
                        f"{', '.join(_OPS)}; got {op!r}."
                    )
                try:
                    if not _OPS[op](value, operand):
                        return False
                except TypeError:
                    return False
        elif path == "tags" and not isinstance(cond, list):
            if cond not in (value or []):
                return False
        elif value != cond:
            return False
    return True


class Api:
    """Reads runs under ``root`` (default: ``$MEDIABOARD_DIR`` or ``./mediaboard``)."""

    def __init__(self, root: str | os.PathLike[str] | None = None, **_: Any) -> None:
        self.root = Path(root) if root is not None else rf.default_root()

    def runs(self, project: str | None = None, filters: dict[str, Any] | None = None,
             **_: Any) -> list[rf.RunReader]:
        """Runs under the root, oldest first; ``project`` and mongo-style ``filters`` narrow them.

        Filters: ``{"config.lr": 0.1}``, ``{"summary.acc": {"$gte": 0.9}}``, ``{"state": "finished"}``,
        ``{"tags": "baseline"}``, ``{"group": "g"}``; operators $eq $ne $gt $gte $lt $lte $in $nin.
        """
        if filters is not None and not isinstance(filters, dict):
            raise MediaValueError(f"Api.runs(): filters must be a dict; got {describe(filters)}.")
        if project is not None and "/" in project:
            project = project.split("/")[-1]  # "entity/project" as in wandb
        out = []
        for r in rf.list_runs(self.root):
            if project is not None and r.project != project:
                continue
            if filters and not _matches(r, filters):
                continue
            out.append(r)
        return out

    def run(self, path: str | os.PathLike[str]) -> rf.RunReader:
        """One run: a run folder path, or ``"project/id"`` (``"entity/project/id"`` also accepted)."""
        p = Path(path)
        if (p / rf.RUN_JSON).is_file():
            return rf.open_run(p)
        parts = str(path).strip("/").split("/")
        if len(parts) >= 2:
            project, run_id = parts[-2], parts[-1]
            candidate = rf.run_dir_for(self.root, project, run_id)
            if (candidate / rf.RUN_JSON).is_file():
                return rf.open_run(candidate)
            for r in rf.list_runs(self.root):
                if r.project == project and r.id == run_id:
                    return r
        raise MediaValueError(
            f"Api.run(): expected a run folder or 'project/id' under {str(self.root)!r}; "
            f"got {str(path)!r}, which matches no run."
        )
