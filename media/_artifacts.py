"""Artifacts: versioned datasets and models beside the runs, offline and deduplicated.

wandb's names and flow::

    import media as wandb
    run = wandb.init(project="mnist", job_type="data")
    data = wandb.Artifact("mnist", type="dataset", metadata={"rows": 60000})
    data.add_dir("data/")                        # files are hashed now, stored at log time
    data["sample"] = wandb.Table(columns=["x"], data=[[1]])
    run.log_artifact(data)                       # -> mnist:v0 (again with the same files: still v0)

    run = wandb.init(project="mnist", job_type="train")
    folder = run.use_artifact("mnist:latest").download()   # every file checked against its SHA-256
    model = wandb.Artifact("cnn", type="model")
    model.add_file("model.pt")
    run.log_artifact(model, aliases=["best"])
    wandb.Api().artifact("mnist/cnn:best").download()

Where it goes and why (``docs/format.md``, *Artifacts*; the reading side is
``media.artifactstore``): a file's bytes are copied into the store once, named by their
SHA-256 (``<root>/.artifacts/objects/``), and made read-only. The store never hard-links a
user's file: the user could later edit it in place, and the link would change the stored
object with it. It copies (a reflink on filesystems that have them: btrfs, XFS), and copies
out again on ``download()``, so an edited download cannot touch the store either. Logging
content the collection already has makes no version and writes no object.

A version is published by its manifest, written last under a lock that numbers versions, so a
process that dies while logging leaves no version (only objects nobody names) and two processes
logging one name get two versions.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from media import artifactstore as st
from media import runfolder as rf
from media._writer import waiting_lock
from media.errors import MediaTypeError, MediaValueError, RunStateError, describe, warn

if TYPE_CHECKING:
    from media._public_run import Run as PublicRun

__all__ = ["Artifact", "ArtifactFile", "link_artifact", "log_artifact", "log_model", "use_artifact",
           "use_model"]

_FICLONE = 0x40049409  # linux/fs.h: share the source's blocks (copy-on-write), when the filesystem can
_CHUNK = 1 << 20
#: st_dev -> whether FICLONE worked there (tried once per filesystem and process)
_REFLINK: dict[int, bool] = {}


# --------------------------------------------------------------------------------------------
# copying bytes: into the store, out of it
# --------------------------------------------------------------------------------------------


def _copy_hashing(src: str | os.PathLike[str], fd: int) -> str:
    """Copy ``src`` into the open file ``fd`` (a reflink where the filesystem allows, else the
    bytes) and return the SHA-256 of what was copied."""
    import hashlib

    h = hashlib.sha256()
    with open(src, "rb") as f:
        if _reflink(f.fileno(), fd):
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                h.update(chunk)
            return h.hexdigest()
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
    return h.hexdigest()


def _reflink(src_fd: int, fd: int) -> bool:
    """Make ``fd`` share ``src_fd``'s blocks (FICLONE) where the filesystem allows; remembered
    per device, so a filesystem without reflinks is asked once."""
    dev = os.fstat(fd).st_dev
    if not _REFLINK.get(dev, True):
        return False
    try:
        import fcntl

        fcntl.ioctl(fd, _FICLONE, src_fd)
    except (ImportError, OSError):
        _REFLINK[dev] = False  # not on this filesystem: copy the bytes from now on
        return False
    _REFLINK[dev] = True
    return True


#: an entry's stat key as hashed (size, mtime_ns, ctime_ns, inode, device); never in a manifest
_STAT = "_stat"
#: a file modified less than this before it was hashed may change again within the timestamp's
#: granularity without its stat changing ("racy" in git's words): it is hashed again when logged
_RACY_NS = 2_000_000_000


def _stat_key(path: str | os.PathLike[str]) -> tuple[int, int, int, int, int]:
    s = os.stat(path)
    return (s.st_size, s.st_mtime_ns, s.st_ctime_ns, s.st_ino, s.st_dev)


def _copy_plain(src: str | os.PathLike[str], fd: int) -> bool:
    """Copy ``src`` into the empty file ``fd`` in the kernel (a reflink, else copy_file_range);
    False when neither works here (the caller copies the bytes itself)."""
    with open(src, "rb") as f:
        if _reflink(f.fileno(), fd):
            return True
        size = os.fstat(f.fileno()).st_size
        done = 0
        try:
            while done < size:
                n = os.copy_file_range(f.fileno(), fd, size - done)
                if n == 0:
                    break
                done += n
        except (AttributeError, OSError):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            return False
        return done == size


def _parallel(fn: Any, items: list[Any]) -> list[Any]:
    """``[fn(x) for x in items]`` on a thread per core (at most 8); the first error is raised
    once every call has ended (each cleans up after itself)."""
    workers = min(8, os.cpu_count() or 1, len(items))
    if workers <= 1:
        return [fn(x) for x in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers, thread_name_prefix="mediaboard-artifact") as pool:
        futures = [pool.submit(fn, x) for x in items]
    return [f.result() for f in futures]


def _have_object(store: st.Store, digest: str, size: int) -> bool:
    try:
        return store.object_path(digest).stat().st_size == size
    except OSError:
        return False


def _put_object(store: st.Store, src: str, digest: str, size: int, *, what: str,
                stat: tuple[int, ...] | None = None) -> int:
    """Make sure the store holds ``src``'s bytes as object ``digest``; return the bytes written
    (0 when it already had them). A source whose bytes no longer hash to ``digest`` (changed
    since it was added) is refused, naming it. With ``stat`` (the source's stat key when it was
    hashed, long after its last change) and the source's stat unchanged before and after the
    copy, the bytes are copied by the kernel without hashing them again."""
    dest = store.object_path(digest)
    try:
        if dest.stat().st_size == size:
            return 0
    except FileNotFoundError:
        pass
    try:
        fd, tmp = rf.create_temp(dest.parent, digest[:16])
    except FileNotFoundError:  # the first object of its <aa>/ folder
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = rf.create_temp(dest.parent, digest[:16])
    try:
        try:
            got = None
            if stat is not None and tuple(stat) == _stat_key(src) and _copy_plain(src, fd) \
                    and tuple(stat) == _stat_key(src):
                got = digest
            if got is None:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                got = _copy_hashing(src, fd)
        finally:
            os.close(fd)
        if got != digest:
            raise MediaValueError(
                f"{what}: {src!r} changed after it was added to the artifact (SHA-256 was "
                f"{digest[:12]}..., is now {got[:12]}...); add it again, or log before changing it."
            )
        os.chmod(tmp, 0o444)  # objects are never modified in place
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return size


def _copy_out(src: str | os.PathLike[str], dest: Path, digest: str | None, *, name: str, where: str) -> None:
    """Copy ``src`` to ``dest`` through a temporary file, checking the SHA-256 of what was
    copied against ``digest``; ``dest`` is the whole checked file or untouched."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = rf.create_temp(dest.parent, dest.name)
    try:
        try:
            got = _copy_hashing(src, fd)
        finally:
            os.close(fd)
        if digest is not None and got != digest:
            raise MediaValueError(
                f"{where}: file {name!r} does not match its digest (SHA-256 {got[:12]}..., expected "
                f"{digest[:12]}...): {str(src)!r} is corrupted or changed; not downloaded."
            )
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _entry_name(name: Any, *, where: str) -> str:
    if not isinstance(name, str):
        raise MediaTypeError(f"{where}: name must be a path inside the artifact (str); got {describe(name)}.")
    try:
        return rf.check_relpath(name, what=f"{where}: name")
    except rf.FormatError as exc:
        raise MediaValueError(str(exc)) from None


