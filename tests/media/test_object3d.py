"""Object3D: point clouds to PLY + JSON preview (round trips), scenes, model files, bad inputs."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest

import media
from media.object3d import Object3D, box3d, read_ply
from media.runfolder import MediaWriter

RNG = np.random.default_rng(7)
XYZ = RNG.normal(size=(50, 3))
CAT = np.c_[XYZ, RNG.integers(1, 15, 50)]
RGB255 = np.c_[XYZ, RNG.integers(0, 256, (50, 3))]
RGB01 = np.c_[XYZ, RNG.random((50, 3))]

CUBE_OBJ = """# a unit square and a triangle
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
v 0 0 1
f 1 2 3 4
f 1/1/1 2/2/2 5/5/5
f -1 -2 -3
"""


def ser(o: Object3D, tmp_path) -> tuple[dict, dict | None]:
    stub = o._serialize(MediaWriter(tmp_path, "pc", 6))
    preview = None
    if "preview" in stub:
        preview = json.loads((tmp_path / stub["preview"]).read_text())
    return stub, preview


def xyz_of(ply: np.ndarray) -> np.ndarray:
    return np.c_[ply["x"], ply["y"], ply["z"]]


CLOUDS = [
    # id, data, point_format, expected extra columns in the PLY
    ("(N, 3) float64", XYZ, "xyz", {}),
    ("(N, 3) float32", XYZ.astype(np.float32), "xyz", {}),
    ("(N, 4) category", CAT, "xyzc", {"category": CAT[:, 3].astype(int)}),
    ("(N, 6) rgb 0..255", RGB255, "xyzrgb", {"red": RGB255[:, 3], "blue": RGB255[:, 5]}),
    ("(N, 6) rgb 0..1", RGB01, "xyzrgb", {"green": np.rint(RGB01[:, 4] * 255)}),
    ("int coords", np.arange(12).reshape(4, 3), "xyz", {}),
]


@pytest.mark.parametrize("data, fmt, extra", [c[1:] for c in CLOUDS], ids=[c[0] for c in CLOUDS])
def test_point_clouds_round_trip_through_ply_and_preview(tmp_path, data, fmt, extra):
    stub, preview = ser(Object3D(data, caption="c"), tmp_path)
    n = len(data)
    assert stub["_type"] == "object3d" and stub["format"] == "ply"
    assert stub["path"] == "media/pc/6_0.ply" and stub["preview"] == "media/pc/6_0.preview.json"
    assert stub["points"] == stub["preview_points"] == n and stub["point_format"] == fmt
    assert stub["caption"] == "c" and stub["boxes"] == 0 and stub["vectors"] == 0
    ply = read_ply(tmp_path / stub["path"])
    tol = 1e-6 if data.dtype == np.float32 else 0
    np.testing.assert_allclose(xyz_of(ply), data[:, :3], rtol=0, atol=tol)
    for name, values in extra.items():
        np.testing.assert_array_equal(ply[name], values)
    assert preview["point_format"] == fmt and preview["total_points"] == n
    assert preview["sampled"] is False
    pts = np.array(preview["points"], dtype=float)
    assert pts.shape == (n, {"xyz": 3, "xyzc": 4, "xyzrgb": 6}[fmt])
    np.testing.assert_allclose(pts[:, :3], data[:, :3], atol=1e-5)
    np.testing.assert_allclose(stub["bounds"]["min"], data[:, :3].min(axis=0))


def test_ply_header_is_standard(tmp_path):
    stub, _ = ser(Object3D(RGB255[:2]), tmp_path)
    raw = (tmp_path / stub["path"]).read_bytes()
    header, body = raw.split(b"end_header\n")
    assert header.decode().splitlines() == [
        "ply",
        "format binary_little_endian 1.0",
        "comment written by mediaboard",
        "element vertex 2",
        "property double x",
        "property double y",
        "property double z",
        "property uchar red",
        "property uchar green",
        "property uchar blue",
    ]
    assert len(body) == 2 * (3 * 8 + 3)
    assert struct.unpack("<d", body[:8])[0] == RGB255[0, 0]


def test_large_cloud_preview_is_a_deterministic_subsample(tmp_path, monkeypatch):
    monkeypatch.setattr(Object3D, "PREVIEW_POINTS", 100)
    big = RNG.normal(size=(1000, 3))
    s1, p1 = ser(Object3D(big), tmp_path / "a")
    s2, p2 = ser(Object3D(big), tmp_path / "b")
    assert s1["points"] == 1000 and s1["preview_points"] == 100 and p1["sampled"] is True
    assert p1["points"] == p2["points"]  # same every time
    assert len(read_ply(tmp_path / "a" / s1["path"])) == 1000  # the full cloud is kept
    sample = np.array(p1["points"])
    nearest = np.abs(sample[:, None, :] - big[None, :, :]).max(axis=2).min(axis=1)
    assert nearest.max() < 1e-5  # every preview point is one of the cloud's points


def test_nonfinite_points_stay_in_ply_but_leave_the_preview(tmp_path):
    data = XYZ[:5].copy()
    data[1, 2] = np.nan
    with pytest.warns(UserWarning, match=r"Object3D: 1 of 5 points have NaN") as caught:
        o = Object3D(data)
    assert caught[0].filename == __file__  # the warning points at the user's line
    scene = {"points": data}
    with pytest.warns(UserWarning, match=r"1 of 5 points") as caught:
        Object3D(scene)
    assert caught[0].filename == __file__
    stub, preview = ser(o, tmp_path)
    assert stub["points"] == 5 and stub["preview_points"] == 4 and stub["nonfinite"] == 1
    assert np.isnan(read_ply(tmp_path / stub["path"])["z"][1])


def test_colours_out_of_range_are_clipped_with_a_warning(tmp_path):
    data = np.c_[XYZ[:3], [[0, 0, 0], [300, 10, 10], [5, 5, -2]]]
    with pytest.warns(UserWarning, match=r"2 of 9 values lie outside value_range=\(0, 255\)") as w:
        o = Object3D(data)
    assert w[0].filename == __file__
    stub, _ = ser(o, tmp_path)
    assert stub["color_range"] == {"lo": 0.0, "hi": 255.0, "clipped": 2}
    assert read_ply(tmp_path / stub["path"])["red"].tolist() == [0, 255, 5]


def test_scene_with_boxes_and_vectors(tmp_path):
    box = box3d(
        center=(0, 0, 1),
        size=(2, 4, 1.5),
        orientation=(1, 0, 0, 0),
        color=(255, 0, 0),
        label="car",
        score=0.9,
    )
    scene = {
        "type": "lidar/beta",
        "points": RGB255,
        "boxes": [box, {"corners": np.zeros((8, 3))}],
        "vectors": [{"start": [0, 0, 0], "end": [1, 2, 3]}, {"end": np.array([1, 1, 1])}],
    }
    stub, preview = ser(Object3D(scene), tmp_path)
    assert stub["scene_type"] == "lidar/beta" and stub["boxes"] == 2 and stub["vectors"] == 2
    assert preview["boxes"][0] == {**box, "score": 0.9}
    assert preview["boxes"][0]["label"] == "car" and preview["boxes"][0]["color"] == [255, 0, 0]
    assert preview["boxes"][1] == {"corners": [[0.0] * 3] * 8, "color": None}
    assert preview["vectors"][1] == {"start": [0.0, 0.0, 0.0], "end": [1.0, 1.0, 1.0]}
    assert len(read_ply(tmp_path / stub["path"])) == len(RGB255)
    empty, ep = ser(Object3D.from_point_cloud([], [], []), tmp_path)
    assert empty["points"] == 0 and ep["points"] == []


def test_box3d_geometry():
    c = np.array(box3d((3, 4, 5), (6, 8, 10), (1, 0, 0, 0), (0, 0, 255))["corners"])
    assert c.min(axis=0).tolist() == [0, 0, 0] and c.max(axis=0).tolist() == [6, 8, 10]
    c = np.array(box3d((5, 3, 4), (6, 8, 10), (1, 1, 1, 1), (0, 0, 255))["corners"])
    np.testing.assert_allclose(c.min(axis=0), [0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(c.max(axis=0), [10, 6, 8], atol=1e-9)
    q = RNG.normal(size=4)
    c = np.array(box3d((1, 2, 3), (1, 2, 3), q, (0.5, 0.5, 0.5))["corners"])
    d = np.linalg.norm(c - c.mean(axis=0), axis=1)
    np.testing.assert_allclose(d, d[0])
    assert box3d((0, 0, 0), (1, 1, 1), (1, 0, 0, 0), (1.0, 0.0, 0.5))["color"] == [255, 0, 128]


def test_obj_file_is_kept_with_a_vertex_and_face_preview(tmp_path):
    src = tmp_path / "cube.obj"
    src.write_text(CUBE_OBJ)
    stub, preview = ser(Object3D(src), tmp_path)
    assert stub["format"] == "obj" and stub["path"] == "media/pc/6_0.obj"
    assert (tmp_path / stub["path"]).read_text() == CUBE_OBJ
    assert stub["points"] == 5 and stub["faces"] == 4
    assert preview["points"][4] == [0, 0, 1]
    assert preview["faces"] == [[0, 1, 2], [0, 2, 3], [0, 1, 4], [4, 3, 2]]


def _glb(doc: dict | None = None, binary: bytes = b"") -> bytes:
    text = json.dumps(doc or {"asset": {"version": "2.0"}}).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<II", len(text), 0x4E4F534A) + text
    if binary:
        binary += b"\0" * (-len(binary) % 4)
        body += struct.pack("<II", len(binary), 0x004E4942) + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


TRI = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32)
TRI_IDX = np.array([0, 1, 2, 0, 2, 3], np.uint16)


def _gltf_doc(buffer_uri: str | None) -> dict:
    """Two triangles (uint16 indices) in a mesh placed by a node translated by (10, 0, 0)."""
    buffer = {"byteLength": 48 + 12}
    if buffer_uri is not None:
        buffer["uri"] = buffer_uri
    return {
        "asset": {"version": "2.0"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"children": [1], "translation": [10, 0, 0]}, {"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "buffers": [buffer],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": 48},
            {"buffer": 0, "byteOffset": 48, "byteLength": 12},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 4, "type": "VEC3"},
            {"bufferView": 1, "componentType": 5123, "count": 6, "type": "SCALAR"},
        ],
    }


def _tri_bytes() -> bytes:
    return TRI.tobytes() + TRI_IDX.tobytes()


def _binary_stl() -> bytes:
    tris = np.zeros(2, dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    tris["v"][0] = TRI[[0, 1, 2]]
    tris["v"][1] = TRI[[0, 2, 3]]
    return b"\0" * 80 + struct.pack("<I", 2) + tris.tobytes()


ASCII_STL = b"""solid t
facet normal 0 0 1
outer loop
vertex 0 0 0
vertex 1 0 0
vertex 0 1 0
endloop
endfacet
endsolid t
"""


MESHES = [
    # id, file name, content, expected points (as a set), triangles, shift
    ("glb", "m.glb", lambda: _glb(_gltf_doc(None), _tri_bytes()), 4, 2, 10.0),
    (
        "gltf data uri",
        "m.gltf",
        lambda: json.dumps(
            _gltf_doc(
                "data:application/octet-stream;base64,"
                + __import__("base64").b64encode(_tri_bytes()).decode()
            )
        ).encode(),
        4,
        2,
        10.0,
    ),
    ("binary stl", "m.stl", _binary_stl, 4, 2, 0.0),
    ("ascii stl", "a.stl", lambda: ASCII_STL, 3, 1, 0.0),
]


@pytest.mark.parametrize(
    "name, make, npoints, nfaces, shift", [m[1:] for m in MESHES], ids=[m[0] for m in MESHES]
)
def test_mesh_files_get_a_vertex_and_triangle_preview(tmp_path, name, make, npoints, nfaces, shift):
    src = tmp_path / name
    src.write_bytes(make())
    stub, preview = ser(Object3D(src), tmp_path)
    assert (tmp_path / stub["path"]).read_bytes() == src.read_bytes()
    assert stub["points"] == npoints and stub["faces"] == nfaces
    pts = np.array(preview["points"])
    want = TRI[:npoints].astype(float) + [shift, 0, 0]
    assert sorted(map(tuple, pts.tolist())) == sorted(map(tuple, want.tolist()))
    # every triangle is a triangle of the source mesh (compare corner coordinates)
    src_tris = {
        frozenset(map(tuple, (TRI[list(t)] + [shift, 0, 0]).tolist()))
        for t in TRI_IDX.reshape(-1, 3)
    }
    for face in preview["faces"]:
        assert frozenset(tuple(pts[i]) for i in face) in src_tris


def test_unreadable_gltf_meshes_keep_the_file_and_say_why(tmp_path):
    doc = _gltf_doc(None)
    doc["accessors"][0]["count"] = 400  # runs past the buffer
    src = tmp_path / "bad.glb"
    src.write_bytes(_glb(doc, _tri_bytes()))
    with pytest.warns(UserWarning, match=r"the file is kept, but its meshes could not be read"):
        o = Object3D(src)
    stub, preview = ser(o, tmp_path)
    assert preview is None and "runs past the end" in stub["preview_skipped"]
    assert (tmp_path / stub["path"]).read_bytes() == src.read_bytes()


FILES = [
    # id, file name, content, open as, file_type
    ("gltf path", "box.gltf", b'{"asset": {"version": "2.0"}}', "path", None),
    ("glb path", "box.glb", _glb(), "path", None),
    ("stl path", "part.stl", ASCII_STL, "path", None),
    ("obj open file", "cube.obj", CUBE_OBJ.encode(), "open", None),
    ("obj StringIO", None, CUBE_OBJ.encode(), "stringio", "obj"),
    ("glb BytesIO", None, _glb(), "bytesio", "glb"),
]


@pytest.mark.parametrize(
    "name, content, how, file_type", [f[1:] for f in FILES], ids=[f[0] for f in FILES]
)
def test_model_files_are_stored_unchanged(tmp_path, name, content, how, file_type):
    ext = name.rsplit(".", 1)[1] if name else file_type
    if how == "stringio":
        source = io.StringIO(content.decode())
    elif how == "bytesio":
        source = io.BytesIO(content)
    else:
        path = tmp_path / name
        path.write_bytes(content)
        source = str(path) if how == "path" else open(path, "rb")  # noqa: SIM115
    try:
        stub, _ = ser(Object3D.from_file(source, file_type=file_type), tmp_path)
    finally:
        if how == "open":
            source.close()
    assert stub["format"] == ext and stub["path"] == f"media/pc/6_0.{ext}"
    assert (tmp_path / stub["path"]).read_bytes() == content


def test_pts_json_file_is_kept_and_previewed(tmp_path):
    src = tmp_path / "cloud.pts.json"
    src.write_text(json.dumps(CAT.tolist()))
    stub, preview = ser(Object3D(src), tmp_path)
    assert stub["format"] == "pts.json" and stub["path"].endswith("6_0.pts.json")
    assert (tmp_path / stub["path"]).read_bytes() == src.read_bytes()
    assert stub["points"] == 50 and preview["point_format"] == "xyzc"


BAD = [
    (
        "(N, 5)",
        lambda t: np.zeros((3, 5)),
        ValueError,
        r"Object3D: data: expected shape \(N, 3\) x,y,z, \(N, 4\) .*; got \(3, 5\)\.",
    ),
    ("1-D", lambda t: np.zeros(9), ValueError, r"got \(9,\)"),
    ("(3, 2)", lambda t: np.zeros((3, 2)), ValueError, r"got \(3, 2\)"),
    ("list", lambda t: [[1, 2, 3]], TypeError, r"expected a numpy array or tensor .*got list"),
    ("strings", lambda t: np.array([["a", "b", "c"]]), TypeError, r"of numbers; got dtype <U1"),
    (
        "scene type",
        lambda t: {"type": "INVALID"},
        ValueError,
        r"scene type: expected one of \['lidar/beta'\]; got str \('INVALID'\)",
    ),
    ("scene key", lambda t: {"points": XYZ, "box": []}, ValueError, r"unknown keys \['box'\]"),
    (
        "box corners",
        lambda t: {"points": XYZ, "boxes": [{"corners": np.zeros((4, 3))}]},
        ValueError,
        r"scene boxes\[0\]: corners: expected 8 finite points \(8, 3\); got shape \(4, 3\)",
    ),
    (
        "box colour",
        lambda t: {"boxes": [{"corners": np.zeros((8, 3)), "color": [0, float("nan"), 9]}]},
        ValueError,
        r"scene boxes\[0\]: color: expected finite numbers; got \[0, nan, 9\]",
    ),
    (
        "vector",
        lambda t: {"vectors": [{"start": [0, 0, 0]}]},
        ValueError,
        r"scene vectors\[0\]: expected \{'start'",
    ),
    (
        "extension",
        lambda t: "clip.avi",
        ValueError,
        r"'clip.avi': expected a file of type pts.json, obj, gltf, glb, stl; got 'avi'",
    ),
    ("missing file", lambda t: str(t / "gone.obj"), ValueError, r"file not found"),
    (
        "StringIO without type",
        lambda t: io.StringIO("v 0 0 0"),
        ValueError,
        r"a file object without a name needs file_type=",
    ),
    (
        "external gltf",
        lambda t: _w(t / "x.gltf", '{"asset": {}, "buffers": [{"uri": "x.bin"}]}'),
        ValueError,
        r"refers to external files \['x.bin'\].*Use a .glb",
    ),
    ("fake glb", lambda t: _w(t / "x.glb", "nope"), ValueError, r"no 'glTF' magic"),
    ("empty stl", lambda t: _w(t / "e.stl", "solid x\nendsolid x\n"), ValueError, r"no triangles"),
    ("not stl", lambda t: _w(t / "n.stl", "hello"), ValueError, r"not an STL file"),
    ("obj without vertices", lambda t: _w(t / "e.obj", "# nothing\n"), ValueError, r"no vertices"),
    (
        "obj bad face",
        lambda t: _w(t / "f.obj", "v 0 0 0\nf 1 2 3\n"),
        ValueError,
        r"a face refers to a vertex that does not exist",
    ),
]


def _w(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize("make, exc, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_inputs(tmp_path, make, exc, match):
    with pytest.raises(exc, match=match):
        Object3D(make(tmp_path))


def test_box3d_bad_quaternion():
    with pytest.raises(ValueError, match=r"box3d: orientation: expected a non-zero quaternion"):
        box3d((0, 0, 0), (1, 1, 1), (0, 0, 0, 0), (0, 0, 0))


def test_torch_cloud(tmp_path):
    torch = pytest.importorskip("torch")
    stub, _ = ser(Object3D(torch.tensor(XYZ, requires_grad=True)), tmp_path)
    np.testing.assert_array_equal(xyz_of(read_ply(tmp_path / stub["path"])), XYZ)


def test_object3d_through_a_run(root, tmp_path):
    src = tmp_path / "m.obj"
    src.write_text(CUBE_OBJ)
    run = media.init(project="o")
    media.log({"clouds": [Object3D(XYZ), Object3D(str(src))]})
    run.summary["best"] = Object3D(CAT)
    media.finish()
    r = media.open_run(run.dir)
    ((_, stub),) = r.media("clouds")
    assert stub["kind"] == "object3d" and stub["count"] == 2
    a, b = stub["items"]
    np.testing.assert_array_equal(xyz_of(read_ply(r.resolve(a["path"]))), XYZ)
    assert json.loads(r.resolve(a["preview"]).read_text())["total_points"] == 50
    assert r.resolve(b["path"]).read_text() == CUBE_OBJ and r.resolve(b["preview"]).is_file()
    best = r.summary["best"]
    assert best["point_format"] == "xyzc" and r.resolve(best["path"]).name == "summary_0.ply"


def test_copy_keeps_points_and_takes_a_new_caption(tmp_path):
    o = Object3D(CAT, caption="old")
    stub, preview = ser(Object3D(o, caption="new"), tmp_path)
    assert stub["caption"] == "new" and stub["point_format"] == "xyzc"
    assert len(preview["points"]) == 50 and Object3D(o).caption == "old"


def test_box_colour_over_255_is_clipped_with_a_warning(log_one):
    scene = {"type": "lidar/beta", "points": np.zeros((4, 3)),
             "boxes": [{"corners": np.zeros((8, 3)), "color": [300, -5, 128], "label": "car"}]}
    with pytest.warns(UserWarning, match=r"scene boxes\[0\]: color: expected values in 0..255 "
                      r"\(or floats in 0..1\); got \[300, -5, 128\]; clipped to \[255, 0, 128\]"):
        value = media.Object3D(scene)
    with pytest.warns(UserWarning, match="box3d: color: .* clipped to"):
        media.object3d.box3d((0, 0, 0), (1, 1, 1), (1, 0, 0, 0), color=(256, 0, 0))
    r = log_one({"scene": value, "loss": 1.0})
    row = next(r.history())
    assert row["loss"] == 1.0 and row["scene"]["_type"] == "object3d"
