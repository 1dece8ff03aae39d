"""Video: arrays encoded to MP4 (H.264 yuv420p, even sizes), WebM and GIF, read back; files kept."""

from __future__ import annotations

import io
import subprocess

import numpy as np
import pytest

import media
from media.runfolder import MediaWriter
from media.video import Video

iio = pytest.importorskip("imageio.v3")
imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

RNG = np.random.default_rng(3)
U8 = RNG.integers(0, 256, (6, 3, 16, 24), dtype=np.uint8)  # (T, C, H, W)


def ser(v: Video, tmp_path) -> dict:
    return v._serialize(MediaWriter(tmp_path, "clip", 9))


def stream_info(path) -> str:
    """ffmpeg's one-line description of the video stream (codec, pixel format, size)."""
    err = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
    ).stderr
    (line,) = [ln for ln in err.splitlines() if "Video:" in ln]
    return line


def read(path) -> np.ndarray:
    return iio.imread(path, index=None)


GOOD = [
    # id, data, kwargs, (frames, height, width) in the file, padded, grid
    ("uint8 TCHW mp4", U8, {}, (6, 16, 24), None, None),
    ("float THWC", RNG.random((5, 16, 24, 3)), {}, (5, 16, 24), None, None),
    ("odd size padded", U8[:, :, :15, :21], {}, (6, 16, 22), {"bottom": 1, "right": 1}, None),
    ("grey T1HW", U8[:, :1], {}, (6, 16, 24), None, None),
    ("batch of 3: 1 x 4", np.stack([U8] * 3), {}, (6, 16, 96), None, (3, 1, 4)),
    ("batch of 5: 2 x 4", np.stack([U8] * 5), {}, (6, 32, 96), None, (5, 2, 4)),
    ("webm", U8, {"format": "webm"}, (6, 16, 24), None, None),
    ("gif", U8, {"format": "gif", "fps": 10}, (6, 16, 24), None, None),
    ("gif odd size unpadded", U8[:, :, :15, :21], {"format": "gif"}, (6, 15, 21), None, None),
    ("channels=first override", U8[:, :, :8, :4], {"channels": "first"}, (6, 8, 4), None, None),
]


@pytest.mark.parametrize(
    "data, kwargs, size, padded, grid", [g[1:] for g in GOOD], ids=[g[0] for g in GOOD]
)
def test_arrays_encode_and_read_back(tmp_path, data, kwargs, size, padded, grid):
    stub = ser(Video(data, caption="ep", **kwargs), tmp_path)
    fmt = kwargs.get("format", "mp4")
    fps = kwargs.get("fps", 4)
    t, h, w = size
    assert stub["_type"] == "video" and stub["path"] == f"media/clip/9_0.{fmt}"
    assert (stub["format"], stub["fps"], stub["frames"]) == (fmt, fps, t)
    assert (stub["height"], stub["width"]) == (h, w)
    assert stub["duration"] == pytest.approx(t / fps) and stub["caption"] == "ep"
    assert stub["value_range"]["rule"] in ("uint8", "unit")
    assert stub.get("padded") == padded
    if grid:
        n, rows, cols = grid
        assert stub["grid"] == {
            "clips": n,
            "rows": rows,
            "cols": cols,
            "clip_width": 24,
            "clip_height": 16,
        }
    frames = read(tmp_path / stub["path"])
    assert frames.shape[:3] == (t, h, w)
    if fmt != "gif":
        assert h % 2 == 0 and w % 2 == 0
        info = stream_info(tmp_path / stub["path"])
        codec = {"mp4": "h264", "webm": "vp9"}[fmt]
        assert f"Video: {codec}" in info and "yuv420p" in info and f"{w}x{h}" in info
        assert (stub["codec"], stub["pixel_format"]) == (codec, "yuv420p")


