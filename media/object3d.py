"""Object3D: a point cloud (with optional 3-D boxes and vectors) or a 3-D model file.

Point clouds are stored in full as binary little-endian PLY (readable by Open3D, MeshLab,
CloudCompare, ``plyfile`` or ``media.object3d.read_ply``), plus a JSON preview for the viewer that
holds at most ``Object3D.PREVIEW_POINTS`` points (a fixed, seeded subsample when the cloud is
larger) and every box and vector. Model files (``.obj``, ``.gltf``, ``.glb``, ``.stl``,
``.pts.json``) are stored byte for byte. The stub is documented in ``docs/kinds/object3d.md``.

Example::

    xyz = np.random.randn(5000, 3)
    media.log({"cloud": media.Object3D(xyz)})
    media.log({"scene": media.Object3D({"type": "lidar/beta", "points": xyzrgb,
               "boxes": [media.object3d.box3d(center=(0, 0, 1), size=(2, 4, 1.5),
                                              orientation=(1, 0, 0, 0), color=(255, 0, 0),
                                              label="car", score=0.9)]})})
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from media._arrays import check_caption, is_array_like, to_numpy, to_uint8
from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe, warn

#: point layouts by column count
POINT_FORMATS: dict[int, str] = {3: "xyz", 4: "xyzc", 6: "xyzrgb"}
#: model files kept as they are: extension -> stub format
FILE_FORMATS: dict[str, str] = {
    ".pts.json": "pts.json",
    ".obj": "obj",
    ".gltf": "gltf",
    ".glb": "glb",
    ".stl": "stl",
}
SCENE_TYPES = ("lidar/beta",)
_PREVIEW_SEED = 0


class Object3D(Media):
    """A 3-D point cloud, scene or model file.

    ``data_or_path`` may be:

    - a numpy array / tensor of shape (N, 3) ``x, y, z``; (N, 4) ``x, y, z, category`` (the
      category is a class number; the viewer colours by it); or (N, 6) ``x, y, z, r, g, b``.
      Colours: floats whose values all lie in [0, 1] mean 0..1; anything else means 0..255
      (values outside are clipped, with a warning). Other shapes raise.
    - a scene dict ``{"type": "lidar/beta", "points": (N, 3|4|6) array, "boxes": [box, ...],
      "vectors": [{"start": [x, y, z], "end": [x, y, z]}, ...]}``, a box being
      ``{"corners": 8x3, "label": str, "color": [r, g, b], "score": float}`` (only corners is
      required; ``box3d()`` makes one from centre, size and orientation). Missing keys mean
      empty; ``start`` defaults to the origin.
    - a path (or an open file; a file object without a name needs ``file_type=``) to a ``.obj``,
      ``.gltf``, ``.glb``, ``.stl`` or ``.pts.json`` file, stored unchanged. A ``.gltf`` that refers
      to external files is refused (use ``.glb`` or embedded data URIs).

    Example::

        Object3D(np.c_[xyz, rgb])             # (N, 6) coloured points
        Object3D("mesh.glb", caption="step 10")
    """

    kind = "object3d"

    #: point clouds larger than this get a subsampled preview (the PLY keeps every point)
    PREVIEW_POINTS: ClassVar[int] = 100_000

    def __init__(
        self, data_or_path: Any, caption: str | None = None, *, file_type: str | None = None
    ) -> None:
        self.caption = check_caption(caption, what="Object3D")
        self.format: str = "ply"
        self._file: bytes | None = None  # a model file kept byte for byte
        self._points: np.ndarray | None = None  # (N, 3 | 4 | 6) as given (float/int)
        self._colors: np.ndarray | None = None  # (N, 3) uint8 for xyzrgb
        self.color_range: dict[str, Any] | None = None
        self.point_format: str | None = None
        self.boxes: list[dict[str, Any]] = []
        self.vectors: list[dict[str, Any]] = []
        self._mesh_preview: dict[str, Any] | None = None
        self.scene_type: str | None = None
        self.preview_skipped: str | None = None

        source = data_or_path
        if isinstance(source, Object3D):
            self.__dict__.update({k: v for k, v in source.__dict__.items() if k != "caption"})
            if caption is None:
                self.caption = source.caption
            return
        if file_type is not None and not (
            isinstance(source, (str, os.PathLike)) or hasattr(source, "read")
        ):
            raise MediaValueError(
                f"Object3D: file_type= applies to files; got {type(source).__name__}."
            )
        if isinstance(source, Mapping):
            self._load_scene(source)
        elif isinstance(source, (str, os.PathLike)):
            self._load_file(os.fspath(source), file_type)
        elif hasattr(source, "read"):
            name = getattr(source, "name", None)
            if file_type is None and not isinstance(name, str):
                raise MediaValueError(
                    "Object3D: a file object without a name needs file_type= (one of "
                    f"{', '.join(f[1:] for f in FILE_FORMATS)})."
                )
            content = source.read()
            if isinstance(content, str):
                content = content.encode("utf-8")
            self._load_bytes(bytes(content), file_type or _ext_of(name or ""), where=str(name))
        elif is_array_like(source) and not isinstance(source, (list, tuple)):
            self._set_points(to_numpy(source, what="Object3D: data_or_path"), where="data")
        else:
            raise MediaTypeError(
                "Object3D: data_or_path: expected a numpy array or tensor (N, 3), (N, 4) or "
                "(N, 6), a scene dict {'type': 'lidar/beta', 'points': ...}, or a path to a "
                f".obj/.gltf/.glb/.stl/.pts.json file; got {describe(source)}."
            )

    # ---- wandb's helper constructors ------------------------------------------------------------
    @classmethod
    def from_numpy(cls, data: Any, caption: str | None = None) -> Object3D:
        """``Object3D`` of an (N, 3), (N, 4) or (N, 6) array."""
        if not is_array_like(data) or isinstance(data, (list, tuple)):
            raise MediaTypeError(
                f"Object3D.from_numpy: expected a numpy array or tensor; got {describe(data)}."
            )
        return cls(data, caption=caption)

    @classmethod
    def from_file(
        cls, data_or_path: Any, file_type: str | None = None, caption: str | None = None
    ) -> Object3D:
        """``Object3D`` of a model file (path or file object)."""
        if not (isinstance(data_or_path, (str, os.PathLike)) or hasattr(data_or_path, "read")):
            raise MediaTypeError(
                f"Object3D.from_file: expected a path or file object; got {describe(data_or_path)}."
            )
        return cls(data_or_path, caption=caption, file_type=file_type)

    @classmethod
    def from_point_cloud(
        cls,
        points: Any,
        boxes: Any = (),
        vectors: Any = (),
        point_cloud_type: str = "lidar/beta",
        caption: str | None = None,
    ) -> Object3D:
        """``Object3D`` of a scene: points with 3-D boxes and vectors."""
        scene = {"type": point_cloud_type, "points": points, "boxes": boxes, "vectors": vectors}
        return cls(scene, caption=caption)

    # ---- loading ------------------------------------------------------------------------------
    def _set_points(self, arr: np.ndarray, *, where: str) -> None:
        """Keep (N, 3|4|6) points (warnings point at the user's line: ``media.errors.warn``)."""
        expected = (
            f"Object3D: {where}: expected shape (N, 3) x,y,z, (N, 4) x,y,z,category or (N, 6) "
            "x,y,z,r,g,b"
        )
        if arr.ndim == 1 and arr.size == 0:
            arr = arr.reshape(0, 3)
        if arr.ndim != 2 or arr.shape[1] not in POINT_FORMATS:
            raise MediaValueError(f"{expected}; got {tuple(arr.shape)}.")
        if arr.dtype.kind not in "biuf":
            raise MediaTypeError(f"{expected} of numbers; got dtype {arr.dtype}.")
        self.point_format = POINT_FORMATS[arr.shape[1]]
        if arr.dtype.kind == "b" or (arr.dtype.kind in "iu" and arr.dtype.itemsize > 4):
            arr = arr.astype(np.float64)
        pts = np.array(arr, copy=True)
        if self.point_format == "xyzrgb":
            rgb = pts[:, 3:6]
            if len(rgb):
                unit = rgb.dtype.kind == "f" and float(rgb.min()) >= 0 and float(rgb.max()) <= 1
                colors, info = to_uint8(
                    rgb,
                    value_range=(0.0, 1.0) if unit else (0.0, 255.0),
                    what="Object3D: colours",
                )
                info.pop("rule", None)
                self._colors, self.color_range = colors, info
            else:
                self._colors, self.color_range = np.zeros((0, 3), np.uint8), {"lo": 0, "hi": 255}
        self._points = pts
        bad = ~np.isfinite(pts[:, : 4 if self.point_format == "xyzc" else 3].astype(np.float64))
        nonfinite = int(np.count_nonzero(bad.any(axis=1)))
        if nonfinite:
            warn(
                f"Object3D: {nonfinite} of {len(pts)} points have NaN or infinite coordinates; "
                "they are kept in the PLY file but left out of the viewer's preview.",
            )

    def _load_scene(self, scene: Mapping[str, Any]) -> None:
        unknown = sorted(str(k) for k in scene if k not in ("type", "points", "boxes", "vectors"))
        if unknown:
            raise MediaValueError(
                "Object3D: scene: expected keys 'type', 'points', 'boxes', 'vectors'; got "
                f"unknown keys {unknown}."
            )
        stype = scene.get("type", "lidar/beta")
        if stype not in SCENE_TYPES:
            raise MediaValueError(
                f"Object3D: scene type: expected one of {list(SCENE_TYPES)}; got {describe(stype)}."
            )
        self.scene_type = stype
        points = scene.get("points")
        if points is None or (isinstance(points, (list, tuple)) and len(points) == 0):
            arr = np.zeros((0, 3))
        else:
            arr = to_numpy(points, what="Object3D: scene points")
        self._set_points(arr, where="scene points")
        self.boxes = [
            _box(b, where=f"Object3D: scene boxes[{i}]")
            for i, b in enumerate(_items(scene.get("boxes"), what="boxes"))
        ]
        self.vectors = [
            _vector(v, where=f"Object3D: scene vectors[{i}]")
            for i, v in enumerate(_items(scene.get("vectors"), what="vectors"))
        ]

    def _load_file(self, path: str, file_type: str | None) -> None:
        ext = (file_type or _ext_of(path)).lower()
        if ("." + ext.lstrip(".")) not in FILE_FORMATS:
            self._load_bytes(b"", ext, where=path)  # raises: names the accepted types
        if not os.path.isfile(path):
            raise MediaValueError(f"Object3D: data_or_path: file not found: {path!r}.")
        with open(path, "rb") as f:
            data = f.read()
        self._load_bytes(data, file_type or _ext_of(path), where=path, folder=os.path.dirname(path))

    def _load_bytes(self, data: bytes, ext: str, *, where: str, folder: str | None = None) -> None:
        ext = ext.lower()
        if not ext.startswith("."):
            ext = "." + ext
        if ext not in FILE_FORMATS:
            raise MediaValueError(
                f"Object3D: {where!r}: expected a file of type "
                f"{', '.join(f[1:] for f in FILE_FORMATS)}; got {ext[1:] or 'no extension'!r}."
            )
        self.format = FILE_FORMATS[ext]
        self._file = data
        if self.format == "pts.json":
            self._parse_pts_json(data, where=where)
        elif self.format == "obj":
            self._mesh_preview = _obj_preview(data, where=where)
        elif self.format == "stl":
            self._mesh_preview = _stl_preview(data, where=where)
        elif self.format in ("gltf", "glb"):
            if self.format == "gltf":
                doc, binary = _check_gltf(data, where=where), None
            else:
                doc, binary = _glb_chunks(data, where=where)
            try:
                self._mesh_preview = _gltf_preview(doc, binary)
            except (KeyError, IndexError, ValueError, TypeError) as exc:
                # The file is stored either way; say why the viewer has no preview of it.
                self.preview_skipped = f"{type(exc).__name__}: {exc}"
                warn(
                    f"Object3D: {where!r}: the file is kept, but its meshes could not be read "
                    f"for the viewer's preview ({self.preview_skipped}).",
                )

    def _parse_pts_json(self, data: bytes, *, where: str) -> None:
        try:
            obj = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MediaValueError(f"Object3D: {where!r}: not valid JSON: {exc}") from None
        if isinstance(obj, dict):
            self._load_scene(obj)
        else:
            try:
                arr = np.asarray(obj, dtype=np.float64)
            except (ValueError, TypeError):
                raise MediaValueError(
                    f"Object3D: {where!r}: expected a list of points [[x, y, z, ...], ...] or a "
                    "scene object."
                ) from None
            self._set_points(arr, where=f"{where!r}")

    # ---- writing ------------------------------------------------------------------------------
    @property
    def n_points(self) -> int | None:
        """Points in the cloud (vertices for an .obj file); None for other model files."""
        if self._points is not None:
            return int(len(self._points))
        if self._mesh_preview is not None:
            return int(self._mesh_preview["total_points"])
        return None

    def _serialize(self, writer: Any) -> dict[str, Any]:
        stub: dict[str, Any] = {"_type": "object3d", "format": self.format}
        if self._file is not None:
            stub["path"] = writer.write_bytes(self._file, "." + self.format)
        else:
            stub["path"] = writer.write_bytes(self._ply(), ".ply")
        preview = self._preview()
        if preview is not None:
            stub["preview"] = writer.child("preview").write_json(preview, ".json")
            stub["points"] = preview["total_points"]
            stub["preview_points"] = len(preview["points"])
            stub["point_format"] = preview["point_format"]
            if preview.get("faces") is not None:
                stub["faces"] = len(preview["faces"])
            if preview.get("bounds"):
                stub["bounds"] = preview["bounds"]
            if preview.get("nonfinite"):
                stub["nonfinite"] = preview["nonfinite"]
        if self._points is not None:
            stub["boxes"] = len(self.boxes)
            stub["vectors"] = len(self.vectors)
        if self.scene_type is not None:
            stub["scene_type"] = self.scene_type
        if self.preview_skipped is not None:
            stub["preview_skipped"] = self.preview_skipped
        if self.color_range is not None:
            stub["color_range"] = self.color_range
        if self.caption is not None:
            stub["caption"] = self.caption
        return stub

    def _ply(self) -> bytes:
        pts = self._points
        assert pts is not None  # only called for point clouds
        n = len(pts)
        coord = "<f8" if pts.dtype == np.float64 or pts.dtype.kind in "iu" else "<f4"
        fields: list[tuple[str, str]] = [("x", coord), ("y", coord), ("z", coord)]
        if self.point_format == "xyzc":
            cat = pts[:, 3]
            integral = pts.dtype.kind in "iu" or bool(
                np.all(np.isfinite(cat) & (cat == np.round(cat)))
            )
            fields.append(("category", "<i4" if integral else coord))
        elif self.point_format == "xyzrgb":
            fields += [("red", "u1"), ("green", "u1"), ("blue", "u1")]
        rec = np.zeros(n, dtype=fields)
        for i, name in enumerate(("x", "y", "z")):
            rec[name] = pts[:, i]
        if self.point_format == "xyzc":
            rec["category"] = pts[:, 3]
        elif self.point_format == "xyzrgb" and self._colors is not None:
            rec["red"], rec["green"], rec["blue"] = self._colors.T
        ply_type = {"<f8": "double", "<f4": "float", "<i4": "int", "u1": "uchar"}
        header = ["ply", "format binary_little_endian 1.0", "comment written by mediaboard"]
        header.append(f"element vertex {n}")
        header += [f"property {ply_type[t]} {name}" for name, t in fields]
        header.append("end_header")
        return ("\n".join(header) + "\n").encode("ascii") + rec.tobytes()

    def _preview(self) -> dict[str, Any] | None:
        if self._mesh_preview is not None:
            return self._mesh_preview
        if self._points is None:
            return None
        pts = self._points
        xyz = pts[:, :3].astype(np.float64)
        finite = np.isfinite(xyz).all(axis=1)
        if pts.shape[1] == 4:
            finite &= np.isfinite(pts[:, 3].astype(np.float64))
        nonfinite = int(len(pts) - np.count_nonzero(finite))
        idx = np.flatnonzero(finite)
        if len(idx) > self.PREVIEW_POINTS:
            rng = np.random.default_rng(_PREVIEW_SEED)
            idx = np.sort(rng.choice(idx, size=self.PREVIEW_POINTS, replace=False))
        points = _round(xyz[idx]).tolist()
        extra: list[list[Any]] | None = None
        if self.point_format == "xyzc":
            cat = pts[idx, 3]
            integral = cat.dtype.kind in "iu" or bool(np.all(cat == np.round(cat)))
            extra = (cat.astype(np.int64) if integral else cat.astype(np.float64))[:, None].tolist()
        elif self.point_format == "xyzrgb" and self._colors is not None:
            extra = self._colors[idx].astype(np.int64).tolist()
        if extra is not None:
            points = [p + e for p, e in zip(points, extra)]
        bounds = None
        if np.any(finite):
            fx = xyz[finite]
            bounds = {"min": fx.min(axis=0).tolist(), "max": fx.max(axis=0).tolist()}
        return {
            "format": "mediaboard.points",
            "version": 1,
            "point_format": self.point_format,
            "total_points": int(len(pts)),
            "sampled": bool(len(idx) < len(pts) - nonfinite),
            "points": points,
            "boxes": self.boxes,
            "vectors": self.vectors,
            "bounds": bounds,
            "nonfinite": nonfinite,
        }


# --------------------------------------------------------------------------------------------
# boxes and vectors
# --------------------------------------------------------------------------------------------


def box3d(
    center: Any,
    size: Any,
    orientation: Any,
    color: Any,
    label: str | None = None,
    score: float | None = None,
) -> dict[str, Any]:
    """A 3-D box for a scene: its 8 corners from centre, size (dx, dy, dz) and a rotation.

    ``orientation`` is a quaternion ``(w, x, y, z)`` (normalised here; zero is refused); the
    corners are ``center + R @ (size/2 * (±1, ±1, ±1))``. ``color`` is ``(r, g, b)`` (0..255, or
    floats in 0..1). Returns ``{"corners": [[x, y, z] * 8], "color", "label", "score"}``.

    Example::

        box3d(center=(3, 4, 5), size=(6, 8, 10), orientation=(1, 0, 0, 0), color=(255, 0, 0))
    """
    c = _vec(center, 3, where="box3d: center")
    s = _vec(size, 3, where="box3d: size")
    q = _vec(orientation, 4, where="box3d: orientation")
    norm = math.sqrt(sum(v * v for v in q))
    if norm == 0:
        raise MediaValueError("box3d: orientation: expected a non-zero quaternion (w, x, y, z).")
    w, x, y, z = (v / norm for v in q)
    rot = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )
    unit = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], float)
    corners = np.asarray(c) + (unit * (np.asarray(s) / 2)) @ rot.T
    box: dict[str, Any] = {"corners": corners.tolist(), "color": color}
    if label is not None:
        box["label"] = label
    if score is not None:
        box["score"] = score
    return _box(box, where="box3d")


