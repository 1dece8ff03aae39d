"""The Artifacts page's data: each artifact store (read through ``media.artifactstore`` only)
joined with the site's runs, as ``static/artifacts.js`` draws it.

``build.py`` calls ``write_artifacts`` once per build; it writes::

    SITE/data/artifacts.js     MB.data.artifacts({projects: [{project, collections: [...]}], problems})

and returns a digest of it, which goes into ``data/live.js`` so an open page follows new versions.
Per collection (an artifact name in a project): ``name``, ``type``, ``aliases`` ({alias:
version}) and ``versions``, each with ``version``, ``aliases``, ``created_at``, ``size``,
``file_count``, ``digest``, ``description``, ``metadata``, ``files`` (``path``, ``size``,
``digest``, ``ref``), ``logged_by`` and ``used_by`` (runs: ``project``, ``run``, and ``key`` and
``name`` when the run is in this site, the link target), ``linked_from``.

Only manifests reach the site, never the artifacts' bytes: the page shows paths, sizes and
digests. The store is untrusted input like a run folder: a manifest that is not one is left out
and said so in ``problems`` (``Store.problems``); names and metadata are shown as text.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from media import artifactstore as st
from viewer.text import js_value


def _run_ref(who: dict[str, Any] | None, runs: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any] | None:
    if who is None:
        return None
    entry = runs.get((who["project"], who["run"]))
    return {"project": who["project"], "run": who["run"], "key": entry["key"] if entry else None,
            "name": entry.get("name") if entry else None}


def store_roots(sources: Iterable[str | os.PathLike[str]], run_dirs: Iterable[Path]) -> list[Path]:
    """The roots that hold an artifact store: each source that has one, and the root of every
    run (``<root>/<project>/<run-id>``) that has one; each once."""
    out = [Path(s).resolve() for s in sources if (Path(s) / st.STORE_DIR).is_dir()]
    for root in st.store_roots(run_dirs):
        if root not in out:
            out.append(root)
    return out


def site_data(roots: Iterable[Path], index: list[dict[str, Any]]) -> dict[str, Any]:
    """What the page gets: every project's collections, with the runs joined in (see above)."""
    runs = {(str(e.get("project")), str(e.get("id"))): e for e in index}
    projects: dict[str, list[dict[str, Any]]] = {}
    problems: list[str] = []
    for root in roots:
        store = st.Store(root)
        for project in store.projects():
            for name in store.names(project):
                coll = store.collection(project, name)
                versions = []
                for m in coll["versions"]:
                    versions.append({
                        "version": m["version"], "aliases": m["aliases"], "created_at": m["created_at"],
                        "size": m["size"], "file_count": len(m["files"]), "digest": m.get("digest"),
                        "description": m["description"], "metadata": m["metadata"], "type": m["type"],
                        "files": m["files"], "logged_by": _run_ref(m["logged_by"], runs),
                        "used_by": [_run_ref(u, runs) for u in m["used_by"]],
                        "linked_from": m.get("linked_from"),
                    })
                if versions:
                    projects.setdefault(project, []).append(
                        {"name": name, "type": coll["type"], "aliases": coll["aliases"], "versions": versions})
        problems.extend(f"artifacts under {root}: {p}" for p in store.problems)
    return {"projects": [{"project": p, "collections": c} for p, c in sorted(projects.items())],
            "problems": problems}


def write_artifacts(sources: Iterable[str | os.PathLike[str]], index: list[dict[str, Any]],
                    run_dirs: Iterable[Path], write: Callable[[str, str], None],
                    problems: list[str] | None = None) -> str:
    """Write ``data/artifacts.js`` (through ``write(rel, text)``); return a digest of it."""
    data = site_data(store_roots(sources, run_dirs), index)
    if problems is not None:
        problems.extend(data["problems"])
    text = f"MB.data.artifacts({js_value(data)});\n"
    write("data/artifacts.js", text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
