"""``media.Api``: find and read runs on disk in the shape of wandb's public API, offline.

Code written for ``wandb.Api()`` reads local runs unchanged::

    api = media.Api()                                   # runs under $MEDIABOARD_DIR or ./mediaboard
    for run in api.runs("me/mnist", filters={"config.lr": {"$lt": 0.01}, "state": "finished"},
                        order="-summary_metrics.acc"):
        print(run.name, run.summary_metrics.get("acc"))
        df = run.history(keys=["loss"])                 # pandas DataFrame, at most 500 rows
    run = api.run("me/mnist/ab12cd34")

Paths: ``"entity/project/run_id"``, ``"project/run_id"``, ``"entity/project/runs/run_id"`` (a
wandb URL's tail) or a bare ``"run_id"``; ``"entity/project"`` or ``"project"`` for ``runs``.
The entity is accepted and ignored: a run folder has no owner, and every run's ``entity`` is
``""``. ``Api(root=...)`` (or a folder as the first argument, the older form) names the folder
of runs. Filters and order: see ``media._filters``. Runs: ``media._public_run.Run``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media import sweepfolder as sf
from media._filters import compile_filters, ordered, sort_key
from media._public_run import File, Run, to_frame
from media.errors import MediaValueError, describe

__all__ = ["Api", "ArtifactCollection", "File", "Project", "Run", "Runs"]

_OVERRIDES = ("entity", "project", "base_url")
_FORMATS = ("default", "pandas")


class Runs(list[Run]):
    """The runs ``Api.runs()`` found: a list, plus wandb's ``histories()``."""

    def histories(self, samples: int = 500, keys: list[str] | None = None, x_axis: str = "_step",
                  format: str = "default", stream: str = "default") -> Any:
        """Every run's ``history(samples, keys, x_axis, stream=stream)`` with a ``run_id``
        column: a list of dicts (``format="default"``) or one pandas DataFrame (``"pandas"``)."""
        if format not in _FORMATS:
            raise MediaValueError(f"Runs.histories(): format must be one of {', '.join(_FORMATS)}; "
                                  f"got {describe(format)}.")
        rows: list[dict[str, Any]] = []
        columns: list[str] | None = None
        for run in self:
            for row in run.history(samples, keys, x_axis, pandas=False, stream=stream):
                rows.append({"run_id": run.id, **row})
        if keys is not None:
            columns = ["run_id", *keys] + ([x_axis] if x_axis not in keys else [])
        if format == "pandas":
            return to_frame(rows, columns, where="Runs.histories()")
        return rows


class Project:
    """A project: the runs under ``<root>/<project>/`` (wandb's ``Project``)."""

    entity = ""

    def __init__(self, api: Api, name: str) -> None:
        self._api = api
        self.name = name

    def __repr__(self) -> str:
        return f"<Project {self.name}>"

    path = property(lambda self: [self.entity, self.name])

    @property
    def url(self) -> str:
        return (self._api.root / rf.safe_segment(self.name)).resolve().as_uri()

    def runs(self, filters: dict[str, Any] | None = None, order: str = "+created_at") -> Runs:
        return self._api.runs(self.name, filters=filters, order=order)


class ArtifactCollection:
    """The versions of one artifact name in a project (wandb's ``ArtifactCollection``):
    ``name``, ``type``, ``project``, ``aliases`` (``{alias: "v<N>"}``), ``versions()``."""

    entity = ""

    def __init__(self, api: Api, project: str, name: str) -> None:
        from media import artifactstore as st

        self._api = api
        self.project = project
        self.name = name
        store = st.Store(api.root)
        versions = store.versions(project, name)
        self.type = store.manifest(project, name, versions[-1])["type"] if versions else None
        self.aliases = {a: f"v{v}" for a, v in store.aliases(project, name).items()}

    def __repr__(self) -> str:
        return f"<ArtifactCollection {self.project}/{self.name} ({self.type})>"

    def versions(self) -> list[Any]:
        """Every version, oldest first (``media.Artifact`` objects)."""
        from media import artifactstore as st
        from media._artifacts import Artifact

        return [Artifact._from_store(self._api.root, self.project, self.name, v)
                for v in st.Store(self._api.root).versions(self.project, self.name)]

    artifacts = versions


