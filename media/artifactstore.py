"""The artifact store's layout and its readers: part of the run-folder contract.

Artifacts (versioned datasets and models) live beside the runs, under the root of the runs,
in a folder that ``list_runs`` never mistakes for a run (its name starts with ``.``)::

    <root>/.artifacts/
        objects/<aa>/<sha256>        every file's bytes, named by their SHA-256 (read-only, 0444)
        <project>/<name>/
            v0.json, v1.json, ...    one manifest per version (written last, atomically)
            aliases.json             {"best": 1, ...}: aliases other than "latest" (atomic)
            used.jsonl               one line per use_artifact(): {"version", "project", "run", "time"}
            .lock                    taken (flock) while a version is numbered and published

``latest`` is never stored: it is the highest ``v<N>.json`` there is. A manifest holds every
file's path, SHA-256 and size, so ``json`` and ``sha256sum`` alone read and check a version
(``docs/format.md``, *Artifacts*). This module imports nothing of the writer: the viewer reads
the store through it (``media._artifacts`` writes it).

Example::

    >>> from media import artifactstore as st
    >>> store = st.Store("mediaboard")
    >>> store.resolve("mnist", "dataset", "latest")         # -> 3
    >>> store.manifest("mnist", "dataset", 3)["files"][0]   # {"path", "digest", "size"}
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media.errors import FormatError, MediaTypeError, MediaValueError, describe

#: the store's folder under the root of the runs (hidden: list_runs skips it)
STORE_DIR = ".artifacts"
OBJECTS_DIR = "objects"
ALIASES_JSON = "aliases.json"
USED_JSONL = "used.jsonl"
LOCK_FILE = ".lock"
#: the manifest format this mediaboard writes and reads
MANIFEST_FORMAT = 1
#: the alias that always names the newest version (computed, never stored)
LATEST = "latest"

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")
_VERSION = re.compile(r"v(\d+)\Z")
_MANIFEST = re.compile(r"v(\d+)\.json\Z")
_DIGEST = re.compile(r"[0-9a-f]{64}\Z")
_MAX_NAME = 128

# --------------------------------------------------------------------------------------------
# Names, aliases, references
# --------------------------------------------------------------------------------------------


def check_name(name: Any, *, where: str) -> str:
    """``name`` if it can name an artifact (letters, digits, ``_``, ``-``, ``.``), else an error.

    ``:`` separates a version or alias and ``/`` a project, so neither may appear in a name."""
    if not isinstance(name, str):
        raise MediaTypeError(f"{where}: expected a name (str); got {describe(name)}.")
    if not _NAME.match(name) or len(name) > _MAX_NAME:
        why = ""
        for ch, what in ((":", "':' separates a version or alias (name:v3)"),
                         ("/", "'/' separates a project (project/name)")):
            if ch in name:
                why = f", which has {ch!r}: {what}"
                break
        raise MediaValueError(
            f"{where}: expected a name of letters, digits, '_', '-' and '.' (not starting with "
            f"'.' or '-', at most {_MAX_NAME} characters); got {name!r}{why}."
        )
    return name


def is_version(text: str) -> bool:
    """True for a version string (``v0``, ``v12``)."""
    return bool(_VERSION.match(text))


def check_alias(alias: Any, *, where: str, allow_latest: bool = False) -> str:
    """``alias`` if it can be set by hand: a name (see ``check_name``) that is not a version
    string (``v3``) and, unless ``allow_latest``, not ``latest`` (which the store moves itself)."""
    if not isinstance(alias, str):
        raise MediaTypeError(f"{where}: expected an alias (str); got {describe(alias)}.")
    if is_version(alias):
        raise MediaValueError(
            f"{where}: expected an alias such as 'best'; got {alias!r}, which is a version string: "
            f"versions are numbered by the store (v0, v1, ...), not set by hand."
        )
    if alias == LATEST and not allow_latest:
        raise MediaValueError(
            f"{where}: 'latest' cannot be set by hand: it always names the newest version."
        )
    check_name(alias, where=where)
    return alias


def parse_ref(ref: Any, *, where: str) -> tuple[str | None, str, str]:
    """``(project or None, name, alias or version)`` of ``"name"``, ``"name:v3"``,
    ``"name:best"``, ``"project/name:alias"`` or ``"entity/project/name:alias"`` (the entity
    is ignored: the store has no owners). No alias means ``latest``."""
    if not isinstance(ref, str):
        raise MediaTypeError(f"{where}: expected 'name:alias' or 'project/name:alias' (str); got "
                             f"{describe(ref)}.")
    path, _, alias = ref.partition(":")
    parts = path.split("/")
    if not 1 <= len(parts) <= 3 or any(not p for p in parts):
        raise MediaValueError(f"{where}: expected 'name', 'name:alias', 'project/name:alias' or "
                              f"'entity/project/name:alias'; got {ref!r}.")
    name = check_name(parts[-1], where=f"{where}: name in {ref!r}")
    project = parts[-2] if len(parts) >= 2 else None
    if not alias:
        alias = LATEST
    elif not is_version(alias):
        check_name(alias, where=f"{where}: alias in {ref!r}")
    return project, name, alias


def content_digest(files: Iterable[dict[str, Any]]) -> str:
    """The digest of a version's content: SHA-256 of one line ``path<TAB>digest<TAB>ref<LF>``
    per file in path order (a missing digest or ref is empty). Two versions with the same
    content digest hold the same files; metadata and description do not count."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda e: e["path"]):
        h.update(f"{f['path']}\t{f.get('digest') or ''}\t{f.get('ref') or ''}\n".encode())
    return h.hexdigest()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


