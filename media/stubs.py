"""The stubs: what a history row holds for a media value, and which files it names.

This is the half of the run-folder contract that ``media/runfolder.py`` (paths, rows, readers)
does not cover. The writer's kinds write these stubs, the viewer reads them, and both name their
fields through the constants here. ``docs/format.md`` and ``docs/kinds/<kind>.md`` describe every
field; :data:`STUBS` says which of them name files, which is what a reader must know to copy,
inline or check a value without knowing its kind.

Example::

    from media import stubs
    for ref in stubs.files_of(row["examples"]):
        print(ref.kind, ref.role, ref.path)     # image file media/examples/3_0.png ...

Imports nothing of the writer: ``import media.stubs`` is all a reader needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# ---- field names ------------------------------------------------------------------------------

TYPE = "_type"  # every stub: its kind
PATH = "path"  # the value's file, relative to the run folder (forward slashes)
PREVIEW = "preview"  # object3d: a smaller JSON of the scene, for the page
SHA256 = "sha256"  # image, audio, video: hex SHA-256 of the file's bytes (optional)
CAPTION = "caption"
MASKS = "masks"  # image: {layer: {"path", "class_labels", "ids"}}
BOXES = "boxes"  # image: {layer: {"path", "count", "class_labels"}}
CLASS_LABELS = "class_labels"
ITEMS = "items"  # media-list: the stubs, in the order logged
LIST_KIND = "kind"  # media-list: the items' kind (None: mixed); error: the value's kind
MESSAGE = "message"  # error
LOST = "lost"  # error: set by readers where a committed value's file never arrived
TABLE = "table"  # plot: the stub of its data table

#: fields a reader adds to a stub for a page (never written by the writer, never read back)
INLINE = "__inline"  # {path: the file's content}, for files a page cannot load by URL
MISSING = "__missing"  # [path, ...] the stub names but the run does not have
WAVEFORM = "__waveform"  # audio: peaks for the waveform lane


@dataclass(frozen=True)
class Stub:
    """What one kind's stub holds: ``files`` are the fields that name a file of the run,
    ``layers`` the fields of ``{layer: {"path": ...}}`` whose files belong to the value,
    ``cells``: the value's file (a table) holds more stubs, in its ``data`` rows."""

    kind: str
    files: tuple[str, ...] = (PATH,)
    layers: tuple[str, ...] = ()
    cells: bool = False
    doc: str = ""


#: one definition per media kind, in the order the docs list them
STUBS: dict[str, Stub] = {s.kind: s for s in (
    Stub("image", layers=(MASKS, BOXES), doc="docs/kinds/image.md"),
    Stub("histogram", files=(), doc="docs/kinds/histogram.md"),
    Stub("audio", doc="docs/kinds/audio.md"),
    Stub("video", doc="docs/kinds/video.md"),
    Stub("table", cells=True, doc="docs/kinds/table.md"),
    Stub("object3d", files=(PATH, PREVIEW), doc="docs/kinds/object3d.md"),
    Stub("plotly", doc="docs/kinds/plotly.md"),
    Stub("bokeh", doc="docs/kinds/bokeh.md"),
    Stub("html", doc="docs/kinds/html.md"),
    # a chart of a table: its files are those of the table stub in its `table` field
    Stub("plot", files=(), doc="docs/kinds/plot.md"),
)}

#: the kinds of media values
MEDIA_KINDS: tuple[str, ...] = tuple(STUBS)
#: stubs that are not a value of one kind: several values under one key, a value that failed
MEDIA_LIST = "media-list"
ERROR = "error"
#: every ``_type`` a history row may hold
TYPES: tuple[str, ...] = (*MEDIA_KINDS, MEDIA_LIST, ERROR)


def kind_of(value: Any) -> str | None:
    """The ``_type`` of a stub (a dict with a string ``_type``), else None."""
    if isinstance(value, dict):
        t = value.get(TYPE)
        return t if isinstance(t, str) else None
    return None


def walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict in ``value`` (stubs, their layers, a media list's items, inlined files' rows),
    outermost first."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


@dataclass(frozen=True)
class FileRef:
    """A file a stub names: ``path`` (relative to the run folder) in ``stub[field]``, or in
    ``stub[field][layer]["path"]`` for a layer; ``role`` is ``"file"``, ``"mask"`` or ``"boxes"``."""

    stub: dict[str, Any]
    kind: str
    field: str
    path: str
    role: str = "file"
    layer: str | None = None


def files_of(value: Any, *, deep: bool = True) -> Iterator[FileRef]:
    """Every file the stubs in ``value`` name (a stub, a media list, a row, any nesting of dicts
    and lists). ``deep=False``: only ``value``'s own files, not those of its list items or of
    stubs nested in its fields. A table's cells live in its JSON file; once a reader has the
    file's rows (``stub["__inline"][path]["data"]``), ``files_of`` finds the cells' files too."""
    if isinstance(value, list):
        if deep:
            for item in value:
                yield from files_of(item)
        return
    if not isinstance(value, dict):
        return
    kind = kind_of(value)
    spec = STUBS.get(kind) if kind else None
    if spec is not None:
        for name in spec.files:
            p = value.get(name)
            if isinstance(p, str):
                yield FileRef(value, spec.kind, name, p)
        for name in spec.layers:
            layers = value.get(name)
            if not isinstance(layers, dict):
                continue
            for layer, info in layers.items():
                p = info.get(PATH) if isinstance(info, dict) else None
                if isinstance(p, str):
                    yield FileRef(value, spec.kind, name, p, "mask" if name == MASKS else "boxes",
                                  str(layer))
    if not deep:
        return
    for name, v in value.items():
        if spec is not None and name in spec.layers:
            continue
        if isinstance(v, (dict, list)):
            yield from files_of(v)