def _vec(value: Any, n: int, *, where: str) -> list[float]:
    try:
        arr = np.asarray(
            to_numpy(value, what=where) if not isinstance(value, (list, tuple)) else value,
            dtype=np.float64,
        )
    except (ValueError, TypeError, MediaTypeError):
        raise MediaValueError(f"{where}: expected {n} numbers; got {describe(value)}.") from None
    if arr.shape != (n,) or not np.all(np.isfinite(arr)):
        raise MediaValueError(f"{where}: expected {n} finite numbers; got {describe(value)}.")
    return [float(v) for v in arr]


def _items(value: Any, *, what: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, np.ndarray):
        return list(value)
    if isinstance(value, Mapping) or isinstance(value, str) or not isinstance(value, Sequence):
        raise MediaTypeError(f"Object3D: scene {what}: expected a list; got {describe(value)}.")
    return list(value)


def _color(value: Any, *, where: str) -> list[int]:
    arr = to_numpy(value, what=f"{where}: color") if not isinstance(value, (list, tuple)) else None
    vals = list(value) if arr is None else arr.tolist()
    if len(vals) != 3 or not all(
        isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in vals
    ):
        raise MediaValueError(f"{where}: color: expected (r, g, b); got {describe(value)}.")
    if not all(math.isfinite(float(v)) for v in vals):
        raise MediaValueError(f"{where}: color: expected finite numbers; got {vals}.")
    floats = any(isinstance(v, (float, np.floating)) for v in vals)
    if floats and all(0 <= v <= 1 for v in vals):
        out = [round(float(v) * 255) for v in vals]
    else:
        out = [int(round(float(v))) for v in vals]
    if any(not 0 <= v <= 255 for v in out):
        clipped = [min(255, max(0, v)) for v in out]
        warn(f"{where}: color: expected values in 0..255 (or floats in 0..1); got {vals}; "
             f"clipped to {clipped}.")
        out = clipped
    return out


