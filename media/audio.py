"""Audio: a clip from a numpy array / tensor (encoded to WAV) or an audio file kept as it is.

The stub is documented in ``docs/kinds/audio.md``. Encoding uses ``soundfile``, imported only
when needed (``pip install soundfile`` or ``pip install mediaboard[audio]``).

Example::

    media.log({"sample": media.Audio(waveform, sample_rate=16000, caption="epoch 3")})
"""

from __future__ import annotations

import io
import os
from typing import Any, ClassVar

import numpy as np

from media._arrays import check_caption, is_array_like, to_numpy
from media._base import Media
from media.errors import MediaTypeError, MediaValueError, describe, warn

#: audio file extensions stored unchanged -> the stub's format
FILE_FORMATS: dict[str, str] = {
    ".wav": "wav",
    ".flac": "flac",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".mp3": "mp3",
}


def _soundfile() -> Any:
    try:
        import soundfile
    except ImportError:
        raise ImportError(
            "Audio needs the soundfile package to encode and read audio: pip install soundfile "
            "(or pip install mediaboard[audio])."
        ) from None
    return soundfile


class Audio(Media):
    """An audio clip.

    ``data_or_path`` is either

    - an array (numpy, torch tensor, list) of samples: 1-D is mono; 2-D is multi-channel. The
      **time axis is the longer one** (so (N, C) and (C, N) both work: (16000, 2) and (2, 16000)
      are both 2-channel clips); a square array is read as (N, C). Pass ``channels="first"``
      (C, N) or ``channels="last"`` (N, C) to override. At most ``MAX_CHANNELS`` channels.
      Floats are expected in [-1, 1]: a clip whose peak is larger is divided by its peak (with a
      warning; the stub records ``normalized_by``); NaN/inf become 0 (with a warning). Integer
      samples are full-scale PCM of their dtype (int16, int32, uint8; int8 is widened to int16;
      other integer dtypes are refused: cast them). Encoded as 16-bit WAV (float and 16-bit input),
      32-bit WAV (int32) or 8-bit WAV (uint8). ``sample_rate`` (Hz) is required.
    - a path to a WAV, FLAC, OGG or MP3 file, stored byte for byte; its sample rate, channels
      and length are read with soundfile where it can. ``sample_rate``, if given, must match.

    Example::

        Audio(np.sin(np.linspace(0, 2000, 16000)), sample_rate=16000)
        Audio("speech.flac", caption="reference")
    """

    kind = "audio"

    #: more channels than this are refused (a transposed array is the usual cause)
    MAX_CHANNELS: ClassVar[int] = 64

    def __init__(
        self,
        data_or_path: Any,
        sample_rate: int | None = None,
        caption: str | None = None,
        *,
        channels: str | None = None,
    ) -> None:
        self.caption = check_caption(caption, what="Audio")
        if channels not in (None, "first", "last"):
            raise MediaValueError(
                f"Audio: channels: expected 'first', 'last' or None; got {describe(channels)}."
            )
        if sample_rate is not None:
            sample_rate = _check_rate(sample_rate)
        self._encoded: bytes | None = None
        self._samples: np.ndarray | None = None
        self._subtype = "PCM_16"
        self.normalized_by: float | None = None
        self.nonfinite = 0
        if isinstance(data_or_path, (str, os.PathLike)):
            self._load_file(os.fspath(data_or_path), sample_rate, channels)
        elif is_array_like(data_or_path) or isinstance(data_or_path, (list, tuple)):
            if sample_rate is None:
                raise MediaValueError(
                    "Audio: sample_rate is required for array data, e.g. "
                    "Audio(x, sample_rate=16000); got None."
                )
            _soundfile()  # fail here, on the user's line, rather than on the background worker
            self._load_array(data_or_path, sample_rate, channels)
        else:
            raise MediaTypeError(
                "Audio: data_or_path: expected a numpy array, torch tensor, list of samples or "
                f"a path to a WAV/FLAC/OGG/MP3 file; got {describe(data_or_path)}."
            )

    # ---- loading ------------------------------------------------------------------------------
    def _load_array(self, data: Any, sample_rate: int, channels: str | None) -> None:
        arr = to_numpy(data, what="Audio: data_or_path")
        if arr.dtype.kind not in "iuf":
            raise MediaTypeError(
                f"Audio: data_or_path: expected float or integer samples; got dtype {arr.dtype}."
            )
        if arr.ndim == 1:
            arr = arr[:, None]
        elif arr.ndim == 2:
            n0, n1 = arr.shape
            first = channels == "first" or (channels is None and n0 < n1)
            if first:
                arr = arr.T
        else:
            raise MediaValueError(
                "Audio: data_or_path: expected shape (N,) for mono, or (N, C) / (C, N) for C "
                f"channels; got {tuple(arr.shape)}."
            )
        frames, nchan = arr.shape
        if frames == 0:
            raise MediaValueError(
                f"Audio: data_or_path: expected at least one sample; got shape {tuple(arr.shape)}."
            )
        if nchan > self.MAX_CHANNELS:
            raise MediaValueError(
                f"Audio: data_or_path: {nchan} channels is more than Audio.MAX_CHANNELS="
                f"{self.MAX_CHANNELS} (shape read as (N, C) = {(frames, nchan)}). Pass "
                "channels='first' or 'last' if the axes were read the wrong way."
            )
        if arr.dtype.kind == "f":
            arr = self._check_float(arr)
            self._subtype = "PCM_16"
        else:
            arr, self._subtype = _int_samples(arr)
        self._samples = np.ascontiguousarray(arr)  # always a copy (see the helpers)
        self.sample_rate: int | None = sample_rate
        self.channels: int | None = nchan
        self.frames: int | None = frames
        self.format = "wav"
        self._ext = ".wav"

    def _check_float(self, arr: np.ndarray) -> np.ndarray:
        arr = arr.astype(np.float32 if arr.dtype.itemsize <= 4 else np.float64)  # a copy
        finite = np.isfinite(arr)
        if not finite.all():
            self.nonfinite = int(arr.size - np.count_nonzero(finite))
            warn(
                f"Audio: {self.nonfinite} of {arr.size} samples are NaN or infinite; they were "
                "replaced by 0 (silence).",
            )
            arr[~finite] = 0
        peak = float(np.abs(arr).max())
        if peak > 1.0:
            warn(
                f"Audio: float samples reach {peak:g}, outside [-1, 1]; the clip was divided by "
                f"{peak:g} so it does not clip. Scale it yourself to silence this.",
            )
            arr /= peak
            self.normalized_by = peak
        return arr

    def _load_file(self, path: str, sample_rate: int | None, channels: str | None) -> None:
        ext = os.path.splitext(path)[1].lower()
        if ext not in FILE_FORMATS:
            raise MediaValueError(
                f"Audio: data_or_path: expected a {', '.join(sorted(set(FILE_FORMATS.values())))} "
                f"file; got {path!r}. Convert it, or pass the samples with sample_rate=."
            )
        if channels is not None:
            raise MediaValueError("Audio: channels= applies to arrays; got a file path.")
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise FileNotFoundError(f"Audio: data_or_path: no such file: {path!r}.") from None
        except IsADirectoryError:
            raise MediaValueError(
                f"Audio: data_or_path: expected an audio file; got the folder {path!r}."
            ) from None
        self._encoded = data
        self.format = FILE_FORMATS[ext]
        self._ext = ext
        self.sample_rate = self.channels = self.frames = None
        info = _file_info(data, self.format, path)
        if info is not None:
            self.sample_rate, self.channels, self.frames = info
        if (
            sample_rate is not None
            and self.sample_rate is not None
            and sample_rate != self.sample_rate
        ):
            raise MediaValueError(
                f"Audio: sample_rate={sample_rate} does not match the file {path!r}, which is "
                f"{self.sample_rate} Hz. Leave sample_rate out for files."
            )
        if self.sample_rate is None:
            self.sample_rate = sample_rate

    @property
    def duration(self) -> float | None:
        """Length in seconds (None when unknown)."""
        if self.frames is None or not self.sample_rate:
            return None
        return self.frames / self.sample_rate

    # ---- serialization ------------------------------------------------------------------------
    def _serialize(self, writer: Any) -> dict[str, Any]:
        if self._encoded is not None:
            path = writer.write_bytes(self._encoded, self._ext)
        else:
            sf = _soundfile()
            buf = io.BytesIO()
            sf.write(buf, self._samples, self.sample_rate, subtype=self._subtype, format="WAV")
            path = writer.write_bytes(buf.getvalue(), ".wav")
        stub: dict[str, Any] = {
            "_type": "audio",
            "path": path,
            "format": self.format,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "frames": self.frames,
            "duration": self.duration,
        }
        if writer.sha256:
            stub["sha256"] = writer.sha256
        if self.caption is not None:
            stub["caption"] = self.caption
        if self.normalized_by is not None:
            stub["normalized_by"] = self.normalized_by
        if self.nonfinite:
            stub["nonfinite"] = self.nonfinite
        return stub