def _existing(path: Any, *, folder: bool, where: str) -> Path:
    """``path`` as a Path if it is an existing file (a folder with ``folder=True``), else an
    error naming it and what to call instead."""
    if not isinstance(path, (str, os.PathLike)):
        raise MediaTypeError(f"{where}: local_path: expected a path (str or os.PathLike); got {describe(path)}.")
    p = Path(path)
    if (p.is_dir() if folder else p.is_file()):
        return p
    if p.exists():
        why = "is a file: use add_file()" if folder else "is a folder: use add_dir()"
    else:
        why = "does not exist"
    raise MediaValueError(f"{where}: expected an existing {'folder' if folder else 'file'}; got {str(p)!r}, "
                          f"which {why}.")


def _files_under(base: Path) -> list[tuple[Path, str]]:
    """``[(file, path relative to base with /)]`` of every file under ``base``, in path order
    (links to files followed, links to folders not)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for fn in sorted(filenames):
            p = Path(dirpath) / fn
            if p.is_file():
                found.append((p, p.relative_to(base).as_posix()))
    return found


# --------------------------------------------------------------------------------------------
# entries
# --------------------------------------------------------------------------------------------


class ArtifactFile:
    """One file of an artifact (wandb's manifest entry): ``path`` (also ``name``), ``digest``
    (hex SHA-256; None for a reference recorded as given), ``size`` (bytes; None likewise),
    ``ref`` (the URI of a reference, else None), ``download(root=None)``."""

    def __init__(self, artifact: Artifact, entry: dict[str, Any]) -> None:
        self._artifact = artifact
        self.path: str = entry["path"]
        self.name = self.path
        self.digest: str | None = entry.get("digest")
        self.size: int | None = entry.get("size")
        self.ref: str | None = entry.get("ref")

    def __repr__(self) -> str:
        return f"<ArtifactFile {self.path} {self.size} bytes>"

    def ref_target(self) -> str | None:
        return self.ref

    def download(self, root: str | os.PathLike[str] | None = None) -> str:
        """Copy this file to ``root/<path>`` (root: the artifact's download folder), checked
        against its SHA-256; return the copy's path."""
        return self._artifact._download_entry(self.path, root)


def _reference_path(uri: str, *, where: str) -> Path | None:
    """The local path of a ``file://`` URI (None for any other scheme)."""
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme != "file":
        return None
    if parsed.netloc not in ("", "localhost"):
        raise MediaValueError(f"{where}: expected file:///path (this machine); got {uri!r}.")
    return Path(urllib.request.url2pathname(parsed.path))


# --------------------------------------------------------------------------------------------
# Artifact
# --------------------------------------------------------------------------------------------


class Artifact:
    """A versioned set of files (a dataset, a model): wandb's ``Artifact``.

    ``name``: letters, digits, ``_``, ``-``, ``.`` (no ``:`` or ``/``); ``type``: any label
    (``"dataset"``, ``"model"``); ``metadata``: a dict stored as JSON. A new artifact is a
    draft: add files (``add_file``, ``add_dir``, ``add_reference``, ``new_file``,
    ``artifact[name] = media.Table(...)``), then ``run.log_artifact(artifact)``. Once logged it is
    a version (``version == "v3"``) and its files are read from the store.

    Example::

        art = media.Artifact("mnist", type="dataset", metadata={"source": "yann.lecun.com"})
        art.add_file("train.csv")
        with art.new_file("README.txt") as f:
            f.write("60,000 images")
        run.log_artifact(art, aliases=["raw"])
    """

    def __init__(self, name: str, type: str, description: str | None = None,  # noqa: A002 - wandb's name
                 metadata: dict[str, Any] | None = None, incremental: bool = False,
                 use_as: str | None = None) -> None:
        del incremental, use_as  # wandb's; every version here is a full manifest
        self._name = st.check_name(name, where="Artifact(): name")
        if not isinstance(type, str) or not type:
            raise MediaTypeError(f"Artifact(): type must be a non-empty str ('dataset', 'model', ...); "
                                 f"got {describe(type)}.")
        self.type = st.check_name(type, where="Artifact(): type")
        if description is not None and not isinstance(description, str):
            raise MediaTypeError(f"Artifact(): description must be a str or None; got {describe(description)}.")
        self.description = description
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict):
            raise MediaTypeError(f"Artifact(): metadata must be a dict or None; got {describe(metadata)}.")
        rf.check_storable(metadata, where="Artifact(): metadata")
        self.metadata: dict[str, Any] = dict(metadata)
        #: path -> {"path", "digest", "size", and "src" (a local file) or "ref" (a URI)}
        self._entries: dict[str, dict[str, Any]] = {}
        self._staging: tempfile.TemporaryDirectory[str] | None = None
        #: aliases of a logged version (latest included); on a draft, what log_artifact adds
        self.aliases: list[str] = []
        self._root: Path | None = None
        self._project: str | None = None
        self._version: int | None = None
        self._manifest: dict[str, Any] | None = None

    # ---- what it is -----------------------------------------------------------------------
    @classmethod
    def _from_store(cls, root: Path, project: str, name: str, version: int) -> Artifact:
        store = st.Store(root)
        m = store.manifest(project, name, version)
        art = cls.__new__(cls)
        art._name, art.type, art.description = name, m["type"], m["description"]
        art.metadata = dict(m["metadata"])
        art._entries = {f["path"]: f for f in m["files"]}
        art._staging = None
        art._root, art._project, art._version, art._manifest = Path(root), m["project"], version, m
        art.aliases = sorted(a for a, v in store.aliases(project, name).items() if v == version)
        return art

    def __repr__(self) -> str:
        return f"<Artifact {self.qualified_name if self._version is not None else self._name} ({self.type})>"

    @property
    def name(self) -> str:
        """``name:v3`` once logged (as wandb gives it), the bare name before."""
        return self._name if self._version is None else f"{self._name}:v{self._version}"

    @property
    def source_name(self) -> str:
        return self.name

    @property
    def version(self) -> str | None:
        """``"v3"`` once logged, else None."""
        return None if self._version is None else f"v{self._version}"

    @property
    def project(self) -> str | None:
        return self._project

    entity = ""

    @property
    def qualified_name(self) -> str:
        """``project/name:v3`` (what ``Api().artifact()`` accepts)."""
        return f"{self._project}/{self.name}"

    @property
    def id(self) -> str | None:
        return None if self._version is None else self.qualified_name

    @property
    def state(self) -> str:
        return "PENDING" if self._version is None else "COMMITTED"

    @property
    def digest(self) -> str:
        """The content digest (``media.artifactstore.content_digest``) of the files."""
        return st.content_digest(self._entries.values())

    @property
    def size(self) -> int:
        return sum(e.get("size") or 0 for e in self._entries.values())

    @property
    def file_count(self) -> int:
        return len(self._entries)

    @property
    def created_at(self) -> float | None:
        return None if self._manifest is None else self._manifest.get("created_at")

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest as stored (``{"files": [{"path", "digest", "size"}, ...], ...}``)."""
        if self._manifest is not None:
            return self._manifest
        return {"name": self._name, "type": self.type, "files": [
            {k: v for k, v in e.items() if k not in ("src", _STAT)} for e in self._entries.values()]}

    def _store(self) -> st.Store:
        assert self._root is not None
        return st.Store(self._root)

    def _logged(self, where: str) -> None:
        if self._version is None:
            raise RunStateError(f"Artifact.{where}: {self._name!r} is not logged yet; call "
                                f"run.log_artifact(artifact) first.")

    def _draft(self, where: str) -> None:
        if self._version is not None:
            raise RunStateError(
                f"Artifact.{where}: {self.qualified_name} is logged, and a version never changes; "
                f"make a new media.Artifact({self._name!r}, ...) for the next version."
            )

    # ---- adding files ---------------------------------------------------------------------
    def _add(self, entry: dict[str, Any], overwrite: bool, where: str) -> ArtifactFile:
        old = self._entries.get(entry["path"])
        if old is not None and not overwrite and (old.get("digest"), old.get("ref")) != \
                (entry.get("digest"), entry.get("ref")):
            raise MediaValueError(
                f"Artifact.{where}: the artifact already has a file named {entry['path']!r} with other "
                f"content; pass another name, or overwrite=True."
            )
        self._entries[entry["path"]] = entry
        return ArtifactFile(self, entry)

    def add_file(self, local_path: str | os.PathLike[str], name: str | None = None, is_tmp: bool = False,
                 skip_cache: bool | None = None, policy: str | None = None,
                 overwrite: bool = False) -> ArtifactFile:
        """Add one file as ``name`` (default: its base name). Its SHA-256 is taken now; its
        bytes are copied into the store when the artifact is logged (a file changed in between
        is refused then)."""
        del is_tmp, skip_cache, policy
        where = "add_file()"
        self._draft(where)
        path = _existing(local_path, folder=False, where=f"Artifact.{where}")
        name = _entry_name(name if name is not None else path.name, where=f"Artifact.{where}")
        return self._add(self._hashed(path, name), overwrite, where)

    @staticmethod
    def _hashed(path: Path, name: str) -> dict[str, Any]:
        before = _stat_key(path)
        entry = {"path": name, "digest": st.file_sha256(path), "size": before[0], "src": str(path)}
        # the file's stat as hashed: when it is unchanged at log time and was last modified well
        # before the hash, log copies it without hashing it again (git's index rule; _put_object)
        if _stat_key(path) == before and time.time_ns() - before[1] > _RACY_NS:
            entry[_STAT] = before
        return entry

    def add_dir(self, local_path: str | os.PathLike[str], name: str | None = None,
                skip_cache: bool | None = None, policy: str | None = None) -> None:
        """Add every file under a folder, keeping their paths relative to it (under ``name/``
        when given). Links to files are followed; links to folders are not."""
        del skip_cache, policy
        where = "add_dir()"
        self._draft(where)
        base = _existing(local_path, folder=True, where=f"Artifact.{where}")
        prefix = _entry_name(name, where=f"Artifact.{where}") + "/" if name else ""
        named = [(p, _entry_name(prefix + rel, where=f"Artifact.{where}")) for p, rel in _files_under(base)]
        # hashed on every core (hashlib lets go of the GIL), added in the folder's order
        for entry in _parallel(lambda pn: self._hashed(*pn), named):
            self._add(entry, False, where)

    def add_reference(self, uri: str | os.PathLike[str], name: str | None = None, checksum: bool = True,
                      max_objects: int | None = None) -> list[ArtifactFile]:
        """Record a file by reference, not copied: ``file://`` paths (a file, or each file under
        a folder) with their size and SHA-256 (unless ``checksum=False``); any other scheme
        (``s3://``, ``gs://``, ``https://``) recorded as given (offline, nothing to ask)."""
        where = "add_reference()"
        self._draft(where)
        if isinstance(uri, os.PathLike):
            uri = Path(uri).resolve().as_uri()
        if not isinstance(uri, str) or "://" not in uri:
            raise MediaValueError(f"Artifact.{where}: expected a URI ('file:///data/x.csv', "
                                  f"'s3://bucket/key'); got {describe(uri)}.")
        local = _reference_path(uri, where=f"Artifact.{where}")
        if local is None:
            tail = urllib.parse.urlparse(uri).path.rstrip("/").rsplit("/", 1)[-1]
            entry_name = _entry_name(name if name is not None else (tail or "reference"),
                                     where=f"Artifact.{where}")
            return [self._add({"path": entry_name, "ref": uri, "digest": None, "size": None}, False, where)]
        if local.is_file():
            files = [(local, name if name is not None else local.name)]
        elif local.is_dir():
            files = [(p, f"{name}/{rel}" if name else rel) for p, rel in _files_under(local)]
            if max_objects is not None and len(files) > max_objects:
                raise MediaValueError(f"Artifact.{where}: {uri!r} holds {len(files)} files, more than "
                                      f"max_objects={max_objects}.")
        else:
            raise MediaValueError(f"Artifact.{where}: expected an existing file or folder; got {uri!r}, "
                                  f"whose path {str(local)!r} does not exist.")
        out = []
        for p, entry_name in files:
            entry = {"path": _entry_name(entry_name, where=f"Artifact.{where}"), "ref": p.resolve().as_uri(),
                     "digest": st.file_sha256(p) if checksum else None, "size": p.stat().st_size}
            out.append(self._add(entry, False, where))
        return out

    def _staging_dir(self) -> Path:
        if self._staging is None:
            self._staging = tempfile.TemporaryDirectory(prefix="mediaboard-artifact-")
        return Path(self._staging.name)

    @contextlib.contextmanager
    def new_file(self, name: str, mode: str = "x", encoding: str | None = None) -> Iterator[IO[Any]]:
        """Open a new file of the artifact for writing (``with art.new_file("a.txt") as f``);
        it is added when the block ends without an exception."""
        where = "new_file()"
        self._draft(where)
        name = _entry_name(name, where=f"Artifact.{where}")
        if name in self._entries:
            raise MediaValueError(f"Artifact.{where}: the artifact already has a file named {name!r}.")
        if mode not in ("w", "x", "wb", "xb"):
            raise MediaValueError(f"Artifact.{where}: mode must be 'w', 'x', 'wb' or 'xb'; got {mode!r}.")
        fd, tmp = rf.create_temp(self._staging_dir(), "new", "")
        os.close(fd)
        binary = "b" in mode
        with open(tmp, "wb" if binary else "w", encoding=None if binary else (encoding or "utf-8")) as f:
            yield f
        self._add(self._hashed(Path(tmp), name), False, where)

    def __setitem__(self, name: str, value: Any) -> None:
        self.add(value, name)

    def add(self, obj: Any, name: str, overwrite: bool = False) -> ArtifactFile:
        """Store a media value (a Table, an Image, ...) as ``<name>.<kind>.json`` (its stub) and
        the files it names; ``get(name)`` gives it back."""
        from media._base import Media

        where = "add()"
        self._draft(where)
        name = _entry_name(name, where=f"Artifact.{where}")
        if not isinstance(obj, Media):
            raise MediaTypeError(f"Artifact.{where}: expected a media value (media.Table, media.Image, "
                                 f"...) for {name!r}; got {describe(obj)}. Files: add_file().")
        stub_name = f"{name}.{obj.kind}.json"
        if any(p == stub_name or p.startswith(f"{rf.MEDIA_DIR}/{rf.key_dir(name)}/") for p in self._entries):
            if not overwrite:
                raise MediaValueError(f"Artifact.{where}: the artifact already has a value named {name!r}; "
                                      f"pass overwrite=True to replace it.")
            for p in [p for p in self._entries if p.startswith(f"{rf.MEDIA_DIR}/{rf.key_dir(name)}/")]:
                del self._entries[p]
        folder = Path(tempfile.mkdtemp(dir=self._staging_dir()))
        stub = obj._at_log()._serialize(rf.MediaWriter(folder, name, "artifact"))
        for written in sorted((folder / rf.MEDIA_DIR).rglob("*")):
            if written.is_file():
                rel = written.relative_to(folder).as_posix()
                self._entries[rel] = self._hashed(written, rel)
        stub_path = folder / stub_name.replace("/", "_")
        stub_path.write_text(rf.dumps(stub), encoding="utf-8")
        return self._add(self._hashed(stub_path, stub_name), True, where)

    # ---- reading back ---------------------------------------------------------------------
    def _source(self, entry: dict[str, Any]) -> Path | None:
        """Where an entry's bytes are on this disk (None: a reference elsewhere)."""
        if entry.get("ref") is not None:
            return _reference_path(entry["ref"], where="Artifact")
        if self._version is None:
            return Path(entry["src"])
        return self._store().object_path(entry["digest"])

    def _entry(self, name: str, where: str) -> dict[str, Any]:
        entry = self._entries.get(name)
        if entry is None:
            names = sorted(self._entries)
            shown = ", ".join(repr(n) for n in names[:10]) + (f" (and {len(names) - 10} more)" if len(names) > 10 else "")
            raise MediaValueError(f"Artifact.{where}: {self.name} has no file named {name!r}; it has "
                                  f"{shown or 'none'}.")
        return entry

    def get_entry(self, name: str) -> ArtifactFile:
        """The file ``name`` of the artifact."""
        return ArtifactFile(self, self._entry(name, "get_entry()"))

    get_path = get_entry

    def files(self, names: list[str] | None = None, per_page: int = 50) -> list[ArtifactFile]:
        """The artifact's files (those named in ``names``, else all), in path order."""
        del per_page
        wanted = set(names) if names is not None else None
        return [ArtifactFile(self, e) for p, e in sorted(self._entries.items()) if wanted is None or p in wanted]

    def get(self, name: str) -> Any:
        """The media value stored as ``artifact[name] = value``: a ``media.Table`` or
        ``media.Image`` rebuilt from its files (each checked against its SHA-256)."""
        where = "get()"
        from media._registry import KINDS

        stub_entry = next((self._entries[f"{name}.{k}.json"] for k in KINDS if f"{name}.{k}.json" in self._entries), None)
        if stub_entry is None:
            values = sorted(p.rsplit(".", 2)[0] for p in self._entries
                            if p.count(".") >= 2 and p.rsplit(".", 2)[1] in KINDS and p.endswith(".json")
                            and not p.startswith(f"{rf.MEDIA_DIR}/"))
            raise MediaValueError(f"Artifact.{where}: {self.name} holds no media value named {name!r}; it holds "
                                  f"{', '.join(map(repr, values)) or 'none'}. Files: get_entry(name).download().")
        stub = json.loads(self._read(stub_entry, where))
        kind = stub.get("_type")
        if kind == "table":
            import media

            data = json.loads(self._read(self._entry(stub["path"], where), where))
            return media.Table(columns=data["columns"], data=data["data"])
        if kind == "image":
            import io

            from PIL import Image as PILImage

            import media

            raw = self._read(self._entry(stub["path"], where), where)
            return media.Image(PILImage.open(io.BytesIO(raw)), caption=stub.get("caption"))
        raise MediaValueError(f"Artifact.{where}: {name!r} is a {kind!r}; get() rebuilds tables and images. "
                              f"Its stub is {stub_entry['path']!r}; its files download with download().")

    def _read(self, entry: dict[str, Any], where: str) -> bytes:
        src = self._source(entry)
        if src is None:
            raise MediaValueError(f"Artifact.{where}: {entry['path']!r} is a reference to {entry['ref']!r}, "
                                  f"which cannot be read offline.")
        data = src.read_bytes()
        import hashlib

        if entry.get("digest") and hashlib.sha256(data).hexdigest() != entry["digest"]:
            raise MediaValueError(f"Artifact.{where}: file {entry['path']!r} does not match its digest: "
                                  f"{str(src)!r} is corrupted.")
        return data

    # ---- download and verify --------------------------------------------------------------
    def _default_root(self) -> Path:
        return Path("artifacts") / f"{self._name}:v{self._version}"

    def _download_entry(self, name: str, root: str | os.PathLike[str] | None) -> str:
        where = "download()"
        self._logged(where)
        entry = self._entry(name, where)
        base = Path(root) if root is not None else self._default_root()
        src = self._source(entry)
        if src is None:
            raise MediaValueError(f"Artifact.{where}: {name!r} is a reference to {entry['ref']!r}; "
                                  f"mediaboard works offline and does not fetch it.")
        base.mkdir(parents=True, exist_ok=True)
        dest = rf.contained(base, name, what=f"Artifact.{where}")
        _copy_out(src, dest, entry.get("digest"), name=name, where=f"Artifact.{where} {self.name}")
        return str(dest)

    def download(self, root: str | os.PathLike[str] | None = None, allow_missing_references: bool = False,
                 skip_cache: bool | None = None, path_prefix: str | None = None,
                 multipart: bool | None = None) -> str:
        """Copy every file to ``root`` (default ``./artifacts/<name>:v<N>``), each checked
        against its SHA-256 as it is copied: a file that does not match raises MediaValueError
        naming it. ``file://`` references are copied from their path (checked likewise); other
        references cannot be fetched offline: a warning names them. Returns the folder."""
        del skip_cache, multipart
        where = "download()"
        self._logged(where)
        base = Path(root) if root is not None else self._default_root()
        base.mkdir(parents=True, exist_ok=True)
        remote = []
        for path, entry in sorted(self._entries.items()):
            if path_prefix is not None and not path.startswith(path_prefix):
                continue
            src = self._source(entry)
            if src is None:
                remote.append(entry["ref"])
                continue
            if not src.exists() and entry.get("ref") is not None and allow_missing_references:
                continue
            dest = rf.contained(base, path, what=f"Artifact.{where}")
            _copy_out(src, dest, entry.get("digest"), name=path, where=f"Artifact.{where} {self.name}")
        if remote:
            warn(f"Artifact.download(): {len(remote)} reference(s) of {self.name} not fetched (mediaboard "
                 f"works offline): {', '.join(remote[:3])}{' ...' if len(remote) > 3 else ''}")
        return str(base)

    def verify(self, root: str | os.PathLike[str] | None = None) -> None:
        """Check every stored file against its SHA-256: the store's objects, or, with ``root``,
        a downloaded copy. Raises MediaValueError naming each file that does not match."""
        where = "verify()"
        self._logged(where)
        if root is None:
            assert self._manifest is not None
            bad = self._store().verify(self._manifest)
        else:
            bad = []
            for path, entry in sorted(self._entries.items()):
                if entry.get("digest") is None:
                    continue
                p = Path(root) / path
                try:
                    got = st.file_sha256(p)
                except OSError:
                    bad.append(f"{path}: missing from {str(root)!r}")
                    continue
                if got != entry["digest"]:
                    bad.append(f"{path}: SHA-256 {got[:12]}..., expected {entry['digest'][:12]}...")
        if bad:
            raise MediaValueError(f"Artifact.{where}: {len(bad)} file(s) of {self.qualified_name} do not "
                                  f"match their digest: " + "; ".join(bad))

    # ---- lineage and versions -------------------------------------------------------------
    def versions(self) -> list[Artifact]:
        """Every version of this artifact's name, oldest first."""
        self._logged("versions()")
        assert self._root is not None and self._project is not None
        store = self._store()
        return [Artifact._from_store(self._root, self._project, self._name, v)
                for v in store.versions(self._project, self._name)]

    def _run(self, who: dict[str, Any]) -> PublicRun | None:
        from media._public_run import Run as PublicRun

        assert self._root is not None
        folder = rf.run_dir_for(self._root, who["project"], who["run"])
        try:
            return PublicRun(rf.open_run(folder))
        except (rf.FormatError, OSError):
            return None

    def logged_by(self) -> PublicRun | None:
        """The run that logged this version (``media.Api``'s Run), or None (logged without a run,
        or the run's folder is gone)."""
        self._logged("logged_by()")
        assert self._manifest is not None
        who = self._manifest.get("logged_by")
        return self._run(who) if who else None

    def used_by(self) -> list[PublicRun]:
        """The runs that used this version (``use_artifact``), each once, oldest use first."""
        self._logged("used_by()")
        assert self._project is not None
        out, seen = [], set()
        for u in self._store().uses(self._project, self._name):
            if u["version"] == self._version and (u["project"], u["run"]) not in seen:
                seen.add((u["project"], u["run"]))
                run = self._run(u)
                if run is not None:
                    out.append(run)
        return out

    # ---- changing aliases -----------------------------------------------------------------
    def save(self) -> None:
        """Persist alias changes of a logged version (``art.aliases.append("prod"); art.save()``).
        A draft is logged by the active run."""
        if self._version is None:
            import media

            if media.run is None:
                raise RunStateError("Artifact.save(): no active run to log the draft; call media.init() "
                                    "first, or run.log_artifact(artifact).")
            media.run.log_artifact(self)
            return
        assert self._root is not None and self._project is not None
        where = "Artifact.save()"
        wanted = [a for a in dict.fromkeys(self.aliases) if a != st.LATEST]
        for a in wanted:
            st.check_alias(a, where=f"{where}: aliases")
        folder = self._store().collection_dir(self._project, self._name)
        with waiting_lock(folder / st.LOCK_FILE):
            newest = self._store().versions(self._project, self._name)[-1]
            if st.LATEST in self.aliases and newest != self._version:
                raise MediaValueError(f"{where}: 'latest' cannot be given to {self.qualified_name}: it always "
                                      f"names the newest version (v{newest}).")
            current = {a: v for a, v in self._store().aliases(self._project, self._name).items() if a != st.LATEST}
            new = {a: v for a, v in current.items() if v != self._version or a in wanted}
            new.update({a: self._version for a in wanted})
            if new != current:
                rf.atomic_write_json(folder / st.ALIASES_JSON, dict(sorted(new.items())))
        self.aliases = sorted(a for a, v in self._store().aliases(self._project, self._name).items()
                              if v == self._version)

    def wait(self, timeout: int | None = None) -> Artifact:
        """Logging here is synchronous: returns the artifact."""
        return self

    def link(self, target_path: str, aliases: list[str] | None = None) -> Artifact:
        """``link_artifact`` with the active run."""
        import media

        if media.run is None:
            raise RunStateError("Artifact.link(): no active run; call media.init() first.")
        return media.run.link_artifact(self, target_path, aliases)


# --------------------------------------------------------------------------------------------
# publishing a version
# --------------------------------------------------------------------------------------------


def _check_aliases(aliases: Any, *, where: str) -> list[str]:
    if aliases is None:
        return []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, (list, tuple)):
        raise MediaTypeError(f"{where}: aliases must be a list of str; got {describe(aliases)}.")
    return [a for a in dict.fromkeys(st.check_alias(a, where=f"{where}: alias", allow_latest=True)
                                     for a in aliases) if a != st.LATEST]