def _box(box: Any, *, where: str) -> dict[str, Any]:
    if not isinstance(box, Mapping):
        raise MediaTypeError(f"{where}: expected a dict with 'corners'; got {describe(box)}.")
    unknown = sorted(str(k) for k in box if k not in ("corners", "label", "color", "score"))
    if unknown:
        raise MediaValueError(
            f"{where}: expected keys corners, label, color, score; got unknown keys {unknown}."
        )
    if "corners" not in box:
        raise MediaValueError(f"{where}: 'corners' (8 points x, y, z) is required.")
    corners = np.asarray(to_numpy(box["corners"], what=f"{where}: corners"), dtype=np.float64)
    if corners.shape != (8, 3) or not np.all(np.isfinite(corners)):
        raise MediaValueError(
            f"{where}: corners: expected 8 finite points (8, 3); got shape {corners.shape}."
        )
    out: dict[str, Any] = {"corners": corners.tolist()}
    out["color"] = _color(box["color"], where=where) if box.get("color") is not None else None
    label = box.get("label")
    if label is not None:
        if not isinstance(label, str):
            raise MediaTypeError(f"{where}: label: expected a str; got {describe(label)}.")
        out["label"] = label
    score = box.get("score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, (int, float, np.number)):
            raise MediaTypeError(f"{where}: score: expected a number; got {describe(score)}.")
        out["score"] = float(score)
    return out


def _vector(vec: Any, *, where: str) -> dict[str, Any]:
    if not isinstance(vec, Mapping) or "end" not in vec:
        raise MediaValueError(
            f"{where}: expected {{'start': [x, y, z], 'end': [x, y, z]}}; got {describe(vec)}."
        )
    start = vec.get("start")
    return {
        "start": [0.0, 0.0, 0.0] if start is None else _vec(start, 3, where=f"{where}: start"),
        "end": _vec(vec["end"], 3, where=f"{where}: end"),
    }


# --------------------------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------------------------


def _ext_of(name: str) -> str:
    lower = name.lower()
    return ".pts.json" if lower.endswith(".pts.json") else os.path.splitext(lower)[1]


def _round(xyz: np.ndarray) -> np.ndarray:
    """Coordinates rounded to about 7 significant digits of the cloud's extent (a preview)."""
    if xyz.size == 0:
        return xyz
    extent = float(np.max(np.abs(xyz)))
    if extent == 0:
        return xyz
    decimals = max(0, 7 - int(math.ceil(math.log10(extent))))
    return np.round(xyz, decimals)


_FACE_INDEX = re.compile(rb"^-?\d+")


def _obj_preview(data: bytes, *, where: str) -> dict[str, Any]:
    """Vertices (and triangulated faces) of a Wavefront .obj, as a points preview."""
    verts: list[list[float]] = []
    colors: list[list[float]] = []
    faces: list[list[int]] = []
    for lineno, line in enumerate(data.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if parts[0] == b"v":
            try:
                nums = [float(p) for p in parts[1:]]
            except ValueError:
                raise MediaValueError(f"Object3D: {where!r} line {lineno}: bad vertex.") from None
            if len(nums) < 3:
                raise MediaValueError(f"Object3D: {where!r} line {lineno}: bad vertex.")
            verts.append(nums[:3])
            if len(nums) >= 6:
                colors.append(nums[3:6])
        elif parts[0] == b"f":
            idx = []
            for p in parts[1:]:
                m = _FACE_INDEX.match(p)
                if not m:
                    raise MediaValueError(f"Object3D: {where!r} line {lineno}: bad face.")
                k = int(m.group())
                idx.append(k - 1 if k > 0 else len(verts) + k)
            faces += [[idx[0], idx[i], idx[i + 1]] for i in range(1, len(idx) - 1)]
    if not verts:
        raise MediaValueError(f"Object3D: {where!r}: an .obj file with no vertices ('v' lines).")
    n = len(verts)
    if any(not 0 <= i < n for f in faces for i in f):
        raise MediaValueError(
            f"Object3D: {where!r}: a face refers to a vertex that does not exist."
        )
    rgb = np.asarray(colors) if len(colors) == n else None
    if rgb is not None and rgb.size and rgb.max() <= 1:
        rgb = rgb * 255.0
    return _mesh_preview(np.asarray(verts, dtype=np.float64), faces, rgb)


def _mesh_preview(
    xyz: np.ndarray, faces: list[list[int]] | np.ndarray | None, rgb: np.ndarray | None = None
) -> dict[str, Any]:
    """The JSON preview of a mesh: its vertices as points (subsampled past PREVIEW_POINTS, and
    then without faces), its triangles as vertex index triples, colours as 0..255 ints."""
    n = len(xyz)
    finite = np.isfinite(xyz).all(axis=1)
    idx_all = np.flatnonzero(finite)
    sampled = len(idx_all) > Object3D.PREVIEW_POINTS or len(idx_all) < n
    if len(idx_all) > Object3D.PREVIEW_POINTS:
        idx_all = np.sort(
            np.random.default_rng(_PREVIEW_SEED).choice(
                idx_all, Object3D.PREVIEW_POINTS, replace=False
            )
        )
    pts_list = _round(xyz[idx_all]).tolist()
    if rgb is not None:
        cols = np.clip(np.rint(rgb[idx_all]), 0, 255).astype(np.int64).tolist()
        pts_list = [p + c for p, c in zip(pts_list, cols)]
    face_list = None
    if not sampled and faces is not None:
        face_list = np.asarray(faces, dtype=np.int64).reshape(-1, 3).tolist()
    fx = xyz[finite]
    return {
        "format": "mediaboard.points",
        "version": 1,
        "point_format": "xyz" if rgb is None else "xyzrgb",
        "total_points": n,
        "sampled": sampled,
        "points": pts_list,
        "faces": face_list,
        "boxes": [],
        "vectors": [],
        "bounds": {"min": fx.min(axis=0).tolist(), "max": fx.max(axis=0).tolist()}
        if len(fx)
        else None,
        "nonfinite": int(n - len(fx)),
    }


# ---- glTF / GLB ----------------------------------------------------------------------------

_GLTF_DTYPES = {5120: "i1", 5121: "u1", 5122: "<i2", 5123: "<u2", 5125: "<u4", 5126: "<f4"}
_GLTF_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}
_GLB_JSON, _GLB_BIN = 0x4E4F534A, 0x004E4942


def _glb_chunks(data: bytes, *, where: str) -> tuple[dict[str, Any], bytes | None]:
    """The JSON document and the BIN chunk of a .glb file."""
    if len(data) < 20 or data[:4] != b"glTF":
        raise MediaValueError(f"Object3D: {where!r}: not a binary glTF file (no 'glTF' magic).")
    version = int.from_bytes(data[4:8], "little")
    if version != 2:
        raise MediaValueError(f"Object3D: {where!r}: expected glTF version 2; got {version}.")
    pos, doc, binary = 12, None, None
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "little")
        ctype = int.from_bytes(data[pos + 4 : pos + 8], "little")
        chunk = data[pos + 8 : pos + 8 + length]
        if ctype == _GLB_JSON and doc is None:
            try:
                doc = json.loads(chunk)
            except (ValueError, UnicodeDecodeError) as exc:
                raise MediaValueError(f"Object3D: {where!r}: bad glTF JSON chunk: {exc}") from None
        elif ctype == _GLB_BIN and binary is None:
            binary = chunk
        pos += 8 + length
    if not isinstance(doc, dict):
        raise MediaValueError(f"Object3D: {where!r}: a .glb file without its JSON chunk.")
    return _check_gltf_doc(doc, where=where), binary