def _check_rate(rate: Any) -> int:
    ok = isinstance(rate, (int, np.integer)) and not isinstance(rate, bool)
    if not ok and isinstance(rate, (float, np.floating)) and float(rate).is_integer():
        ok = True
    if not ok or int(rate) <= 0:
        raise MediaValueError(
            f"Audio: sample_rate: expected a positive int (Hz); got {describe(rate)}."
        )
    return int(rate)


def _int_samples(arr: np.ndarray) -> tuple[np.ndarray, str]:
    """Integer samples and the WAV subtype that stores them exactly (full scale of the dtype)."""
    if arr.dtype == np.int16:
        return arr.copy(), "PCM_16"
    if arr.dtype == np.int32:
        return arr.copy(), "PCM_32"
    if arr.dtype == np.uint8:
        # soundfile writes PCM_U8 from int16 data scaled to full range.
        return (arr.astype(np.int16) - 128) * 256, "PCM_U8"
    if arr.dtype == np.int8:
        return arr.astype(np.int16) * 256, "PCM_16"
    # int64, uint16, ...: no full scale to read them against (int16-valued int64 is common).
    raise MediaTypeError(
        f"Audio: data_or_path: {arr.dtype} samples have no standard PCM scale; cast them to "
        "int16 or int32 (full-scale PCM) or to floats in [-1, 1]."
    )


def _file_info(data: bytes, fmt: str, path: str) -> tuple[int, int, int] | None:
    """(sample_rate, channels, frames) of an audio file, or None when soundfile cannot tell.

    A file soundfile cannot read is refused, except MP3, which older libsndfile builds (< 1.1)
    cannot decode: it is kept when its first bytes look like MP3.
    """
    try:
        sf = _soundfile()
    except ImportError:
        return None  # files are stored without soundfile; only their metadata is unknown
    try:
        info = sf.info(io.BytesIO(data))
        return int(info.samplerate), int(info.channels), int(info.frames)
    except Exception as exc:  # noqa: BLE001 - soundfile raises several types for unreadable input
        if fmt == "mp3" and (
            data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
        ):
            return None
        raise MediaValueError(
            f"Audio: data_or_path: {path!r} is not a readable {fmt.upper()} file ({exc})."
        ) from None