def _publish(root: Path, project: str, art: Artifact, aliases: list[str], *,
             logged_by: dict[str, str] | None, linked_from: dict[str, Any] | None = None,
             where: str) -> Artifact:
    """Store ``art``'s files and publish it as the next version of ``project/<name>`` (or find
    the version that has the same content), move ``aliases`` to it; return the logged artifact."""
    store = st.Store(root)
    local = [e for e in art._entries.values() if e.get("ref") is None and "src" in e
             and not _have_object(store, e["digest"], e["size"])]
    # objects first, outside the lock, several at once: each lands whole under its digest
    _parallel(lambda e: _put_object(store, e["src"], e["digest"], e["size"], what=where, stat=e.get(_STAT)),
              local)
    files = [{k: v for k, v in e.items() if k not in ("src", _STAT)} for _, e in sorted(art._entries.items())]
    digest = st.content_digest(files)
    folder = store.collection_dir(project, art._name)
    folder.mkdir(parents=True, exist_ok=True)
    with waiting_lock(folder / st.LOCK_FILE):
        versions = store.versions_in(folder)
        version = None
        for v in reversed(versions):
            m = store._read_manifest(folder, v)
            if m is None:
                continue
            if m["type"] != art.type and v == versions[-1]:
                raise MediaValueError(f"{where}: {project}/{art._name} holds artifacts of type {m['type']!r}; "
                                      f"got type {art.type!r}. Use another name for another type.")
            if m.get("digest") == digest:
                version = v  # the same content: no new version, no bytes written
                break
        if version is None:
            version = versions[-1] + 1 if versions else 0
            manifest = {
                "format": st.MANIFEST_FORMAT, "project": project, "name": art._name, "version": version,
                "type": art.type, "description": art.description, "metadata": art.metadata,
                "created_at": time.time(), "logged_by": logged_by, "digest": digest,
                "size": sum(f.get("size") or 0 for f in files), "file_count": len(files), "files": files,
            }
            if linked_from is not None:
                manifest["linked_from"] = linked_from
            # the manifest publishes the version: written whole under its name, last of all
            rf.atomic_write_json(folder / f"v{version}.json", manifest)
        if aliases:
            current = {a: v for a, v in store.aliases(project, art._name).items() if a != st.LATEST}
            new = dict(current)
            new.update({a: version for a in aliases})
            if new != current:
                rf.atomic_write_json(folder / st.ALIASES_JSON, dict(sorted(new.items())))
    logged = Artifact._from_store(root, project, art._name, version)
    # the caller's object becomes the logged version too (wandb's artifact.version after log)
    art._root, art._project, art._version, art._manifest = logged._root, logged._project, version, logged._manifest
    art._entries, art.aliases = logged._entries, logged.aliases
    art.description, art.metadata = logged.description, logged.metadata
    return art