def _gltf_preview(doc: dict[str, Any], binary: bytes | None) -> dict[str, Any] | None:
    """Vertices (in scene coordinates) and triangles of every mesh in the default scene."""
    import base64

    buffers: list[bytes] = []
    for b in doc.get("buffers") or []:
        uri = b.get("uri")
        if uri is None:
            buffers.append(binary or b"")
        else:  # _check_gltf allowed only data: URIs
            buffers.append(base64.b64decode(uri.split(",", 1)[1]))

    def accessor(i: int) -> np.ndarray:
        acc = doc["accessors"][i]
        width = _GLTF_WIDTH[acc["type"]]
        dtype = np.dtype(_GLTF_DTYPES[acc["componentType"]])
        count = int(acc["count"])
        if "bufferView" not in acc:
            return np.zeros((count, width), dtype)
        view = doc["bufferViews"][acc["bufferView"]]
        buf = buffers[view["buffer"]]
        offset = int(view.get("byteOffset", 0)) + int(acc.get("byteOffset", 0))
        stride = int(view.get("byteStride") or dtype.itemsize * width)
        if count and offset + stride * (count - 1) + dtype.itemsize * width > len(buf):
            raise ValueError(f"accessor {i} runs past the end of its buffer")
        arr = np.ndarray(
            (count, width), dtype, buffer=buf, offset=offset, strides=(stride, dtype.itemsize)
        )
        return np.array(arr)

    meshes = doc.get("meshes") or []
    placed: list[tuple[int, np.ndarray]] = []
    nodes = doc.get("nodes") or []
    scenes = doc.get("scenes") or []

    def walk(i: int, parent: np.ndarray, depth: int) -> None:
        if depth > 64:
            raise ValueError("node hierarchy deeper than 64 (a cycle?)")
        node = nodes[i]
        world = parent @ _node_matrix(node)
        if "mesh" in node:
            placed.append((int(node["mesh"]), world))
        for c in node.get("children") or []:
            walk(int(c), world, depth + 1)

    if scenes:
        for root in scenes[int(doc.get("scene", 0))].get("nodes") or []:
            walk(int(root), np.eye(4), 0)
    else:
        placed = [(m, np.eye(4)) for m in range(len(meshes))]
    all_xyz: list[np.ndarray] = []
    all_faces: list[np.ndarray] = []
    base = 0
    for mesh_index, world in placed:
        for prim in meshes[mesh_index].get("primitives") or []:
            if "POSITION" not in (prim.get("attributes") or {}):
                continue
            xyz = accessor(prim["attributes"]["POSITION"]).astype(np.float64)[:, :3]
            xyz = xyz @ world[:3, :3].T + world[:3, 3]
            if prim.get("mode", 4) == 4:
                if "indices" in prim:
                    flat = accessor(prim["indices"]).astype(np.int64).reshape(-1)
                else:
                    flat = np.arange(len(xyz), dtype=np.int64)
                tri = flat[: len(flat) // 3 * 3].reshape(-1, 3)
                if tri.size and (tri.min() < 0 or tri.max() >= len(xyz)):
                    raise ValueError("a triangle index is out of range")
                all_faces.append(tri + base)
            all_xyz.append(xyz)
            base += len(xyz)
    if not all_xyz:
        return None
    faces = np.concatenate(all_faces) if all_faces else None
    return _mesh_preview(np.concatenate(all_xyz), faces)


def _node_matrix(node: dict[str, Any]) -> np.ndarray:
    if "matrix" in node:
        return np.asarray(node["matrix"], dtype=np.float64).reshape(4, 4).T  # column-major
    x, y, z, w = node.get("rotation", (0.0, 0.0, 0.0, 1.0))
    rot = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )
    m = np.eye(4)
    m[:3, :3] = rot * np.asarray(node.get("scale", (1.0, 1.0, 1.0)), dtype=np.float64)
    m[:3, 3] = node.get("translation", (0.0, 0.0, 0.0))
    return m


