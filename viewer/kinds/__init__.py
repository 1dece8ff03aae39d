"""One place per media kind on the viewer's side: what the build, ``mediaboard ci`` and the export
need to know about each kind, one module per kind (``viewer/kinds/<kind>.py``).

A kind module defines:

- ``KIND``: its ``_type`` (one of ``media.stubs.MEDIA_KINDS``);
- ``METRICS``: the metrics ``ci`` measures and a ``--fail-on`` rule may name (the first ranks);
- ``compare(cmp, row, b, c, n)``: ``ci``'s comparison of a baseline and a candidate stub, filling
  ``row`` (metrics, score, text, the files and images the gallery shows; ``cmp`` is the
  ``viewer.ci.Comparer``, whose ``copy``/``write`` put files into the gallery through the gates);
- ``enrich(e)`` (optional): what the build adds to the kind's stub for the page (``e`` is a
  ``viewer.build.Enrich``: the stub, its copy, what is inlined, what is missing);
- ``VENDOR``: vendor scripts its renderer needs (``"plotly"``, ``"bokeh"``), which an export inlines;
- ``REENCODE``: an export may re-encode its files (images) to fit a budget.

The page side of a kind is ``viewer/static/renderers/<kind>.js`` (and its compare mode, where it
has one). ``docs/ARCHITECTURE.md`` has the recipe for a new kind. Modules load on first use.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from media import stubs


def get(kind: str) -> ModuleType:
    """The module of ``kind`` (a ``media.stubs.MEDIA_KINDS`` entry); KeyError for anything else."""
    if kind not in stubs.STUBS:
        raise KeyError(kind)
    return importlib.import_module(f"viewer.kinds.{kind}")


def all_kinds() -> dict[str, ModuleType]:
    """Every kind's module, in the contract's order."""
    return {k: get(k) for k in stubs.MEDIA_KINDS}