def _record_use(root: Path, art: Artifact, project: str, run_id: str) -> None:
    assert art._project is not None
    folder = st.Store(root).collection_dir(art._project, art._name)
    line = rf.dumps({"version": art._version, "project": project, "run": run_id, "time": time.time()}) + "\n"
    fd = os.open(folder / st.USED_JSONL, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                 rf.file_mode())
    try:
        os.write(fd, line.encode("utf-8"))  # one write: a whole line or, on a crash, a torn one readers skip
    finally:
        os.close(fd)


def _run_root(run: Any) -> Path:
    return Path(run.dir).parent.parent


def _live(run: Any, where: str) -> None:
    if getattr(run, "_finished", False):
        raise RunStateError(f"{where}: the run {run.id!r} has finished; log artifacts before finish().")


def run_log_artifact(run: Any, artifact_or_path: Any, name: str | None = None, type: str | None = None,  # noqa: A002
                     aliases: list[str] | None = None, tags: list[str] | None = None) -> Artifact:
    """``run.log_artifact``: an Artifact, or a path (a file or a folder) made into one."""
    del tags
    where = "log_artifact()"
    _live(run, where)
    if isinstance(artifact_or_path, Artifact):
        art = artifact_or_path
        if art._version is not None and Path(art._root or ".").resolve() != _run_root(run).resolve():
            raise MediaValueError(f"{where}: {art.qualified_name} is stored under {str(art._root)!r}, not under "
                                  f"this run's root {str(_run_root(run))!r}; add its files to a new Artifact.")
        if art._version is not None and art._project == run.project:
            # a version already stored: log_artifact again only moves the aliases (as save())
            art.aliases = list(dict.fromkeys(art.aliases + _check_aliases(aliases, where=where)))
            art.save()
            return art
    elif isinstance(artifact_or_path, (str, os.PathLike)):
        path = Path(artifact_or_path)
        art = Artifact(name if name is not None else st.check_name(path.name, where=f"{where}: name (from the path)"),
                       type if type is not None else "unspecified")
        if path.is_dir():
            art.add_dir(path)
        else:
            art.add_file(path)
    else:
        raise MediaTypeError(f"{where}: expected a media.Artifact or a path; got {describe(artifact_or_path)}.")
    wanted = _check_aliases(aliases, where=where)
    if art._version is None:
        wanted = list(dict.fromkeys([*art.aliases, *wanted]))
    return _publish(_run_root(run), run.project, art, wanted,
                    logged_by={"project": run.project, "run": run.id}, where=where)


