"""The registry of media kinds: one explicit mapping, and the one place that turns logged values
into what lands in a history row.

``PUBLIC`` maps each public class name to the module that defines it; ``media`` exposes them
lazily, so ``import media`` stays fast and a kind's optional dependencies load only when used.
``KINDS`` maps each stub ``_type`` to its class name (the viewer has one renderer per kind).
"""

from __future__ import annotations

import importlib
import numbers
from typing import Any, SupportsFloat, cast

from media._base import Media
from media.errors import MediaTypeError, describe

#: public name -> module defining it
PUBLIC: dict[str, str] = {
    "Image": "media.image",
    "Classes": "media.image",
    "Histogram": "media.histogram",
    "Audio": "media.audio",
    "Video": "media.video",
    "Table": "media.table",
    "Object3D": "media.object3d",
    "box3d": "media.object3d",
    "Plotly": "media.plotly",
    "Bokeh": "media.bokeh",
    "Html": "media.html",
    "CustomChart": "media.plot",
    "plot_table": "media.plot",
}

#: stub _type -> public class name
KINDS: dict[str, str] = {
    "image": "Image",
    "histogram": "Histogram",
    "audio": "Audio",
    "video": "Video",
    "table": "Table",
    "object3d": "Object3D",
    "plotly": "Plotly",
    "bokeh": "Bokeh",
    "html": "Html",
    "plot": "CustomChart",
}

#: numpy arrays / tensors with more elements than this become a Histogram when logged bare
ARRAY_HISTOGRAM_THRESHOLD = 32


def load(name: str) -> Any:
    """The public class ``name`` (imports its module on first use)."""
    module = importlib.import_module(PUBLIC[name])
    return getattr(module, name)


class MediaList(Media):
    """Several media values logged under one key at one step, kept in order."""

    kind = "media-list"

    def __init__(self, items: list[Media]) -> None:
        self.items = list(items)

    def _accepted(self) -> None:
        for item in self.items:
            item._accepted()

    def _serialize(self, writer: Any) -> dict[str, Any]:
        stubs = [item._serialize(writer.item(i)) for i, item in enumerate(self.items)]
        kinds = {s.get("_type") for s in stubs}
        return {
            "_type": "media-list",
            "kind": kinds.pop() if len(kinds) == 1 else None,
            "count": len(stubs),
            "items": stubs,
        }


def _module_of(value: Any) -> str:
    return type(value).__module__ or ""


def coerce(value: Any, *, key: str, arrays_to_histograms: bool = True) -> Any:
    """Turn one logged value into a JSON-safe value or a ``Media`` to serialize later.

    Rules (also in docs/format.md):
      - bool, int, float, str, None pass through; numpy scalars become Python numbers.
      - a Media value, or a list/tuple whose items are all Media, is kept for the worker.
      - a numpy array or tensor: one element -> that number; more than 32 elements -> Histogram
        (unless ``arrays_to_histograms`` is False); otherwise a list of numbers.
      - lists/tuples of plain values are kept as JSON lists.
      - matplotlib figures (or ``matplotlib.pyplot``), plotly figures, bokeh models and pandas
        DataFrames are wrapped in their media kind.
    Anything else raises MediaTypeError naming the key and the type.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Media):
        return value._at_log()
    mod = _module_of(value)
    if mod == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()  # numpy scalar
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return float(cast(SupportsFloat, value))  # Decimal, Fraction, ...: every real Number
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, Media) for v in value):
            check = getattr(type(value[0]), "check_count", None)
            if check is not None and all(type(v) is type(value[0]) for v in value):
                check(len(value), key=key)
            return MediaList([v._at_log() for v in value])
        if any(isinstance(v, Media) for v in value):
            raise MediaTypeError(
                f"log(): key {key!r}: a list must hold only media values or only plain values; "
                f"got a mix ({', '.join(sorted({type(v).__name__ for v in value}))})."
            )
        return [coerce(v, key=key, arrays_to_histograms=False) for v in value]
    if isinstance(value, dict):
        # Nested dicts are flattened by the run before coerce is called; a dict here is a stub-like
        # value inside a list. Keep it if it is JSON-safe.
        return {str(k): coerce(v, key=key, arrays_to_histograms=False) for k, v in value.items()}
    from media._arrays import is_torch_tensor, to_numpy  # numpy loads only when arrays are logged

    if mod == "numpy" or is_torch_tensor(value) or (
        hasattr(value, "__array__") and not mod.startswith(("PIL", "pandas", "matplotlib"))
    ):
        arr = to_numpy(value, what=f"log(): key {key!r}")
        if arr.size == 1:
            return arr.reshape(()).item()
        if arrays_to_histograms and arr.size > ARRAY_HISTOGRAM_THRESHOLD:
            return load("Histogram")(arr)
        return arr.tolist()
    if mod.startswith("matplotlib") or (
        getattr(value, "__name__", "") == "matplotlib.pyplot"
    ):
        from media.mpl import from_matplotlib

        return from_matplotlib(value)
    if mod.startswith("plotly"):
        return load("Plotly")(value)
    if mod.startswith("bokeh"):
        return load("Bokeh")(value)
    if mod.startswith("pandas") and type(value).__name__ == "DataFrame":
        return load("Table")(dataframe=value)
    raise MediaTypeError(
        f"log(): key {key!r}: expected a number, string, bool, None, list, numpy array, tensor or "
        f"media value (Image, Audio, ...); got {describe(value)}."
    )