class Sweep:
    """One sweep, read (wandb's ``Api().sweep(path)``): ``id``, ``name``, ``config`` (as given),
    ``method``, ``state``, ``runs`` (its trials' runs, by trial number), ``best_run()``,
    ``expected_run_count`` (the run cap), ``trials`` (the trial records, docs/format.md)."""

    def __init__(self, api: Api, reader: sf.SweepReader) -> None:
        self._api = api
        self._reader = reader
        self.id = reader.id
        self.name = reader.name
        self.project = reader.project
        self.entity = ""
        self.config = reader.config
        self.method = reader.method
        self.expected_run_count = reader.run_cap
        self.path = [self.entity, self.project, self.id]
        self.url = reader.path.resolve().as_uri()

    def __repr__(self) -> str:
        return f"<Sweep {self.project}/{self.id} ({self.state})>"

    @property
    def trials(self) -> list[dict[str, Any]]:
        return self._reader.trials()

    @property
    def state(self) -> str:
        """RUNNING while a trial runs or the cap is not reached, FINISHED when the cap is."""
        trials = self.trials
        if any(t["state"] == "running" for t in trials):
            return "RUNNING"
        cap = self.expected_run_count
        return "FINISHED" if cap is not None and len(trials) >= cap else "RUNNING"

    @property
    def runs(self) -> Runs:
        by_id = {t.get("run_id"): t["number"] for t in self.trials}
        found = [r for r in self._api._all() if r.project == self.project and r.id in by_id
                 and (r.reader.sweep or {}).get("id") == self.id]
        return Runs(sorted(found, key=lambda r: by_id[r.id]))

    def best_run(self, order: str | None = None) -> Run | None:
        """The run with the best metric (the sweep's goal), or by ``order``
        (``"-summary_metrics.acc"``, as ``Api.runs``); None when no run has a value."""
        if order is not None:
            runs = ordered(list(self.runs), order)
            return runs[0] if runs else None
        metric = self._reader.metric
        scored = [t for t in self.trials if t.get("value") is not None]
        if metric is None or not scored:
            return None
        pick = max if metric["goal"] == "maximize" else min
        best = pick(scored, key=lambda t: t["value"])
        return next((r for r in self.runs if r.id == best["run_id"]), None)


def _parts(path: Any, *, where: str) -> list[str]:
    if not isinstance(path, (str, os.PathLike)):
        raise MediaValueError(f"{where}: expected a path (str); got {describe(path)}.")
    return [p for p in os.fspath(path).split("/") if p]