def run_use_artifact(run: Any, artifact_or_name: Any, type: str | None = None,  # noqa: A002
                     aliases: list[str] | None = None, use_as: str | None = None) -> Artifact:
    """``run.use_artifact``: ``"name:alias"``, ``"project/name:v3"`` or an Artifact; the use is
    recorded (lineage), and the artifact returned (``.download()``, ``.get(...)``)."""
    del use_as
    where = "use_artifact()"
    _live(run, where)
    root = _run_root(run)
    if isinstance(artifact_or_name, Artifact):
        art = artifact_or_name
        if art._version is None:  # a draft used as input: stored, with no run that logged it
            art = _publish(root, run.project, art, _check_aliases(aliases, where=where), logged_by=None, where=where)
        elif art._root is not None and Path(art._root).resolve() != root.resolve():
            raise MediaValueError(f"{where}: {art.qualified_name} is stored under {str(art._root)!r}, not under "
                                  f"this run's root {str(root)!r}.")
    else:
        project, name, alias = st.parse_ref(artifact_or_name, where=where)
        project = project or run.project
        version = st.Store(root).resolve(project, name, alias)
        art = Artifact._from_store(root, project, name, version)
    if type is not None and art.type != type:
        raise MediaValueError(f"{where}: {art.qualified_name} is of type {art.type!r}; got type={type!r}.")
    _record_use(root, art, run.project, run.id)
    return art