def _natural(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_entry(obj: Any) -> dict[str, Any] | None:
    """One manifest ``files`` entry checked field by field (None if it is not one)."""
    if not isinstance(obj, dict):
        return None
    path, digest, size, ref = obj.get("path"), obj.get("digest"), obj.get("size"), obj.get("ref")
    try:
        rf.check_relpath(path, what="path")
    except FormatError:
        return None
    if ref is None:
        if not (isinstance(digest, str) and _DIGEST.match(digest) and _natural(size)):
            return None
    elif not (isinstance(ref, str) and (digest is None or isinstance(digest, str))
              and (size is None or _natural(size))):
        return None
    out = {"path": path, "digest": digest, "size": size}
    if ref is not None:
        out["ref"] = ref
    return out


class Store:
    """Reads the artifact store under one root of runs (see the module docstring).

    The store is untrusted input like a run folder: a manifest that is not one (torn, not JSON,
    a field of the wrong type, a path that leaves the version) is skipped and named in
    ``problems``; nothing here raises on what the store holds, only on what the caller asks
    (a name that does not exist: MediaValueError naming it and what there is)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.base = self.root / STORE_DIR
        self.problems: list[str] = []

    def __repr__(self) -> str:
        return f"<Store {str(self.base)!r}>"

    # ---- paths ----------------------------------------------------------------------------
    def object_path(self, digest: str) -> Path:
        """Where the bytes of SHA-256 ``digest`` are kept."""
        if not _DIGEST.match(digest):
            raise FormatError(f"object_path(): expected a hex SHA-256; got {digest!r}.")
        return self.base / OBJECTS_DIR / digest[:2] / digest

    def collection_dir(self, project: str, name: str) -> Path:
        return self.base / rf.safe_segment(project) / name

    # ---- listing --------------------------------------------------------------------------
    def _note(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    def projects(self) -> list[str]:
        """The projects that have artifacts (their names as the manifests give them)."""
        found: set[str] = set()
        if not self.base.is_dir():
            return []
        for folder in sorted(self.base.iterdir()):
            if folder.name in (OBJECTS_DIR,) or folder.name.startswith(".") or folder.is_symlink() \
                    or not folder.is_dir():
                continue
            for name in self._names_in(folder):
                versions = self.versions_in(folder / name)
                if versions:
                    m = self._read_manifest(folder / name, versions[-1])
                    if m is not None:
                        found.add(m["project"])
                        break
        return sorted(found)

    def _names_in(self, folder: Path) -> list[str]:
        if folder.is_symlink():
            self._note(f"{folder}: a symlink; not read")
            return []
        try:
            return sorted(p.name for p in folder.iterdir()
                          if _NAME.match(p.name) and p.is_dir() and not p.is_symlink())
        except OSError:
            return []

    def names(self, project: str) -> list[str]:
        """The artifact names of ``project`` that have at least one version."""
        folder = self.base / rf.safe_segment(project)
        return [n for n in self._names_in(folder) if self.versions_in(folder / n)]

    @staticmethod
    def versions_in(folder: Path) -> list[int]:
        try:
            names = os.listdir(folder)
        except OSError:
            return []
        return sorted(int(m.group(1)) for m in map(_MANIFEST.match, names) if m)

    def versions(self, project: str, name: str) -> list[int]:
        """The version numbers of ``project/name`` (those whose manifest is published), ascending."""
        return self.versions_in(self.collection_dir(project, name))

    # ---- reading --------------------------------------------------------------------------
    def _read_manifest(self, folder: Path, version: int) -> dict[str, Any] | None:
        path = folder / f"v{version}.json"
        try:
            data = json.loads(rf.read_nofollow(path))
        except (OSError, ValueError) as exc:
            self._note(f"{path}: not read ({type(exc).__name__}); version skipped")
            return None
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            self._note(f"{path}: not a manifest of format {MANIFEST_FORMAT}; version skipped")
            return None
        bad = [f for f in ("name", "project", "type") if not isinstance(data.get(f), str)]
        if bad or data.get("version") != version or not isinstance(data.get("files"), list):
            self._note(f"{path}: {', '.join(bad) or 'version or files'} not as expected; version skipped")
            return None
        files = []
        for i, entry in enumerate(data["files"]):
            checked = _check_entry(entry)
            if checked is None:
                self._note(f"{path}: files[{i}] is not a file entry; left out")
                continue
            files.append(checked)
        data["files"] = files
        if not isinstance(data.get("metadata"), dict):
            data["metadata"] = {}
        if not isinstance(data.get("description"), str):
            data["description"] = None
        who = data.get("logged_by")
        if not (isinstance(who, dict) and all(isinstance(who.get(k), str) for k in ("project", "run"))):
            data["logged_by"] = None
        src = data.get("linked_from")
        if not (isinstance(src, dict) and isinstance(src.get("project"), str) and isinstance(src.get("name"), str)
                and _natural(src.get("version"))):
            data.pop("linked_from", None)
        if not isinstance(data.get("created_at"), (int, float)) or isinstance(data.get("created_at"), bool):
            data["created_at"] = None
        data["size"] = sum(f["size"] or 0 for f in files)
        return data

    def manifest(self, project: str, name: str, version: int) -> dict[str, Any]:
        """The manifest of ``project/name:v<version>`` (fields checked; see docs/format.md)."""
        m = self._read_manifest(self.collection_dir(project, name), version)
        if m is None:
            raise MediaValueError(f"artifact {project}/{name}:v{version}: no readable manifest "
                                  f"under {str(self.base)!r}.")
        return m

    def aliases(self, project: str, name: str) -> dict[str, int]:
        """``{alias: version}`` of ``project/name``, ``latest`` included (the newest version)."""
        folder = self.collection_dir(project, name)
        versions = self.versions_in(folder)
        out: dict[str, int] = {}
        try:
            data = json.loads(rf.read_nofollow(folder / ALIASES_JSON))
        except FileNotFoundError:
            data = {}
        except (OSError, ValueError):
            self._note(f"{folder / ALIASES_JSON}: not read; aliases other than latest left out")
            data = {}
        if isinstance(data, dict):
            for alias, v in data.items():
                if isinstance(alias, str) and _NAME.match(alias) and alias != LATEST \
                        and not is_version(alias) and _natural(v) and v in versions:
                    out[alias] = v
        if versions:
            out[LATEST] = versions[-1]
        return out

    def resolve(self, project: str, name: str, alias: str) -> int:
        """The version that ``alias`` (``latest``, ``best``, ``v3``) names in ``project/name``."""
        versions = self.versions(project, name)
        where = f"artifact {project}/{name}:{alias}"
        if not versions:
            there = self.names(project)
            raise MediaValueError(f"{where}: no artifact named {name!r} in project {project!r}; "
                                  f"there are: {', '.join(there) if there else 'none'}.")
        m = _VERSION.match(alias)
        if m:
            if int(m.group(1)) in versions:
                return int(m.group(1))
        else:
            found = self.aliases(project, name).get(alias)
            if found is not None:
                return found
        known = [f"v{v}" for v in versions] + sorted(self.aliases(project, name))
        raise MediaValueError(f"{where}: no such version or alias; there are: {', '.join(known)}.")

    def uses(self, project: str, name: str) -> list[dict[str, Any]]:
        """Every ``use_artifact`` of ``project/name``: ``{version, project, run, time}``, oldest first."""
        path = self.collection_dir(project, name) / USED_JSONL
        try:
            data = rf.read_nofollow(path)
        except OSError:
            return []
        out = []
        for line in data.split(b"\n"):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                self._note(f"{path}: a line that is not JSON skipped")
                continue
            if isinstance(obj, dict) and _natural(obj.get("version")) \
                    and isinstance(obj.get("project"), str) and isinstance(obj.get("run"), str):
                out.append({"version": obj["version"], "project": obj["project"], "run": obj["run"],
                            "time": obj.get("time") if isinstance(obj.get("time"), (int, float)) else None})
        return out

    def collection(self, project: str, name: str) -> dict[str, Any]:
        """Everything about ``project/name`` at once: ``{name, type, aliases, versions: [manifest
        + aliases + used_by]}`` (what the viewer's Artifacts page shows)."""
        aliases = self.aliases(project, name)
        uses = self.uses(project, name)
        versions = []
        for v in self.versions(project, name):
            m = self._read_manifest(self.collection_dir(project, name), v)
            if m is None:
                continue
            m["aliases"] = sorted(a for a, n in aliases.items() if n == v)
            seen: set[tuple[str, str]] = set()
            m["used_by"] = []
            for u in uses:
                if u["version"] == v and (u["project"], u["run"]) not in seen:
                    seen.add((u["project"], u["run"]))
                    m["used_by"].append({"project": u["project"], "run": u["run"]})
            versions.append(m)
        kind = versions[-1]["type"] if versions else None
        return {"name": name, "project": project, "type": kind, "aliases": aliases, "versions": versions}

    def verify(self, manifest: dict[str, Any]) -> list[str]:
        """``["<path>: <why>", ...]`` for each stored file of ``manifest`` whose object is missing
        or whose bytes no longer have its SHA-256 (references are not checked here)."""
        bad = []
        for f in manifest["files"]:
            if f.get("ref") is not None:
                continue
            obj = self.object_path(f["digest"])
            try:
                got = file_sha256(obj)
            except OSError as exc:
                bad.append(f"{f['path']}: its object {str(obj)!r} cannot be read ({exc.strerror or exc})")
                continue
            if got != f["digest"]:
                bad.append(f"{f['path']}: its object {str(obj)!r} has SHA-256 {got[:12]}..., expected "
                           f"{f['digest'][:12]}... (the store is corrupted)")
        return bad


def store_roots(run_dirs: Iterable[Path]) -> list[Path]:
    """The roots (``<root>`` of ``<root>/<project>/<run-id>``) of these runs that hold a store,
    each once, in the order first met."""
    out: list[Path] = []
    for d in run_dirs:
        root = Path(d).resolve().parent.parent
        if root not in out and (root / STORE_DIR).is_dir():
            out.append(root)
    return out