def test_pixels_survive_encoding(tmp_path):
    # smooth frames (lossy codecs keep them within a few levels); GIF of few colours exactly
    ramp = np.linspace(0, 1, 32 * 32).reshape(32, 32)
    frames = np.stack([np.stack([ramp * k / 4] * 3) for k in range(1, 5)])  # (4, 3, 32, 32)
    stub = ser(Video(frames), tmp_path / "m")
    got = read(tmp_path / "m" / stub["path"]).astype(int)
    want = np.rint(np.moveaxis(frames, 1, -1) * 255).astype(int)
    assert np.abs(got - want).mean() < 3
    blocks = np.zeros((3, 3, 8, 8), np.uint8)
    blocks[1, 0] = 255  # frame 1 red
    blocks[2, 2] = 255  # frame 2 blue
    stub = ser(Video(blocks, format="gif"), tmp_path / "g")
    got = read(tmp_path / "g" / stub["path"])[..., :3]
    assert got[0].max() == 0 and (got[1] == [255, 0, 0]).all() and (got[2] == [0, 0, 255]).all()


def test_float_range_rule_is_recorded(tmp_path):
    data = np.linspace(-1, 3, 2 * 3 * 8 * 8).reshape(2, 3, 8, 8)
    stub = ser(Video(data), tmp_path)
    assert stub["value_range"] == {"rule": "minmax", "lo": -1.0, "hi": 3.0}
    stub = ser(Video(data, value_range=(-1, 3)), tmp_path)
    assert stub["value_range"] == {"rule": "explicit", "lo": -1.0, "hi": 3.0}


def test_alpha_is_dropped_with_a_warning(tmp_path):
    rgba = RNG.integers(0, 256, (2, 4, 8, 8), dtype=np.uint8)
    with pytest.warns(UserWarning, match=r"Video: the alpha channel is dropped") as caught:
        v = Video(rgba)
    assert caught[0].filename == __file__
    stub = ser(v, tmp_path)
    assert stub["alpha_dropped"] is True and read(tmp_path / stub["path"]).shape[-1] == 3


def test_nan_frames_warn_with_the_count(tmp_path):
    data = RNG.random((2, 3, 8, 8))
    data[0, 0, 0, :2] = np.nan
    with pytest.warns(UserWarning, match=r"Video: 2 of 384 values are NaN") as caught:
        v = Video(data)
    assert caught[0].filename == __file__
    stub = ser(v, tmp_path)
    assert stub["value_range"]["nonfinite"] == 2


@pytest.mark.parametrize("fmt", ["mp4", "webm", "gif"])
def test_files_are_kept_and_probed(tmp_path, fmt):
    made = ser(Video(U8, format=fmt, fps=10), tmp_path / "src")
    src = tmp_path / "src" / made["path"]
    for source in (src, str(src)):
        stub = ser(Video(source, caption="kept"), tmp_path / fmt)
        assert (tmp_path / fmt / stub["path"]).read_bytes() == src.read_bytes()
        assert stub["format"] == fmt and stub["frames"] == 6 and stub["caption"] == "kept"
        assert (stub["width"], stub["height"]) == (24, 16)
        assert stub["fps"] == pytest.approx(10) and stub["duration"] == pytest.approx(0.6)
    stub = ser(Video(io.BytesIO(src.read_bytes()), format=fmt), tmp_path / "io")
    assert stub["format"] == fmt and stub["frames"] == 6


def test_gif_records_the_frame_rate_it_can_play(tmp_path):
    stub = ser(Video(U8, format="gif", fps=8), tmp_path)  # 12.5 cs per frame is not possible
    assert (stub["fps_requested"], stub["fps"]) == (8, 8.333)
    assert stub["duration"] == pytest.approx(6 * 0.12)
    with iio.imopen(tmp_path / stub["path"], "r", plugin="pillow") as f:
        assert f.metadata(index=1)["duration"] == 120


def test_fps_with_a_file_warns(tmp_path):
    src = tmp_path / "src"
    made = ser(Video(U8, format="gif"), src)
    with pytest.warns(UserWarning, match=r"fps applies to arrays"):
        Video(src / made["path"], fps=30)