def run_link_artifact(run: Any, artifact: Any, target_path: str, aliases: list[str] | None = None) -> Artifact:
    """``run.link_artifact``: publish the same files as a version of ``target_path``
    (``"name"``, ``"project/name"``; a registry's collection), which records where it came from.
    Content already there is not stored twice."""
    where = "link_artifact()"
    _live(run, where)
    if not isinstance(artifact, Artifact):
        raise MediaTypeError(f"{where}: expected a media.Artifact; got {describe(artifact)}.")
    if artifact._version is None:
        artifact = run_log_artifact(run, artifact)
    project, name, alias = st.parse_ref(target_path, where=where)
    if alias != st.LATEST:
        raise MediaValueError(f"{where}: target_path names a collection ('project/name'); got {target_path!r}.")
    project = project or run.project
    source = artifact
    linked = Artifact(name, source.type, source.description, source.metadata)
    linked._entries = dict(source._entries)
    root = _run_root(run)
    assert source._root is not None
    if Path(source._root).resolve() != root.resolve():
        raise MediaValueError(f"{where}: {source.qualified_name} is stored under {str(source._root)!r}, not "
                              f"under this run's root {str(root)!r}.")
    return _publish(root, project, linked, _check_aliases(aliases, where=where),
                    logged_by={"project": run.project, "run": run.id},
                    linked_from={"project": source._project, "name": source._name, "version": source._version},
                    where=where)