class Api:
    """Reads runs under ``root`` (default: ``$MEDIABOARD_DIR`` or ``./mediaboard``).

    ``overrides`` takes wandb's ``{"entity": ..., "project": ..., "base_url": ...}``:
    ``project`` is the project of ``runs()`` with no path and of a bare run id; the others are
    ignored (there is no server). ``timeout`` and ``api_key`` are accepted and ignored. A folder
    given as the first argument is the root (the form before ``root=``).
    """

    def __init__(self, overrides: dict[str, Any] | str | os.PathLike[str] | None = None,
                 timeout: int | None = None, api_key: str | None = None, *,
                 root: str | os.PathLike[str] | None = None) -> None:
        del timeout, api_key
        if isinstance(overrides, (str, os.PathLike)):
            overrides, root = None, overrides if root is None else root
        overrides = dict(overrides or {})
        unknown = sorted(str(k) for k in overrides if k not in _OVERRIDES)
        if unknown:
            raise MediaValueError(f"Api(): overrides: unknown {', '.join(map(repr, unknown))}; "
                                  f"expected {', '.join(_OVERRIDES)}.")
        project = overrides.get("project")
        if project is not None and not isinstance(project, str):
            raise MediaValueError(f"Api(): overrides['project'] must be a str; got "
                                  f"{describe(project)}.")
        self.overrides = overrides
        self.root = Path(root) if root is not None else rf.default_root()

    default_entity = ""

    def _all(self) -> list[Run]:
        return [Run(r) for r in rf.list_runs(self.root)]

    def runs(self, path: str | None = None, filters: dict[str, Any] | None = None,
             order: str = "+created_at", per_page: int = 50, include_sweeps: bool = True,
             lazy: bool = True, *, project: str | None = None) -> Runs:
        """Runs of a project (``"entity/project"`` or ``"project"``; every project when None and
        ``overrides`` names none), matching ``filters``, sorted by ``order`` (oldest first).

        Filters: ``{"config.lr": 0.1}``, ``{"state": "finished"}``, ``{"tags": {"$in": [...]}}``,
        ``{"summary_metrics.acc": {"$gt": 0.9}}``, ``$and``/``$or``/``$nor``; the full list is in
        ``media._filters``; any other form raises MediaValueError. ``per_page``,
        ``include_sweeps`` and ``lazy`` are accepted (every run is read from disk);
        ``project=`` is the older name of ``path``.
        """
        del include_sweeps, lazy
        where = "Api.runs()"
        if project is not None:
            if path is not None:
                raise MediaValueError(f"{where}: pass path or project (its older name), not both.")
            path = project
        if not isinstance(per_page, int) or isinstance(per_page, bool) or per_page < 1:
            raise MediaValueError(f"{where}: per_page must be an int >= 1; got {describe(per_page)}.")
        match = compile_filters(filters) if filters is not None else None
        sort_key(order)  # refuse a bad order before reading any run
        wanted = self.overrides.get("project")
        if path is not None:
            parts = _parts(path, where=where)
            if len(parts) > 2:
                raise MediaValueError(
                    f"{where}: expected 'entity/project' or 'project'; got {path!r}. For one run, "
                    f"use Api().run({path!r})."
                )
            wanted = parts[-1] if parts else wanted
        found = [r for r in self._all()
                 if (wanted is None or r.project == wanted) and (match is None or match(r))]
        return Runs(ordered(found, order))

    def run(self, path: str | os.PathLike[str] = "") -> Run:
        """One run: ``"entity/project/run_id"``, ``"project/run_id"``,
        ``"entity/project/runs/run_id"``, a bare ``"run_id"`` (in ``overrides["project"]``, else
        in whichever project has it), or a run folder's path."""
        where = "Api.run()"
        parts = _parts(path, where=where)
        folder = Path(path)
        if parts and (folder / rf.RUN_JSON).is_file():
            return Run(rf.open_run(folder))
        if len(parts) == 4 and parts[2] == "runs":
            parts = [parts[0], parts[1], parts[3]]
        if not 1 <= len(parts) <= 3:
            raise MediaValueError(f"{where}: expected 'entity/project/run_id', 'project/run_id' "
                                  f"or a run folder; got {str(path)!r}.")
        run_id = parts[-1]
        project = parts[-2] if len(parts) >= 2 else self.overrides.get("project")
        if project is not None:
            candidate = rf.run_dir_for(self.root, project, run_id)
            if (candidate / rf.RUN_JSON).is_file():
                run = Run(rf.open_run(candidate))
                if run.id == run_id and run.project == project:
                    return run
        found = [r for r in self._all()
                 if r.id == run_id and (project is None or r.project == project)]
        if len(found) > 1:
            raise MediaValueError(
                f"{where}: run id {run_id!r} is in several projects "
                f"({', '.join(sorted(r.project for r in found))}); name one: 'project/{run_id}'."
            )
        if not found:
            raise MediaValueError(
                f"{where}: expected a run folder or 'project/id' under {str(self.root)!r}; "
                f"got {str(path)!r}, which matches no run."
            )
        return found[0]

    # ---- artifacts (media._artifacts; the store: media.artifactstore) -------------------------
    def _artifact_ref(self, name: Any, where: str) -> tuple[str, str, str]:
        from media import artifactstore as st

        project, art, alias = st.parse_ref(name, where=where)
        project = project or self.overrides.get("project")
        if project is None:
            known = st.Store(self.root).projects()
            if len(known) != 1:
                raise MediaValueError(f"{where}: name the project: 'project/{name}' (projects with artifacts "
                                      f"under {str(self.root)!r}: {', '.join(known) or 'none'}).")
            project = known[0]
        return project, art, alias

    def artifact(self, name: str, type: str | None = None) -> Any:  # noqa: A002 - wandb's name
        """One artifact version: ``"project/name:alias"`` (``latest``, ``best``, ``v3``; the
        entity in ``"entity/project/name:v3"`` is ignored; without a project,
        ``overrides["project"]`` or the only project that has artifacts). ``type``, when given,
        must match."""
        from media import artifactstore as st
        from media._artifacts import Artifact

        where = "Api.artifact()"
        project, art_name, alias = self._artifact_ref(name, where)
        version = st.Store(self.root).resolve(project, art_name, alias)
        art = Artifact._from_store(self.root, project, art_name, version)
        if type is not None and art.type != type:
            raise MediaValueError(f"{where}: {art.qualified_name} is of type {art.type!r}; got type={type!r}.")
        return art

    def artifact_exists(self, name: str, type: str | None = None) -> bool:  # noqa: A002
        """True when ``artifact(name, type)`` finds a version."""
        try:
            self.artifact(name, type)
        except MediaValueError:
            return False
        return True

    def artifacts(self, type_name: str, name: str, per_page: int = 50, tags: Any = None) -> list[Any]:  # noqa: A002
        """Every version of ``"project/name"`` (of type ``type_name``), oldest first."""
        del per_page, tags
        project, art_name, _ = self._artifact_ref(name, "Api.artifacts()")
        return [a for a in ArtifactCollection(self, project, art_name).versions() if a.type == type_name]

    artifact_versions = artifacts

    def artifact_collections(self, project_name: str, type_name: str | None = None,
                             per_page: int = 50) -> list[ArtifactCollection]:
        """The artifact names of a project (of type ``type_name`` when given), in name order."""
        from media import artifactstore as st

        del per_page
        project = _parts(project_name, where="Api.artifact_collections()")[-1]
        found = [ArtifactCollection(self, project, n) for n in st.Store(self.root).names(project)]
        return [c for c in found if type_name is None or c.type == type_name]

    def artifact_collection(self, type_name: str, name: str) -> ArtifactCollection:
        """The versions of ``"project/name"``."""
        project, art_name, _ = self._artifact_ref(name, "Api.artifact_collection()")
        coll = ArtifactCollection(self, project, art_name)
        if coll.type != type_name:
            raise MediaValueError(f"Api.artifact_collection(): {project}/{art_name} is of type {coll.type!r}; "
                                  f"got type_name={type_name!r}.")
        return coll

    def sweep(self, path: str = "") -> Sweep:
        """One sweep: ``"entity/project/sweep_id"``, ``"project/sweep_id"``,
        ``"entity/project/sweeps/sweep_id"`` or a bare ``"sweep_id"``."""
        where = "Api.sweep()"
        parts = _parts(path, where=where)
        if len(parts) == 4 and parts[2] == "sweeps":
            parts = [parts[0], parts[1], parts[3]]
        if not 1 <= len(parts) <= 3 or not sf.valid_id(parts[-1]):
            raise MediaValueError(f"{where}: expected 'entity/project/sweep_id', 'project/sweep_id' or a "
                                  f"sweep id (a-z 0-9); got {str(path)!r}.")
        project = parts[-2] if len(parts) >= 2 else self.overrides.get("project")
        found = sf.find_sweep(self.root, parts[-1], project)
        if found is None:
            raise MediaValueError(f"{where}: no sweep {parts[-1]!r}"
                                  f"{f' in project {project!r}' if project else ''} under {str(self.root)!r}.")
        return Sweep(self, found)

    def projects(self, entity: str | None = None, per_page: int = 200) -> list[Project]:
        """Every project that has a run under the root, in name order (``entity`` is ignored)."""
        del entity, per_page
        return [Project(self, name) for name in sorted({r.project for r in self._all()})]

    def project(self, name: str, entity: str | None = None) -> Project:
        """The project ``name`` (``"entity/name"`` accepted); it may hold no run yet."""
        del entity
        parts = _parts(name, where="Api.project()")
        if not parts:
            raise MediaValueError(f"Api.project(): expected a project name; got {name!r}.")
        return Project(self, parts[-1])