BAD = [
    (
        "3-D",
        lambda t: np.zeros((4, 8, 8)),
        {},
        ValueError,
        r"Video: expected shape \(T, C, H, W\) or \(N, T, C, H, W\).*; got \(4, 8, 8\)\.",
    ),
    ("6-D", lambda t: np.zeros((1, 1, 1, 3, 8, 8)), {}, ValueError, r"got \(1, 1, 1, 3, 8, 8\)"),
    ("2 channels", lambda t: np.zeros((4, 2, 8, 8)), {}, ValueError, r"C in 1, 3, 4"),
    ("empty", lambda t: np.zeros((0, 3, 8, 8)), {}, ValueError, r"got \(0, 3, 8, 8\)"),
    ("strings", lambda t: np.full((2, 3, 4, 4), "a"), {}, TypeError, r"numeric pixel values"),
    ("int", lambda t: 5, {}, TypeError, r"Video: data_or_path: expected a numpy array.*got int"),
    (
        "format",
        lambda t: U8,
        {"format": "avi"},
        ValueError,
        r"Video: format: expected one of 'mp4', 'webm', 'gif' for arrays; got 'avi'",
    ),
    ("fps zero", lambda t: U8, {"fps": 0}, ValueError, r"Video: fps: expected a number in"),
    ("fps str", lambda t: U8, {"fps": "4"}, TypeError, r"Video: fps: expected a positive number"),
    (
        "file type",
        lambda t: str(t / "a.avi"),
        {},
        ValueError,
        r"expected a video file of type mp4, webm, gif, mov, m4v, ogv; got 'avi'",
    ),
    ("missing file", lambda t: str(t / "a.mp4"), {}, ValueError, r"file not found"),
    ("not a video", lambda t: _w(t / "b.mp4", b"hello"), {}, ValueError, r"not a readable video"),
    (
        "bytes io without format",
        lambda t: io.BytesIO(b"x"),
        {},
        ValueError,
        r"without a name needs format=",
    ),
    (
        "format mismatch",
        lambda t: _w(t / "c.gif", b"GIF89a"),
        {"format": "mp4"},
        ValueError,
        r"format='mp4' does not match",
    ),
    (
        "value_range with file",
        lambda t: str(t / "a.mp4"),
        {"value_range": (0, 1)},
        ValueError,
        r"apply to arrays",
    ),
]


def _w(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make, kwargs, exc, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_inputs(tmp_path, make, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Video(make(tmp_path), **kwargs)


def test_torch_batch(tmp_path):
    torch = pytest.importorskip("torch")
    batch = torch.rand(2, 3, 3, 8, 8, requires_grad=True)
    stub = ser(Video(batch, format="gif"), tmp_path)
    assert stub["grid"]["cols"] == 2 and read(tmp_path / stub["path"]).shape[:3] == (3, 8, 16)


def test_missing_ffmpeg_names_the_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "imageio_ffmpeg":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(
        ImportError, match=r"pip install imageio imageio-ffmpeg.*mediaboard\[video\]"
    ):
        Video(U8)
    Video(U8, format="gif")  # GIF needs only Pillow


def test_video_through_a_run(root):
    run = media.init(project="v")
    media.log({"clips": [Video(U8, caption="a"), Video(U8[:, :, :15], format="gif", fps=2)]})
    media.log({"clips": Video(np.stack([U8] * 4))})
    media.finish()
    r = media.open_run(run.dir)
    (s0, first), (s1, second) = r.media("clips")
    assert first["_type"] == "media-list" and first["kind"] == "video" and first["count"] == 2
    a, b = first["items"]
    assert read(r.resolve(a["path"])).shape[:3] == (6, 16, 24) and a["caption"] == "a"
    assert b["format"] == "gif" and b["duration"] == pytest.approx(3.0)
    assert second["grid"]["rows"] == 2 and read(r.resolve(second["path"])).shape[:3] == (6, 32, 48)


def test_frame_limit_warns_and_keeps_every_frame(tmp_path, monkeypatch):
    monkeypatch.setattr(Video, "MAX_FRAMES", 4)
    with pytest.warns(UserWarning, match=r"Video: 6 frames is more than Video.MAX_FRAMES=4; all"):
        v = Video(U8, format="gif")
    assert read(tmp_path / ser(v, tmp_path)["path"]).shape[0] == 6


def test_copy_keeps_frames_and_takes_a_new_caption(tmp_path):
    v = Video(U8, caption="old", fps=5)
    stub = ser(Video(v, caption="new"), tmp_path)
    assert stub["caption"] == "new" and stub["fps"] == 5 and stub["frames"] == 6
    assert Video(v).caption == "old"