def run_log_model(run: Any, path: Any, name: str | None = None, aliases: list[str] | None = None) -> Artifact:
    """``run.log_model``: a file or folder as an artifact of type ``model`` (name default
    ``run-<id>-<file name>``, as wandb's)."""
    where = "log_model()"
    if not isinstance(path, (str, os.PathLike)):
        raise MediaTypeError(f"{where}: path: expected a file or folder (str or os.PathLike); got {describe(path)}.")
    p = Path(path)
    if name is None:
        name = rf.safe_segment(f"run-{run.id}-{p.name}").replace("~", "-")
    art = Artifact(name, "model")
    if p.is_dir():
        art.add_dir(p)
    else:
        art.add_file(p)
    return run_log_artifact(run, art, aliases=aliases)


def run_use_model(run: Any, name: str) -> str:
    """``run.use_model``: use the model artifact ``name`` and return the folder it was
    downloaded to (checked file by file)."""
    return run.use_artifact(name).download()


# --------------------------------------------------------------------------------------------
# module-level names (act on the active run, media.run)
# --------------------------------------------------------------------------------------------


def _active(where: str) -> Any:
    import media

    if media.run is None:
        raise RunStateError(f"{where}: no active run; call media.init() first (or use run.{where.rstrip('()')}).")
    return media.run


