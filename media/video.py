"""Video: a clip from an array of frames (encoded to MP4, WebM or GIF) or a video file kept as is.

Arrays are validated, mapped to uint8 by the shared pixel rule (``media._arrays.to_uint8``, one
mapping for all frames), tiled when batched, and kept in memory; the run's worker encodes them.
MP4 is H.264 in yuv420p with even dimensions, which every browser plays. The stub is documented in
``docs/kinds/video.md``.

Example::

    frames = np.random.randint(0, 255, (16, 3, 64, 64), dtype=np.uint8)   # (T, C, H, W)
    media.log({"rollout": media.Video(frames, fps=8, caption="episode 3")})
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from media._arrays import channels_last, check_caption, is_array_like, to_numpy, to_uint8
from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe, warn

#: formats arrays are encoded to
ENCODE_FORMATS = ("mp4", "webm", "gif")
#: video files stored unchanged: extension -> stub format
FILE_FORMATS: dict[str, str] = {
    ".mp4": "mp4",
    ".webm": "webm",
    ".gif": "gif",
    ".mov": "mov",
    ".m4v": "mp4",
    ".ogv": "ogg",
}
DEFAULT_FPS = 4
_INSTALL = "pip install imageio imageio-ffmpeg (or pip install mediaboard[video])"


def _ffmpeg() -> Any:
    try:
        import imageio_ffmpeg
    except ImportError:
        raise ImportError(f"Video needs imageio-ffmpeg to encode MP4/WebM: {_INSTALL}") from None
    return imageio_ffmpeg


class Video(Media):
    """A video clip.

    ``data_or_path`` may be:

    - a numpy array / torch tensor of frames, **(T, C, H, W)** (wandb's layout) or (T, H, W, C),
      C in 1, 3, 4; channel-first is read by the same rule as Image (the axis after T is in
      {1, 3, 4} and the last is not); ``channels="first"|"last"`` overrides it.
    - a batch **(N, T, C, H, W)** (or (N, T, H, W, C)): the N clips play side by side, tiled in a
      grid as wandb and tensorboardX do: N is rounded up to a power of two P,
      ``rows = 2 ** ((N.bit_length() - 1) // 2)``, ``cols = P // rows``, clips fill the grid
      row by row and empty cells are black (N=3: 1 x 4; N=5: 2 x 4; N=16: 4 x 4). The grid is
      recorded in the stub (``grid``).
    - a path to a ``.mp4``, ``.webm``, ``.gif``, ``.mov``, ``.m4v`` or ``.ogv`` file, or a
      binary file object with ``format=``; stored unchanged.

    Pixel values follow ``media._arrays.to_uint8`` over the whole clip (uint8 as is, floats in
    [0, 1] times 255, other ranges min-max scaled; ``value_range=(lo, hi)`` to fix it); the rule
    applied is in the stub's ``value_range``. Grey frames become RGB; an alpha channel is dropped
    (MP4/WebM/GIF in browsers have none) with a warning.

    ``fps`` (frames per second, default 4) applies to arrays. ``format``: ``"mp4"`` (default;
    H.264, yuv420p), ``"webm"`` (VP9, yuv420p) or ``"gif"``. MP4 and WebM need an even width and
    height: an odd side gets one black pixel row/column at the bottom/right (``padded`` in the
    stub). Encoding MP4/WebM needs imageio-ffmpeg; GIF needs only Pillow.

    Example::

        Video(frames_tchw, fps=8)                      # uint8 (T, C, H, W)
        Video(batch_ntchw.float() / 255, format="gif")  # torch floats in [0, 1]
        Video("rollout.mp4", caption="best episode")
    """

    kind = "video"

    #: clips with more frames than this warn (all frames are kept)
    MAX_FRAMES: ClassVar[int] = 10_000

    def __init__(
        self,
        data_or_path: Any,
        caption: str | None = None,
        fps: float | None = None,
        format: str | None = None,
        *,
        channels: str | None = None,
        value_range: tuple[float, float] | None = None,
    ) -> None:
        self.caption = check_caption(caption, what="Video")
        if format is not None:
            if not isinstance(format, str):
                raise MediaTypeError(f"Video: format: expected a str; got {describe(format)}.")
            format = format.lower().lstrip(".")
        self._frames: np.ndarray | None = None  # uint8 (T, H, W, 3)
        self._file: bytes | None = None
        self.value_range: dict[str, Any] | None = None
        self.grid: dict[str, int] | None = None
        self.padded: dict[str, int] | None = None
        self.alpha_dropped = False
        self.source_width: int | None = None
        self.source_height: int | None = None
        self.codec: str | None = None
        self.pixel_format: str | None = None
        self.fps_requested: float | None = None
        self.gif_delay_cs = 0

        source = data_or_path
        if isinstance(source, Video):
            self.__dict__.update({k: v for k, v in source.__dict__.items() if k != "caption"})
            if caption is None:
                self.caption = source.caption
            return
        if isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
            if channels is not None or value_range is not None:
                raise MediaValueError(
                    "Video: channels= and value_range= apply to arrays; got a file."
                )
            if fps is not None:
                warn(
                    "Video: fps applies to arrays; a video file keeps its own frame rate.",
                )
            self._load_file(source, format)
            return
        if not (is_array_like(source) or isinstance(source, (list, tuple))):
            raise MediaTypeError(
                "Video: data_or_path: expected a numpy array or tensor (T, C, H, W) or "
                "(N, T, C, H, W), or a path to a video file (mp4, webm, gif, mov); got "
                f"{describe(source)}."
            )
        self.fps: float | None = _check_fps(fps)
        if format is None:
            format = "mp4"
        if format not in ENCODE_FORMATS:
            raise MediaValueError(
                f"Video: format: expected one of {', '.join(map(repr, ENCODE_FORMATS))} for "
                f"arrays; got {format!r}."
            )
        self.format = format
        if format != "gif":
            _ffmpeg()  # fail now, at the user's line, not on the worker
        self._load_array(to_numpy(source, what="Video: data_or_path"), channels, value_range)

    # ---- arrays -------------------------------------------------------------------------------
    def _load_array(
        self, arr: np.ndarray, channels: str | None, value_range: tuple[float, float] | None
    ) -> None:
        shape = tuple(arr.shape)
        expected = (
            "Video: expected shape (T, C, H, W) or (N, T, C, H, W) with C in 1, 3, 4 "
            "(or channel-last (T, H, W, C))"
        )
        if arr.ndim not in (4, 5) or 0 in shape:
            raise MediaValueError(f"{expected}; got {shape}.")
        frames = channels_last(arr, channels=channels, lead=arr.ndim - 3, what="Video")
        px, self.value_range = to_uint8(frames, value_range=value_range, what="Video")
        if px.ndim == 5:
            px = self._tile(px)
        c = px.shape[-1]
        if c == 4:
            self.alpha_dropped = True
            warn(
                "Video: the alpha channel is dropped (MP4, WebM and GIF in browsers have none).",
            )
            px = px[..., :3]
        elif c == 1:
            px = np.repeat(px, 3, axis=-1)
        t, h, w = px.shape[:3]
        if t > self.MAX_FRAMES:
            warn(
                f"Video: {t} frames is more than Video.MAX_FRAMES={self.MAX_FRAMES}; all are "
                "kept. Raise media.Video.MAX_FRAMES to silence this.",
            )
        self.source_width, self.source_height = w, h
        if self.format != "gif" and (h % 2 or w % 2):
            self.padded = {"bottom": h % 2, "right": w % 2}
            px = np.pad(px, ((0, 0), (0, h % 2), (0, w % 2), (0, 0)))
        self._frames = np.ascontiguousarray(px)
        self.frames = t
        self.height, self.width = self._frames.shape[1:3]
        if self.format == "gif":
            # GIF delays are whole centiseconds (browsers treat < 2 as 10): record what plays.
            asked = self.fps or DEFAULT_FPS
            self.gif_delay_cs = max(2, round(100 / asked))
            effective = 100 / self.gif_delay_cs
            if abs(effective - asked) > 1e-9:
                self.fps_requested = asked
                self.fps = int(effective) if effective.is_integer() else round(effective, 3)
        self.duration = (
            t * self.gif_delay_cs / 100 if self.format == "gif" else t / (self.fps or DEFAULT_FPS)
        )
        if self.format == "mp4":
            self.codec, self.pixel_format = "h264", "yuv420p"
        elif self.format == "webm":
            self.codec, self.pixel_format = "vp9", "yuv420p"
        else:
            self.codec, self.pixel_format = "gif", "pal8"

    def _tile(self, px: np.ndarray) -> np.ndarray:
        """(N, T, H, W, C) -> (T, rows*H, cols*W, C), wandb's grid (see the class docstring)."""
        n, t, h, w, c = px.shape
        rows = 2 ** ((n.bit_length() - 1) // 2)
        padded_n = 1 << (n - 1).bit_length()
        cols = padded_n // rows
        out = np.zeros((t, rows * h, cols * w, c), dtype=np.uint8)
        for i in range(n):
            r, k = divmod(i, cols)
            out[:, r * h : (r + 1) * h, k * w : (k + 1) * w] = px[i]
        self.grid = {"clips": n, "rows": rows, "cols": cols, "clip_width": w, "clip_height": h}
        return out

    # ---- files --------------------------------------------------------------------------------
    def _load_file(self, source: Any, format: str | None) -> None:
        if hasattr(source, "read"):
            name = getattr(source, "name", None)
            if format is None and not isinstance(name, str):
                raise MediaValueError(
                    "Video: a file object without a name needs format= (mp4, webm, gif or mov)."
                )
            data = source.read()
            if not isinstance(data, (bytes, bytearray)):
                raise MediaTypeError(
                    f"Video: the file object must be binary; read() returned {describe(data)}."
                )
            ext = "." + format if format else os.path.splitext(str(name))[1].lower()
            where = str(name) if name else "file object"
        else:
            path = os.fspath(source)
            ext = os.path.splitext(path)[1].lower()
            where = path
            if ext not in FILE_FORMATS:
                raise MediaValueError(
                    f"Video: {path!r}: expected a video file of type "
                    f"{', '.join(e[1:] for e in FILE_FORMATS)}; got {ext[1:] or 'no extension'!r}."
                )
            if not os.path.isfile(path):
                raise MediaValueError(f"Video: data_or_path: file not found: {path!r}.")
            with open(path, "rb") as f:
                data = f.read()
        if ext not in FILE_FORMATS:
            raise MediaValueError(
                f"Video: {where!r}: expected a video of type "
                f"{', '.join(e[1:] for e in FILE_FORMATS)}; got {ext[1:] or 'no extension'!r}."
            )
        fmt = FILE_FORMATS[ext]
        if format is not None and FILE_FORMATS.get("." + format) != fmt:
            raise MediaValueError(
                f"Video: format={format!r} does not match the file {where!r} ({fmt})."
            )
        if not data:
            raise MediaValueError(f"Video: {where!r} is empty.")
        self._file = bytes(data)
        self._ext = ext
        self.format = fmt
        meta = _probe(self._file, ext, where=where)
        self.fps = meta.get("fps")
        self.frames = meta.get("frames")
        self.width = meta.get("width")
        self.height = meta.get("height")
        self.duration = meta.get("duration")
        self.codec = meta.get("codec")
        self.pixel_format = meta.get("pixel_format")

    # ---- writing ------------------------------------------------------------------------------
    def _serialize(self, writer: Any) -> dict[str, Any]:
        if self._file is not None:
            path = writer.write_bytes(self._file, self._ext)
        elif self.format == "gif":
            path = writer.write_bytes(self._gif(), ".gif")
        else:
            path = writer.write_with("." + self.format, self._encode_ffmpeg)
        stub: dict[str, Any] = {
            "_type": "video",
            "path": path,
            "format": self.format,
            "fps": self.fps,
            "frames": self.frames,
            "width": self.width,
            "height": self.height,
            "duration": self.duration,
            "codec": self.codec,
            "pixel_format": self.pixel_format,
        }
        digest = writer.sha256
        if digest is None:  # written by ffmpeg: read it back once (small next to the encode)
            h = hashlib.sha256()  # (hashlib.file_digest is Python 3.11+; we support 3.10)
            with open(writer.run_dir / path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            digest = h.hexdigest()
        stub["sha256"] = digest
        if self.caption is not None:
            stub["caption"] = self.caption
        if self.value_range is not None:
            stub["value_range"] = dict(self.value_range)
        if self.grid is not None:
            stub["grid"] = dict(self.grid)
        if self.padded is not None:
            stub["padded"] = dict(self.padded)
            stub["source_width"], stub["source_height"] = self.source_width, self.source_height
        if self.fps_requested is not None:
            stub["fps_requested"] = self.fps_requested
        if self.alpha_dropped:
            stub["alpha_dropped"] = True
        return stub

    def _encode_ffmpeg(self, tmp: str) -> None:
        ffmpeg = _ffmpeg()
        frames = self._frames
        assert frames is not None
        if self.format == "mp4":
            codec, params = "libx264", ["-crf", "18", "-preset", "fast", "-movflags", "+faststart"]
        else:
            codec, params = "libvpx-vp9", ["-crf", "32", "-b:v", "0", "-row-mt", "1"]
        gen = ffmpeg.write_frames(
            tmp,
            (frames.shape[2], frames.shape[1]),
            pix_fmt_in="rgb24",
            pix_fmt_out="yuv420p",
            fps=Fraction(self.fps or DEFAULT_FPS).limit_denominator(1001),
            codec=codec,
            quality=None,
            macro_block_size=1,
            ffmpeg_log_level="error",
            output_params=params,
        )
        gen.send(None)
        try:
            for frame in frames:
                gen.send(frame.tobytes())
        finally:
            gen.close()

    def _gif(self) -> bytes:
        from PIL import Image as PILImage

        frames = self._frames
        assert frames is not None
        images = [PILImage.fromarray(f, "RGB") for f in frames]
        buf = io.BytesIO()
        images[0].save(
            buf,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=self.gif_delay_cs * 10,
            loop=0,
            disposal=1,
        )
        return buf.getvalue()


def _check_fps(fps: Any) -> float:
    if fps is None:
        return DEFAULT_FPS
    if isinstance(fps, bool) or not isinstance(fps, (int, float, np.integer, np.floating)):
        raise MediaTypeError(f"Video: fps: expected a positive number; got {describe(fps)}.")
    if not (np.isfinite(fps) and 0 < fps <= 1000):
        raise MediaValueError(f"Video: fps: expected a number in (0, 1000]; got {fps!r}.")
    return int(fps) if float(fps).is_integer() else float(fps)


def _probe(data: bytes, ext: str, *, where: str) -> dict[str, Any]:
    """fps, frames, size, duration, codec of a video file (None where unknown)."""
    if ext == ".gif":
        return _probe_gif(data, where=where)
    try:
        ffmpeg = _ffmpeg()
    except ImportError:
        return {}
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=ext) as f:
        f.write(data)
        f.flush()
        try:
            reader = ffmpeg.read_frames(f.name)
            meta = reader.__next__()
            reader.close()
            frames, secs = ffmpeg.count_frames_and_secs(f.name)
        except (RuntimeError, OSError, StopIteration, subprocess.SubprocessError) as exc:
            raise MediaValueError(f"Video: {where!r} is not a readable video: {exc}") from None
    size = meta.get("size") or (None, None)
    codec = meta.get("codec")
    pix = meta.get("pix_fmt")
    return {
        "fps": meta.get("fps"),
        "frames": frames,
        "width": size[0],
        "height": size[1],
        "duration": secs if secs else meta.get("duration"),
        "codec": str(codec).split()[0] if codec else None,
        "pixel_format": str(pix).split("(")[0].split(",")[0].strip() if pix else None,
    }


def _probe_gif(data: bytes, *, where: str) -> dict[str, Any]:
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as im:
            if im.format != "GIF":
                raise MediaValueError(f"Video: {where!r} is not a GIF file.")
            n = getattr(im, "n_frames", 1)
            total_ms = 0
            for i in range(n):
                im.seek(i)
                total_ms += int(im.info.get("duration", 0) or 0)
            w, h = im.size
    except (OSError, SyntaxError) as exc:
        raise MediaValueError(f"Video: {where!r} is not a readable GIF: {exc}") from None
    duration = total_ms / 1000 if total_ms else None
    return {
        "fps": round(n / duration, 3) if duration else None,
        "frames": n,
        "width": w,
        "height": h,
        "duration": duration,
        "codec": "gif",
        "pixel_format": "pal8",
    }
