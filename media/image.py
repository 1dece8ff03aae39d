"""Image: one picture (with optional segmentation masks and bounding boxes), and Classes.

Construction validates and normalises the input and keeps the pixels (or an image file's bytes)
in memory; nothing is written until the run serializes the value. The stub is documented in
``docs/kinds/image.md``.

Example::

    import media
    media.log({"examples": [media.Image(x, caption=f"Pred: {p}") for x, p in zip(xs, preds)]})
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from media._arrays import (
    channels_last,
    check_caption,
    is_array_like,
    is_torch_tensor,
    to_numpy,
    to_uint8,
)
from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe, warn

#: file_type -> Pillow format name (for arrays, PIL images, figures, and re-encoded files)
FILE_TYPES: dict[str, str] = {
    "png": "PNG",
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "webp": "WEBP",
    "bmp": "BMP",
}
#: formats of image files that are stored unchanged: Pillow format -> (stub format, extension)
KEPT_FORMATS: dict[str, tuple[str, str]] = {
    "PNG": ("png", ".png"),
    "JPEG": ("jpeg", ".jpg"),
    "GIF": ("gif", ".gif"),
    "WEBP": ("webp", ".webp"),
    "BMP": ("bmp", ".bmp"),
}
#: modes accepted by ``mode=``, with their channel counts
MODES: dict[str, int] = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4}
_NATURAL_MODE = {1: "L", 3: "RGB", 4: "RGBA"}
_URL = re.compile(r"^(https?|gs|s3)://", re.IGNORECASE)


class Image(Media):
    """An image logged as a PNG (or JPEG/WebP/BMP, or an image file kept as it is).

    ``data_or_path`` may be:

    - a numpy array, torch tensor (CPU or CUDA, with grad), nested list, or anything with
      ``__array__``, of shape (H, W), (H, W, C) or (C, H, W) with C in 1, 3, 4 (a leading batch
      axis of size 1 is dropped). Channel-first is detected by one rule: **the first axis is in
      {1, 3, 4} and the last is not** (so (3, 32, 32) is CHW and (32, 32, 3) is HWC); pass
      ``channels="first"|"last"`` to override. RGBA keeps its alpha.
    - a PIL image (any mode; palette and 16-bit images are converted, see ``docs/kinds/image.md``);
    - a path to an image file: PNG, JPEG, GIF, WebP and BMP files are stored byte for byte unless
      ``mode``, ``file_type``, ``value_range`` or ``channels`` asks for a change; other formats
      Pillow reads are re-encoded;
    - a matplotlib Figure, Axes or ``matplotlib.pyplot`` (rendered now, at the figure's dpi);
    - another ``Image`` (copied; a new ``caption`` etc. wins).

    Pixel values follow ``media._arrays.to_uint8``: uint8 as is; bool -> 0/255; floats in [0, 1]
    -> x*255; integers in 0..255 as is; anything else min-max scaled to 0..255;
    ``value_range=(lo, hi)`` maps lo..hi to 0..255 instead. NaN/inf are replaced with a warning.
    The rule applied is written to the stub's ``value_range``.

    ``masks={"layer": {"mask_data": HxW int array, "class_labels": {id: name}}}`` (or
    ``{"path": "mask.png"}``) and ``boxes={"layer": {"box_data": [box, ...], "class_labels":
    {...}}}`` add annotation layers; ``classes=`` gives labels shared by all layers.

    Example::

        Image(np.random.rand(28, 28), caption="noise")            # floats in [0, 1]
        Image(tensor_chw, caption="Pred: 3")                       # (3, H, W) torch tensor
        Image("cat.jpg", boxes={"pred": {"box_data": [{"position": {"minX": 0.1, "maxX": 0.5,
              "minY": 0.2, "maxY": 0.9}, "class_id": 1}], "class_labels": {1: "cat"}}})
    """

    kind = "image"

    #: larger sides than this warn (the image is kept as it is)
    MAX_SIDE: ClassVar[int] = 4096
    #: more images than this under one key at one step warn (all are kept); see ``check_count``
    MAX_PER_KEY: ClassVar[int] = 256

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: str | None = None,
        grouping: int | None = None,
        classes: Any = None,
        boxes: Mapping[str, Any] | None = None,
        masks: Mapping[str, Any] | None = None,
        file_type: str | None = None,
        *,
        channels: str | None = None,
        value_range: tuple[float, float] | None = None,
    ) -> None:
        self.caption = check_caption(caption, what="Image")
        if grouping is not None and (
            isinstance(grouping, bool) or not isinstance(grouping, (int, np.integer))
        ):
            raise MediaTypeError(f"Image: grouping: expected an int; got {describe(grouping)}.")
        self.grouping = None if grouping is None else int(grouping)
        if mode is not None and mode not in MODES:
            raise MediaValueError(
                f"Image: mode: expected one of {', '.join(map(repr, MODES))}; got {describe(mode)}."
            )
        if file_type is not None:
            if not isinstance(file_type, str) or file_type.lower() not in FILE_TYPES:
                raise MediaValueError(
                    f"Image: file_type: expected one of {', '.join(map(repr, FILE_TYPES))}; "
                    f"got {describe(file_type)}."
                )
            file_type = file_type.lower()
        self._file_type = file_type
        self._encoded: bytes | None = None  # an encoded file kept byte for byte
        self._pixels: np.ndarray | None = None  # uint8 (H, W) or (H, W, C)
        self._mode: str = "L"
        self.format: str = "png"
        self._ext: str = ".png"
        self.value_range: dict[str, Any] = {}
        self.alpha_dropped = False
        self._size_hint: tuple[int, int] = (0, 0)
        inherited_mode: str | None = None
        needs_change = mode is not None or value_range is not None

        source = data_or_path
        if channels is not None and not (
            is_array_like(source) or isinstance(source, (list, tuple))
        ):
            raise MediaValueError(
                f"Image: channels= applies to arrays and tensors; got {type(source).__name__}."
            )
        if isinstance(source, Image):
            self._copy_from(source, needs_change or file_type is not None, value_range=value_range)
            inherited_mode = source._mode if source._pixels is not None else None
        elif isinstance(source, (str, os.PathLike)):
            self._load_file(os.fspath(source), keep=not needs_change, value_range=value_range)
        elif _is_pil(source):
            self._load_pil(source, value_range=value_range)
        elif _is_matplotlib(source):
            self._load_figure(
                source,
                keep=not needs_change and file_type in (None, "png"),
                value_range=value_range,
            )
        elif is_array_like(source) or isinstance(source, (list, tuple)):
            self._load_array(source, channels=channels, value_range=value_range)
        else:
            raise MediaTypeError(
                "Image: data_or_path: expected a numpy array, torch tensor, PIL image, file path, "
                f"matplotlib figure or Image; got {describe(source)}."
            )

        if self._pixels is not None:
            self._finish_pixels(mode or inherited_mode)
        self.height, self.width = self._size()
        if max(self.width, self.height) > self.MAX_SIDE:
            warn(
                f"Image: {self.width}x{self.height} is larger than Image.MAX_SIDE={self.MAX_SIDE} "
                "on a side; it is kept at full size. Resize it, or raise media.Image.MAX_SIDE to "
                "silence this.",
            )
        self.classes: dict[int, str]
        if classes is None and isinstance(source, Image):
            self.classes = source.classes
        else:
            self.classes = _labels(classes, where="Image: classes") if classes is not None else {}
        self.masks: dict[str, _Mask] = (
            _parse_masks(masks, self.width, self.height)
            if masks is not None
            else (dict(source.masks) if isinstance(source, Image) else {})
        )
        self.boxes: dict[str, _Boxes] = (
            _parse_boxes(boxes, self.width, self.height)
            if boxes is not None
            else (dict(source.boxes) if isinstance(source, Image) else {})
        )

    # ---- loading ------------------------------------------------------------------------------
    def _copy_from(self, other: Image, change: bool, *, value_range: Any) -> None:
        if value_range is not None:
            raise MediaValueError(
                "Image: value_range applies to raw arrays; got an Image whose pixels are already "
                "mapped. Pass the original array instead."
            )
        self._encoded, self._pixels, self._mode = other._encoded, other._pixels, other._mode
        self.format, self._ext = other.format, other._ext
        self.value_range = dict(other.value_range)
        self.alpha_dropped = other.alpha_dropped
        self._size_hint = other._size_hint
        self._file_type = self._file_type or other._file_type
        if change and self._encoded is not None:
            self._decode_encoded()

    def _load_file(self, path: str, *, keep: bool, value_range: Any) -> None:
        if _URL.match(path):
            raise MediaValueError(
                f"Image: data_or_path: expected a local file; got the URL {path!r}. Download it "
                "first (remote references are not stored in run folders)."
            )
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise FileNotFoundError(f"Image: data_or_path: no such file: {path!r}.") from None
        except IsADirectoryError:
            raise MediaValueError(
                f"Image: data_or_path: expected an image file; got the folder {path!r}."
            ) from None
        from PIL import Image as PILImage
        from PIL import UnidentifiedImageError

        try:
            img = PILImage.open(io.BytesIO(data))
        except (UnidentifiedImageError, OSError) as exc:
            raise MediaValueError(
                f"Image: data_or_path: expected an image file Pillow can read (PNG, JPEG, GIF, "
                f"WebP, BMP, ...); got {path!r} ({exc})."
            ) from None
        if keep and img.format in KEPT_FORMATS and self._wants(img.format):
            self._encoded = data
            self.format, self._ext = KEPT_FORMATS[img.format]
            suffix = os.path.splitext(path)[1].lower()
            if suffix in (".jpeg", ".jpg") and self.format == "jpeg":
                self._ext = suffix
            self._mode = img.mode
            self._size_hint = (img.height, img.width)
            self.value_range = {"rule": "file"}
            return
        try:
            img.load()
        except OSError as exc:
            raise MediaValueError(
                f"Image: data_or_path: {path!r} could not be decoded: {exc}."
            ) from None
        self._load_pil(img, value_range=value_range)

    def _wants(self, pil_format: str) -> bool:
        """True when a file of ``pil_format`` can be kept as the requested file_type."""
        if self._file_type is None:
            return True
        return FILE_TYPES[self._file_type] == pil_format

    def _decode_encoded(self) -> None:
        from PIL import Image as PILImage

        assert self._encoded is not None
        img = PILImage.open(io.BytesIO(self._encoded))
        img.load()
        self._encoded = None
        self._load_pil(img, value_range=None)

    def _load_pil(self, img: Any, *, value_range: Any) -> None:
        mode = img.mode
        if mode in ("L", "RGB", "RGBA", "1") or mode.startswith("I") or mode == "F":
            arr = np.array(img)
        elif mode in ("P", "PA"):
            has_alpha = mode == "PA" or "transparency" in img.info
            arr = np.array(img.convert("RGBA" if has_alpha else "RGB"))
        elif "A" in img.getbands() or mode in ("La", "RGBa"):
            arr = np.array(img.convert("RGBA"))
        else:  # CMYK, YCbCr, LAB, HSV, RGBX: shown as RGB
            arr = np.array(img.convert("RGB"))
        if arr.ndim == 3 and arr.shape[2] == 2:  # LA
            arr = np.array(img.convert("RGBA"))
        self._pixels, self.value_range = to_uint8(arr, value_range=value_range, what="Image")

    def _load_figure(self, fig: Any, *, keep: bool, value_range: Any) -> None:
        if getattr(fig, "__name__", "") == "matplotlib.pyplot":
            fig = fig.gcf()
        elif not hasattr(fig, "savefig") and hasattr(fig, "figure"):
            fig = fig.figure  # an Axes
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi="figure")
        data = buf.getvalue()
        if keep:
            from PIL import Image as PILImage

            img = PILImage.open(io.BytesIO(data))
            self._encoded, self.format, self._ext = data, "png", ".png"
            self._mode = img.mode
            self._size_hint = (img.height, img.width)
            self.value_range = {"rule": "uint8", "lo": 0, "hi": 255}
            return
        from PIL import Image as PILImage

        img = PILImage.open(io.BytesIO(data))
        img.load()
        self._load_pil(img, value_range=value_range)

    def _load_array(self, data: Any, *, channels: str | None, value_range: Any) -> None:
        arr = to_numpy(data, what="Image: data_or_path")
        if arr.ndim == 4 and arr.shape[0] == 1:
            arr = arr[0]  # a batch of one
        arr = channels_last(arr, channels=channels, what="Image")
        if arr.ndim == 3 and arr.shape[2] == 1:
            arr = arr[:, :, 0]
        # to_uint8 always returns a new array, so later changes to the user's array do not leak in.
        self._pixels, self.value_range = to_uint8(arr, value_range=value_range, what="Image")

    def _finish_pixels(self, mode: str | None) -> None:
        px = self._pixels
        assert px is not None
        if px.ndim == 3 and px.shape[2] == 1:
            px = px[:, :, 0]
        self._pixels = np.ascontiguousarray(px)
        natural = "L" if px.ndim == 2 else _NATURAL_MODE[px.shape[2]]
        self._mode = mode or natural
        ftype = self._file_type or ("png" if self._encoded is None else self.format)
        if FILE_TYPES.get(ftype) in ("JPEG", "BMP") and self._mode in ("RGBA", "LA"):
            kept = "RGB" if self._mode == "RGBA" else "L"
            has_alpha = self._pixels.ndim == 3 and self._pixels.shape[2] == 4
            alpha = self._pixels[:, :, 3] if has_alpha else np.full(1, 255, np.uint8)
            if not (alpha == 255).all():
                warn(
                    f"Image: file_type={ftype!r} cannot store transparency; the alpha channel "
                    f"was dropped ({int(np.count_nonzero(alpha != 255))} of {alpha.size} pixels "
                    "were not opaque). Use file_type='png' or 'webp' to keep it.",
                )
            self._mode = kept
            self.alpha_dropped = True
        self.format = {"jpg": "jpeg"}.get(ftype, ftype)
        self._ext = "." + ftype

    def _size(self) -> tuple[int, int]:
        if self._pixels is not None:
            return int(self._pixels.shape[0]), int(self._pixels.shape[1])
        return self._size_hint

    @property
    def channels(self) -> int:
        """Channels of the stored image: 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA)."""
        mode = self._mode
        if mode in MODES:
            return MODES[mode]
        if mode in ("P", "PA"):
            return 4 if mode == "PA" else 3
        return 1 if mode in ("1", "I", "F") or mode.startswith("I;") else 3

    @property
    def image(self) -> Any:
        """The image as a PIL Image (decoded on demand)."""
        from PIL import Image as PILImage

        if self._encoded is not None:
            img = PILImage.open(io.BytesIO(self._encoded))
            img.load()
            return img
        return self._to_pil()

    def _to_pil(self) -> Any:
        from PIL import Image as PILImage

        assert self._pixels is not None
        img = PILImage.fromarray(self._pixels)
        if img.mode != self._mode:
            img = img.convert(self._mode)
        return img

    # ---- limits -------------------------------------------------------------------------------
    @classmethod
    def check_count(cls, count: int, *, key: str | None = None) -> bool:
        """Warn when ``count`` images go under one key at one step (more than ``MAX_PER_KEY``).

        Nothing is dropped; returns True when the count is within the limit.
        """
        if count <= cls.MAX_PER_KEY:
            return True
        where = f"key {key!r}: " if key is not None else ""
        warn(
            f"Image: {where}{count} images at one step is more than Image.MAX_PER_KEY="
            f"{cls.MAX_PER_KEY}; all are kept, but the viewer may be slow. Log fewer, or raise "
            "media.Image.MAX_PER_KEY to silence this.",
        )
        return False

    # ---- serialization ------------------------------------------------------------------------
    def _serialize(self, writer: Any) -> dict[str, Any]:
        if self._encoded is not None:
            path = writer.write_bytes(self._encoded, self._ext)
        else:
            path = writer.write_bytes(self._encode(), self._ext)
        stub: dict[str, Any] = {
            "_type": "image",
            "path": path,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "channels": self.channels,
        }
        if writer.sha256:
            stub["sha256"] = writer.sha256
        if self.caption is not None:
            stub["caption"] = self.caption
        if self.grouping is not None:
            stub["grouping"] = self.grouping
        stub["value_range"] = dict(self.value_range)
        if self.alpha_dropped:
            stub["alpha_dropped"] = True
        if self.classes:
            stub["classes"] = _labels_json(self.classes)
        if self.masks:
            stub["masks"] = {
                layer: m.serialize(writer.child(f"mask-{layer}"), self.classes)
                for layer, m in self.masks.items()
            }
        if self.boxes:
            stub["boxes"] = {
                layer: b.serialize(
                    writer.child(f"boxes-{layer}"), self.classes, self.width, self.height
                )
                for layer, b in self.boxes.items()
            }
        return stub

    def _encode(self) -> bytes:
        img = self._to_pil()
        buf = io.BytesIO()
        fmt = FILE_TYPES[self._ext[1:]]
        if fmt == "PNG":
            img.save(buf, format="PNG", compress_level=6)
        elif fmt in ("JPEG", "WEBP"):
            img.save(buf, format=fmt, quality=90)
        else:
            img.save(buf, format=fmt)
        return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Classes
# --------------------------------------------------------------------------------------------


class Classes(Media):
    """Class ids and names shared by the masks and boxes of a key.

    Accepts ``[{"id": 1, "name": "cat"}, ...]`` (wandb's form) or ``{1: "cat", ...}``. Use it as
    ``Image(classes=...)``, as a layer's ``class_labels``, or log it on its own.

    Example::

        classes = Classes([{"id": 0, "name": "background"}, {"id": 1, "name": "cat"}])
        Image(x, classes=classes, masks={"pred": {"mask_data": m}})
    """

    kind = "classes"

    def __init__(self, class_set: Any) -> None:
        self.labels: dict[int, str]
        if isinstance(class_set, Classes):
            self.labels = dict(class_set.labels)
            return
        if isinstance(class_set, Mapping):
            self.labels = _labels(class_set, where="Classes")
            return
        if not isinstance(class_set, (list, tuple)):
            raise MediaTypeError(
                'Classes: expected a list of {"id": int, "name": str} or a dict {id: name}; '
                f"got {describe(class_set)}."
            )
        labels: dict[int, str] = {}
        for i, item in enumerate(class_set):
            where = f"Classes: item {i}"
            if not isinstance(item, Mapping) or "id" not in item or "name" not in item:
                raise MediaValueError(
                    f'{where}: expected {{"id": int, "name": str}}; got {describe(item)}.'
                )
            cid = _int_id(item["id"], where=f"{where}: id")
            if cid in labels:
                raise MediaValueError(
                    f"{where}: id {cid} appears twice ({labels[cid]!r} and {item['name']!r})."
                )
            if not isinstance(item["name"], str):
                raise MediaTypeError(
                    f"{where}: name: expected a str; got {describe(item['name'])}."
                )
            labels[cid] = item["name"]
        self.labels = labels

    @property
    def class_set(self) -> list[dict[str, Any]]:
        """The classes as ``[{"id": ..., "name": ...}, ...]``."""
        return [{"id": k, "name": v} for k, v in self.labels.items()]

    def _serialize(self, writer: Any) -> dict[str, Any]:
        return {"_type": "classes", "class_set": self.class_set}


def _labels(obj: Any, *, where: str) -> dict[int, str]:
    """``{int: str}`` from a dict (int or digit-string keys), a Classes, or a class_set list."""
    if isinstance(obj, Classes):
        return dict(obj.labels)
    if isinstance(obj, (list, tuple)):
        return Classes(obj).labels
    if not isinstance(obj, Mapping):
        raise MediaTypeError(
            f"{where}: expected a dict {{class id: name}} or Classes; got {describe(obj)}."
        )
    out: dict[int, str] = {}
    for k, v in obj.items():
        cid = _int_id(k, where=f"{where}: key {k!r}", allow_digit_str=True)
        if not isinstance(v, str):
            raise MediaTypeError(f"{where}: class {cid}: expected a str name; got {describe(v)}.")
        out[cid] = v
    return out


def _labels_json(labels: Mapping[int, str]) -> dict[str, str]:
    return {str(k): v for k, v in sorted(labels.items())}


def _int_id(value: Any, *, where: str, allow_digit_str: bool = False) -> int:
    if allow_digit_str and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if is_torch_tensor(value) or isinstance(value, np.ndarray):
        arr = to_numpy(value, what=where)
        if arr.size == 1 and arr.dtype.kind in "iu":
            return int(arr.reshape(()).item())
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    raise MediaTypeError(f"{where}: expected an integer class id; got {describe(value)}.")


def _is_pil(value: Any) -> bool:
    return (type(value).__module__ or "").startswith("PIL") and hasattr(value, "getbands")


def _is_matplotlib(value: Any) -> bool:
    if getattr(value, "__name__", "") == "matplotlib.pyplot":
        return True
    mod = type(value).__module__ or ""
    return mod.startswith("matplotlib") and (hasattr(value, "savefig") or hasattr(value, "figure"))


# --------------------------------------------------------------------------------------------
# Masks
# --------------------------------------------------------------------------------------------


@dataclass
class _Mask:
    data: np.ndarray  # uint8 (H, W) class ids
    labels: dict[int, str]

    def serialize(self, writer: Any, classes: Mapping[int, str]) -> dict[str, Any]:
        from PIL import Image as PILImage

        buf = io.BytesIO()
        PILImage.fromarray(self.data, mode="L").save(buf, format="PNG")
        path = writer.write_bytes(buf.getvalue(), ".png")
        present = [int(v) for v in np.unique(self.data)]
        labels = {cid: f"class_{cid}" for cid in present}
        labels.update(classes)
        labels.update(self.labels)
        return {"path": path, "class_labels": _labels_json(labels), "ids": present}


_MASK_KEYS = ("mask_data", "path", "class_labels")


def _parse_masks(masks: Any, width: int, height: int) -> dict[str, _Mask]:
    if not isinstance(masks, Mapping):
        raise MediaTypeError(
            'Image: masks: expected a dict {layer: {"mask_data": array, "class_labels": {id: name}}}; '
            f"got {describe(masks)}."
        )
    out: dict[str, _Mask] = {}
    for layer, spec in masks.items():
        where = f"Image: masks[{layer!r}]"
        if not isinstance(layer, str) or not layer:
            raise MediaTypeError(
                f"Image: masks: layer names must be non-empty str; got {describe(layer)}."
            )
        if not isinstance(spec, Mapping):
            raise MediaTypeError(
                f'{where}: expected a dict with "mask_data" or "path"; got {describe(spec)}.'
            )
        unknown = [k for k in spec if k not in _MASK_KEYS]
        if unknown:
            # wandb ignores them too (a "caption" beside mask_data, say): the mask is usable
            warn(f"{where}: expected keys {', '.join(_MASK_KEYS)}; got also "
                 f"{', '.join(repr(k) for k in unknown)}; ignored them and kept the mask.")
        if ("mask_data" in spec) == ("path" in spec):
            raise MediaValueError(
                f'{where}: expected exactly one of "mask_data" or "path"; got {sorted(spec)}.'
            )
        if "path" in spec:
            arr = _read_mask_file(spec["path"], where=f"{where}: path")
        else:
            arr = to_numpy(spec["mask_data"], what=f"{where}: mask_data")
        data = _mask_ids(
            arr, where=f"{where}: mask_data" if "mask_data" in spec else f"{where}: path"
        )
        if data.shape != (height, width):
            raise MediaValueError(
                f"{where}: mask has shape {tuple(data.shape)}; expected ({height}, {width}) to "
                f"match the {width}x{height} image."
            )
        labels = (
            _labels(spec["class_labels"], where=f"{where}: class_labels")
            if spec.get("class_labels") is not None
            else {}
        )
        out[layer] = _Mask(data, labels)
    return out


def _read_mask_file(path: Any, *, where: str) -> np.ndarray:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        img = PILImage.open(os.fspath(path))
        img.load()
    except FileNotFoundError:
        raise FileNotFoundError(f"{where}: no such file: {os.fspath(path)!r}.") from None
    except (UnidentifiedImageError, OSError, TypeError) as exc:
        raise MediaValueError(
            f"{where}: expected a mask image file; got {describe(path)} ({exc})."
        ) from None
    if len(img.getbands()) != 1:
        raise MediaValueError(
            f"{where}: expected a single-channel mask (mode L, P or I) holding class ids; got a "
            f"mode {img.mode} image."
        )
    return np.array(img)


def _mask_ids(arr: np.ndarray, *, where: str) -> np.ndarray:
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim != 2:
        raise MediaValueError(
            f"{where}: expected a 2-D (H, W) array of class ids; got shape {tuple(arr.shape)}."
        )
    if arr.dtype.kind == "b":
        return arr.astype(np.uint8)
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all() or not (arr == np.round(arr)).all():
            raise MediaValueError(
                f"{where}: expected integer class ids; got float values that are not whole numbers "
                "(or NaN). Round or cast them (e.g. mask.astype(int)) first."
            )
    elif arr.dtype.kind not in "iu":
        raise MediaTypeError(f"{where}: expected integer class ids; got dtype {arr.dtype}.")
    lo, hi = arr.min(), arr.max()
    if lo < 0 or hi > 255:
        raise MediaValueError(
            f"{where}: class ids must be in 0..255 (masks are stored as 8-bit PNGs); got values "
            f"from {lo:g} to {hi:g}."
        )
    return np.ascontiguousarray(arr.astype(np.uint8))


# --------------------------------------------------------------------------------------------
# Boxes
# --------------------------------------------------------------------------------------------

_BOX_KEYS = ("position", "class_id", "box_caption", "scores", "domain")
_CORNERS = ("minX", "maxX", "minY", "maxY")
_POSITION_FORMS = '{"minX", "maxX", "minY", "maxY"} or {"middle": [x, y], "width", "height"}'


@dataclass
class _Boxes:
    boxes: list[dict[str, Any]]  # normalised: position in pixels as minX/minY/maxX/maxY
    labels: dict[int, str]

    def serialize(
        self, writer: Any, classes: Mapping[int, str], width: int, height: int
    ) -> dict[str, Any]:
        labels = {b["class_id"]: f"class_{b['class_id']}" for b in self.boxes}
        labels.update(classes)
        labels.update(self.labels)
        doc = {
            "width": width,
            "height": height,
            "box_data": self.boxes,
            "class_labels": _labels_json(labels),
        }
        path = writer.write_json(doc, ".json")
        return {"path": path, "count": len(self.boxes), "class_labels": _labels_json(labels)}


def _parse_boxes(boxes: Any, width: int, height: int) -> dict[str, _Boxes]:
    if not isinstance(boxes, Mapping):
        raise MediaTypeError(
            'Image: boxes: expected a dict {layer: {"box_data": [box, ...], "class_labels": {id: name}}}; '
            f"got {describe(boxes)}."
        )
    out: dict[str, _Boxes] = {}
    for layer, spec in boxes.items():
        where = f"Image: boxes[{layer!r}]"
        if not isinstance(layer, str) or not layer:
            raise MediaTypeError(
                f"Image: boxes: layer names must be non-empty str; got {describe(layer)}."
            )
        if not isinstance(spec, Mapping) or "box_data" not in spec:
            raise MediaValueError(
                f'{where}: expected a dict with "box_data" (a list of boxes); got {describe(spec)}.'
            )
        unknown = [k for k in spec if k not in ("box_data", "class_labels")]
        if unknown:
            warn(f"{where}: expected keys box_data, class_labels; got also "
                 f"{', '.join(repr(k) for k in unknown)}; ignored them and kept the boxes.")
        data = spec["box_data"]
        if not isinstance(data, (list, tuple)):
            raise MediaTypeError(
                f"{where}: box_data: expected a list of boxes; got {describe(data)}."
            )
        labels = (
            _labels(spec["class_labels"], where=f"{where}: class_labels")
            if spec.get("class_labels") is not None
            else {}
        )
        parsed = []
        far = 0.0
        far_count = 0
        for i, box in enumerate(data):
            norm, reach = _parse_box(box, f"{where}[{i}]", width, height)
            parsed.append(norm)
            if reach > 1.5:
                far_count += 1
                far = max(far, reach)
        if far_count:
            warn(
                f"{where}: {far_count} of {len(parsed)} boxes have fractional coordinates far "
                f"outside 0..1 (up to {far:g}); they are kept as given. If they are pixel "
                'coordinates, add "domain": "pixel" to each box.',
            )
        out[layer] = _Boxes(parsed, labels)
    return out


def _parse_box(box: Any, where: str, width: int, height: int) -> tuple[dict[str, Any], float]:
    """One box normalised to pixel corners, and (for fractional boxes) its largest |coordinate|."""
    if not isinstance(box, Mapping):
        raise MediaTypeError(
            f"{where}: expected a dict with position and class_id; got {describe(box)}."
        )
    unknown = [k for k in box if k not in _BOX_KEYS]
    if unknown:
        raise MediaValueError(
            f"{where}: unknown key {unknown[0]!r}; expected {', '.join(_BOX_KEYS)}."
        )
    if "position" not in box:
        raise MediaValueError(f"{where}: missing position; expected {_POSITION_FORMS}.")
    if "class_id" not in box:
        raise MediaValueError(f"{where}: missing class_id (an int).")
    domain = box.get("domain")
    if domain not in (None, "pixel"):
        raise MediaValueError(
            f"{where}: domain: expected 'pixel' or absent (fractions 0..1); got {describe(domain)}."
        )
    pos = box["position"]
    if not isinstance(pos, Mapping):
        raise MediaTypeError(f"{where}: position: expected {_POSITION_FORMS}; got {describe(pos)}.")
    if all(k in pos for k in _CORNERS):
        x0, x1, y0, y1 = (_number(pos[k], where=f"{where}: position.{k}") for k in _CORNERS)
        if x0 > x1 or y0 > y1:
            raise MediaValueError(
                f"{where}: position: expected minX <= maxX and minY <= maxY; got "
                f"minX={x0:g}, maxX={x1:g}, minY={y0:g}, maxY={y1:g}."
            )
    elif all(k in pos for k in ("middle", "width", "height")):
        mid = to_numpy(pos["middle"], what=f"{where}: position.middle").reshape(-1)
        if mid.size != 2 or mid.dtype.kind not in "iuf":
            raise MediaValueError(
                f"{where}: position.middle: expected [x, y]; got {describe(pos['middle'])}."
            )
        cx, cy = (_number(v, where=f"{where}: position.middle") for v in mid)
        w = _number(pos["width"], where=f"{where}: position.width")
        h = _number(pos["height"], where=f"{where}: position.height")
        if w < 0 or h < 0:
            raise MediaValueError(
                f"{where}: position: width and height must be >= 0; got {w:g}, {h:g}."
            )
        x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    else:
        raise MediaValueError(
            f"{where}: position: expected {_POSITION_FORMS}; got keys {sorted(map(str, pos))}."
        )
    reach = 0.0
    if domain is None:
        reach = max(abs(x0), abs(x1), abs(y0), abs(y1))
        x0, x1, y0, y1 = x0 * width, x1 * width, y0 * height, y1 * height
    out: dict[str, Any] = {
        "position": {"minX": x0, "minY": y0, "maxX": x1, "maxY": y1},
        "class_id": _int_id(box["class_id"], where=f"{where}: class_id"),
    }
    if box.get("box_caption") is not None:
        if not isinstance(box["box_caption"], str):
            raise MediaTypeError(
                f"{where}: box_caption: expected a str; got {describe(box['box_caption'])}."
            )
        out["box_caption"] = box["box_caption"]
    if box.get("scores") is not None:
        scores = box["scores"]
        if not isinstance(scores, Mapping):
            raise MediaTypeError(
                f"{where}: scores: expected a dict {{name: number}}; got {describe(scores)}."
            )
        out["scores"] = {}
        for name, value in scores.items():
            if not isinstance(name, str):
                raise MediaTypeError(f"{where}: scores: expected str names; got {describe(name)}.")
            out["scores"][name] = _number(value, where=f"{where}: scores[{name!r}]")
    return out, reach


def _number(value: Any, *, where: str) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise MediaTypeError(f"{where}: expected a number; got {describe(value)}.")
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
    elif is_torch_tensor(value) or isinstance(value, np.ndarray):
        arr = to_numpy(value, what=where)
        if arr.size != 1 or arr.dtype.kind not in "iuf":
            raise MediaTypeError(f"{where}: expected a number; got {describe(value)}.")
        v = float(arr.reshape(()).item())
    else:
        raise MediaTypeError(f"{where}: expected a number; got {describe(value)}.")
    if not np.isfinite(v):
        raise MediaValueError(f"{where}: expected a finite number; got {v}.")
    return v