# ---- STL -----------------------------------------------------------------------------------


def _stl_preview(data: bytes, *, where: str) -> dict[str, Any]:
    """Vertices (shared corners merged) and triangles of a binary or ASCII STL file."""
    n = int.from_bytes(data[80:84], "little") if len(data) >= 84 else -1
    if n >= 0 and len(data) == 84 + 50 * n:
        rec = np.frombuffer(
            data,
            dtype=[("normal", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")],
            count=n,
            offset=84,
        )
        corners = rec["v"].reshape(-1, 3).astype(np.float64)
    elif data.lstrip()[:5].lower() == b"solid":
        vals = [
            line.split()[1:4] for line in data.splitlines() if line.strip().startswith(b"vertex")
        ]
        try:
            corners = np.asarray(vals, dtype=np.float64).reshape(-1, 3)
        except ValueError:
            raise MediaValueError(f"Object3D: {where!r}: bad 'vertex' line in ASCII STL.") from None
        corners = corners[: len(corners) // 3 * 3]
    else:
        raise MediaValueError(
            f"Object3D: {where!r}: not an STL file (neither binary with {n} triangles nor ASCII "
            "'solid ...')."
        )
    if not len(corners):
        raise MediaValueError(f"Object3D: {where!r}: an STL file with no triangles.")
    xyz, inverse = np.unique(corners, axis=0, return_inverse=True)
    return _mesh_preview(xyz, inverse.reshape(-1, 3))


def _check_gltf(data: bytes, *, where: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MediaValueError(f"Object3D: {where!r}: not valid glTF JSON: {exc}") from None
    return _check_gltf_doc(doc, where=where)


def _check_gltf_doc(doc: Any, *, where: str) -> dict[str, Any]:
    """A glTF document that is complete in itself (no external buffers or images)."""
    if not isinstance(doc, dict) or "asset" not in doc:
        raise MediaValueError(f"Object3D: {where!r}: not a glTF file (no 'asset').")
    external = [
        item.get("uri")
        for group in ("buffers", "images")
        for item in doc.get(group) or []
        if isinstance(item, dict) and item.get("uri") and not str(item["uri"]).startswith("data:")
    ]
    if external:
        raise MediaValueError(
            f"Object3D: {where!r} refers to external files {external}, which would not be "
            "stored. Use a .glb file, or embed them as data: URIs."
        )
    return doc


def read_ply(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a binary little-endian PLY point cloud (as written here) into a structured array.

    Example::

        pts = read_ply(run.resolve(stub["path"]))
        xyz = np.c_[pts["x"], pts["y"], pts["z"]]
    """
    with open(path, "rb") as f:
        data = f.read()
    end = data.find(b"end_header\n")
    if not data.startswith(b"ply\n") or end < 0:
        raise MediaValueError(f"read_ply: {os.fspath(path)!r} is not a PLY file.")
    header = data[:end].decode("ascii").splitlines()
    if "format binary_little_endian 1.0" not in header:
        raise MediaValueError("read_ply: only binary_little_endian PLY files are supported.")
    types = {"double": "<f8", "float": "<f4", "int": "<i4", "uchar": "u1"}
    count = 0
    fields: list[tuple[str, str]] = []
    for line in header:
        parts = line.split()
        if parts[:2] == ["element", "vertex"]:
            count = int(parts[2])
        elif parts[:1] == ["property"]:
            fields.append((parts[2], types[parts[1]]))
    return np.frombuffer(data, dtype=fields, count=count, offset=end + len(b"end_header\n"))