def log_artifact(artifact_or_path: Any, name: str | None = None, type: str | None = None,  # noqa: A002
                 aliases: list[str] | None = None, tags: list[str] | None = None) -> Any:
    """``media.log_artifact``: ``log_artifact`` of the active run."""
    return _active("log_artifact()").log_artifact(artifact_or_path, name=name, type=type, aliases=aliases, tags=tags)


def use_artifact(artifact_or_name: Any, type: str | None = None, aliases: list[str] | None = None,  # noqa: A002
                 use_as: str | None = None) -> Any:
    """``media.use_artifact``: ``use_artifact`` of the active run."""
    return _active("use_artifact()").use_artifact(artifact_or_name, type=type, aliases=aliases, use_as=use_as)


def log_model(path: Any, name: str | None = None, aliases: list[str] | None = None) -> Any:
    """``media.log_model``: ``log_model`` of the active run."""
    return _active("log_model()").log_model(path, name=name, aliases=aliases)


def use_model(name: str) -> Any:
    """``media.use_model``: ``use_model`` of the active run (returns the downloaded folder)."""
    return _active("use_model()").use_model(name)


def link_artifact(artifact: Any, target_path: str, aliases: list[str] | None = None) -> Any:
    """``media.link_artifact``: ``link_artifact`` of the active run."""
    return _active("link_artifact()").link_artifact(artifact, target_path, aliases)


def stored_bytes(root: str | os.PathLike[str]) -> int:
    """Bytes of every object in the store under ``root`` (what dedup keeps from growing)."""
    base = Path(root) / st.STORE_DIR / st.OBJECTS_DIR
    return sum(p.stat().st_size for p in base.rglob("*") if p.is_file()) if base.is_dir() else 0
