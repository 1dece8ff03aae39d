"""Bokeh: one bokeh model or layout, stored as a ``bokeh.embed.json_item`` document (``.bokeh.json``).

The item is made at construction (a snapshot: later changes to the figure do not leak in) and
written by the run's worker. The stub records the bokeh version, because BokehJS reads only
documents of its own version; the viewer loads the matching BokehJS. See ``docs/kinds/bokeh.md``.

Example::

    from bokeh.plotting import figure
    p = figure(title="loss"); p.line([1, 2, 3], [0.9, 0.5, 0.4])
    media.log({"loss_plot": media.Bokeh(p)})
"""

from __future__ import annotations

import json
import os
from typing import Any

from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe


def _import_bokeh() -> Any:
    try:
        import bokeh
        import bokeh.embed  # noqa: F401
    except ImportError:
        raise ImportError(
            "Bokeh needs bokeh: pip install bokeh (or pip install mediaboard[charts])"
        ) from None
    return bokeh


class Bokeh(Media):
    """A bokeh plot, layout or widget, stored as the JSON of ``bokeh.embed.json_item``.

    ``obj`` may be:

    - a bokeh ``Model`` (a ``figure``, a layout from ``bokeh.layouts``, a widget...);
    - a bokeh ``Document`` with exactly one root;
    - a path to a JSON file written by ``json_item`` (``{"target_id", "root_id", "doc",
      "version"}``) or a bokeh document JSON (``{"version", "title", "roots": [...]}``, as
      ``Document.to_json()`` writes and wandb stores): the latter is wrapped into the
      ``json_item`` form with its first root;
    - another ``Bokeh`` (copied).

    Example::

        Bokeh(column(p1, p2))
    """

    kind = "bokeh"

    def __init__(self, obj: Any) -> None:
        if isinstance(obj, Bokeh):
            self._item: dict[str, Any] = obj._item
            self._json: bytes = obj._json
            self.version: str | None = obj.version
            return
        if isinstance(obj, (str, os.PathLike)):
            item = _load_file(os.fspath(obj))
        else:
            bokeh = _import_bokeh()
            from bokeh.document import Document
            from bokeh.model import Model

            if isinstance(obj, Document):
                if len(obj.roots) != 1:
                    raise MediaValueError(
                        "Bokeh: obj: expected a Document with exactly one root; got "
                        f"{len(obj.roots)} roots. Put them in one layout (bokeh.layouts.column)."
                    )
                obj = obj.roots[0]
            if not isinstance(obj, Model):
                raise MediaTypeError(
                    "Bokeh: obj: expected a bokeh model or layout (e.g. bokeh.plotting.figure), a "
                    f"Document, or a path to a .bokeh.json file; got {describe(obj)}."
                )
            try:
                item = bokeh.embed.json_item(obj)
            except RuntimeError as exc:  # a model shared by two documents, for example
                raise MediaValueError(f"Bokeh: obj: bokeh cannot serialize it: {exc}") from None
        self._item = item
        self.version = item.get("version") or (item.get("doc") or {}).get("version")
        self._json = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        """The stored ``json_item`` dict (as written to the file)."""
        return json.loads(self._json)

    def _serialize(self, writer: Any) -> dict[str, Any]:
        path = writer.write_bytes(self._json, ".bokeh.json")
        return {
            "_type": "bokeh",
            "path": path,
            "bokeh_version": self.version,
            "root_id": self._item.get("root_id"),
        }


def _load_file(path: str) -> dict[str, Any]:
    if not os.path.isfile(path):
        raise MediaValueError(f"Bokeh: obj: file not found: {path!r}.")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MediaValueError(f"Bokeh: obj: {path!r} is not JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("doc"), dict) and "root_id" in data:
        data.setdefault("target_id", None)
        data.setdefault("version", data["doc"].get("version"))
        return data
    if isinstance(data, dict) and isinstance(data.get("roots"), list) and data["roots"]:
        first = data["roots"][0]
        root_id = first.get("id") if isinstance(first, dict) else None
        if isinstance(root_id, str):
            return {
                "target_id": None,
                "root_id": root_id,
                "doc": data,
                "version": data.get("version"),
            }
    raise MediaValueError(
        f"Bokeh: obj: {path!r}: expected bokeh JSON (a json_item with 'doc' and 'root_id', or a "
        "document with 'roots'); got something else."
    )
