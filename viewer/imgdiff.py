"""Image and audio differences for ``mediaboard ci``: SSIM, pixel differences, heat maps, thumbnails,
spectrograms. numpy and Pillow only (soundfile, when installed, to read non-WAV audio).

Definitions (also in docs/ci.md):

- **Pixels** are compared as 8-bit RGB: grey images are repeated to three channels and an alpha
  channel is composited over black, so an RGBA image and its RGB twin compare equal where opaque.
- **mad**: mean absolute difference over every pixel and channel, 0..255.
- **changed**: percentage of pixels where any channel differs (by at least 1 level).
- **ssim**: mean SSIM (Wang et al. 2004) on BT.601 luminance (0.299 R + 0.587 G + 0.114 B),
  Gaussian window of 11 taps with sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255, averaged over the
  positions where the whole window fits ("valid"). Images smaller than 11 px on a side use a
  window as large as the smaller side.
- **heat map**: per pixel, the largest channel difference, scaled so that the pair's largest
  difference is full brightness (black → red → yellow → white); the scale is reported beside it.
- **audio dist**: RMS of the difference of the two clips' log-magnitude spectrograms in dB (mono
  mix, ends faded over 512 samples, Hann window of 1024 samples, hop 256), over the bins where
  either clip is within 60 dB of the louder clip's peak (both floored there); the shorter clip is
  padded with silence. The pictures show 80 dB below the pair's peak, on one scale for both.
- **histogram tv / emd**: total variation (0..1) and earth mover's distance (value units) of the
  two normalised distributions on the union of their bin edges (``histogram_distance``).
- **3-D dist**: symmetric mean nearest-neighbour distance of the two point sets over the
  baseline's bounding-box diagonal (``points_distance``).
- **video**: up to 16 evenly spaced frames (first and last included) compared as images.
- **plotly dev**: the largest change of a plotted number, over the baseline array's range
  (``figure_deviation``): traces are paired by position, and every numeric data array of a trace
  (x, y, z, ... and plotly's typed arrays ``{dtype, bdata, shape}``) is compared element-wise.
  Different trace counts or types, array shapes, changed categories or a number on one side only
  give inf.
- **bokeh dev**: the same over the columns of the documents' ColumnDataSources, paired in
  document order (``bokeh_deviation``; bokeh's ``ndarray`` columns decoded, gzip or not).
- **html sim**: difflib's ratio of the two pages' text, 0..1 (``text_similarity``).
- **scalar rel**: per step, abs(c - b) / abs(b) (0 when equal or both NaN, inf when b is 0 or not
  finite and c differs), over the steps both curves logged (``relative_change``).

Example::

    a, b = load_rgb("base.png"), load_rgb("cand.png")
    ssim(a, b), mad(a, b), changed_pct(a, b)
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image as PILImage

#: SSIM window: 11 taps, sigma 1.5 (the window of Wang et al.).
SSIM_TAPS = 11
SSIM_SIGMA = 1.5
_K1, _K2, _L = 0.01, 0.03, 255.0


def load_rgb(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image file as an (H, W, 3) uint8 array; alpha is composited over black.

    Animated files give their first frame.
    """
    with PILImage.open(path) as im:
        im.seek(0)
        if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info):
            rgba = np.asarray(im.convert("RGBA"), dtype=np.float32)
            rgb = rgba[..., :3] * (rgba[..., 3:4] / 255.0)
            return np.rint(rgb).astype(np.uint8)
        if im.mode in ("I;16", "I", "F"):
            arr = np.asarray(im, dtype=np.float64)
            lo, hi = float(arr.min()), float(arr.max())
            scaled = np.zeros_like(arr) if hi == lo else (arr - lo) / (hi - lo) * 255.0
            grey = np.rint(scaled).astype(np.uint8)
            return np.repeat(grey[..., None], 3, axis=2)
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma of an (H, W, 3) array, as float64 in 0..255."""
    x = rgb.astype(np.float64)
    return 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]


def _gauss(taps: int, sigma: float) -> np.ndarray:
    t = np.arange(taps, dtype=np.float64) - (taps - 1) / 2.0
    w = np.exp(-(t**2) / (2.0 * sigma**2))
    return w / w.sum()


def _filter_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Separable 'valid' correlation of a 2-D array with the 1-D kernel ``w`` on both axes."""
    n = len(w)
    rows = x.shape[0] - n + 1
    cols = x.shape[1] - n + 1
    tmp = np.zeros((rows, x.shape[1]))
    for k in range(n):
        tmp += w[k] * x[k : k + rows, :]
    out = np.zeros((rows, cols))
    for k in range(n):
        out += w[k] * tmp[:, k : k + cols]
    return out


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM of two same-sized (H, W, 3) uint8 images (see the module docstring).

    1.0 for identical images; about 0 or below for unrelated or inverted ones.
    """
    if a.shape != b.shape:
        raise ValueError(f"ssim: expected two images of the same shape; got {a.shape} and {b.shape}.")
    x, y = luminance(a), luminance(b)
    taps = min(SSIM_TAPS, x.shape[0], x.shape[1])
    sigma = SSIM_SIGMA * taps / SSIM_TAPS
    w = _gauss(taps, sigma)
    mx, my = _filter_valid(x, w), _filter_valid(y, w)
    sxx = _filter_valid(x * x, w) - mx * mx
    syy = _filter_valid(y * y, w) - my * my
    sxy = _filter_valid(x * y, w) - mx * my
    c1, c2 = (_K1 * _L) ** 2, (_K2 * _L) ** 2
    num = (2 * mx * my + c1) * (2 * sxy + c2)
    den = (mx * mx + my * my + c1) * (sxx + syy + c2)
    return float(np.mean(num / den))


def absdiff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel, per-channel absolute difference as uint8 (same shapes required)."""
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).astype(np.uint8)


def mad(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference over every pixel and channel, 0..255."""
    return float(absdiff(a, b).mean())


def changed_pct(a: np.ndarray, b: np.ndarray) -> float:
    """Percentage of pixels where any channel differs."""
    return float(np.any(a != b, axis=2).mean() * 100.0)


def heatmap(diff: np.ndarray) -> tuple[np.ndarray, int]:
    """Colour an (H, W, 3) absolute difference: returns (RGB uint8 image, the level shown as white).

    The largest channel difference per pixel is scaled so that the largest one in the image is
    white; an all-zero difference is all black (scale 0).
    """
    d = diff.max(axis=2)
    top = int(d.max())
    t = np.arange(256, dtype=np.float64) / max(top, 1)
    # black -> red (t=1/3) -> yellow (2/3) -> white (1), as a lookup table over the 256 levels
    lut = np.stack([np.clip(t * 3.0 - k, 0, 1) for k in (0.0, 1.0, 2.0)], axis=1)
    return np.rint(lut * 255).astype(np.uint8)[d], top


def save_png(rgb: np.ndarray, path: str | os.PathLike[str]) -> None:
    """Write an (H, W, 3) or (H, W) uint8 array as PNG, creating folders."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # level 3: within a few % of the default size, several times faster on noisy heat maps
    PILImage.fromarray(rgb).save(path, format="PNG", compress_level=3)


def thumbnail(rgb: np.ndarray, max_side: int = 128) -> np.ndarray:
    """The image shrunk (never enlarged) so its longer side is at most ``max_side``.

    Nearest-neighbour below 4x reduction keeps single-pixel differences visible; area averaging
    otherwise.
    """
    h, w = rgb.shape[:2]
    scale = max(h, w) / max_side
    if scale <= 1:
        return rgb
    size = (max(1, round(w / scale)), max(1, round(h / scale)))
    resample = PILImage.Resampling.NEAREST if scale < 4 else PILImage.Resampling.BOX
    return np.asarray(PILImage.fromarray(rgb).resize(size, resample))


# ---- audio ------------------------------------------------------------------------------------
N_FFT = 1024
HOP = 256
FLOOR_DB = -100.0
#: Bins more than this far below the louder clip's peak do not count in the distance.
RANGE_DB = 60.0
#: The gallery's spectrogram pictures show this many dB below the pair's peak (black at the bottom).
VIEW_RANGE_DB = 80.0
#: Samples over which a clip fades in and out before its spectrogram (no click at its ends).
FADE = 512


def load_audio(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """(mono float64 samples in -1..1, sample rate) of an audio file.

    WAV is read with the standard library when soundfile is not installed; other formats need
    soundfile (``pip install soundfile``).
    """
    try:
        import soundfile
    except ImportError:
        soundfile = None
    if soundfile is not None:
        data, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
        return data.mean(axis=1), int(rate)
    if not str(path).lower().endswith(".wav"):
        raise ImportError(f"reading {Path(path).name} needs soundfile: pip install soundfile")
    import wave

    with wave.open(str(path), "rb") as wf:
        width, chans, rate = wf.getsampwidth(), wf.getnchannels(), wf.getframerate()
        raw = wf.readframes(wf.getnframes())
    if width == 1:
        x = (np.frombuffer(raw, np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 2:
        x = np.frombuffer(raw, "<i2").astype(np.float64) / 32768.0
    elif width == 4:
        x = np.frombuffer(raw, "<i4").astype(np.float64) / 2147483648.0
    else:
        raise ValueError(f"load_audio: {width * 8}-bit WAV needs soundfile: pip install soundfile")
    return x.reshape(-1, chans).mean(axis=1), rate


def _fade(x: np.ndarray) -> np.ndarray:
    """The clip with its first and last ``FADE`` samples faded in and out (half a Hann window), so
    that the clip's ends are not read as clicks against the silence around it."""
    n = min(FADE, len(x) // 2)
    if n < 2:
        return x
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)
    x = np.array(x, dtype=np.float64)
    x[:n] *= ramp
    x[len(x) - n :] *= ramp[::-1]
    return x


def spectrogram_db(x: np.ndarray, frames: int | None = None) -> np.ndarray:
    """(frequency bins, frames) log-magnitude STFT in dB of full scale, floored at ``FLOOR_DB``.

    The clip's ends fade in and out over ``FADE`` samples first (``_fade``): a clip that stops
    inside a frame would otherwise show its end as a broadband click, a bright stripe at the edge.
    ``frames`` pads the clip with silence to at least that many frames.
    """
    x = _fade(np.asarray(x, np.float64))
    n = max(len(x), N_FFT)
    count = 1 + (n - N_FFT + HOP - 1) // HOP
    if frames is not None:
        count = max(count, frames)
    padded = np.zeros(N_FFT + (count - 1) * HOP)
    padded[: len(x)] = x
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
    win = np.hanning(N_FFT)
    mag = np.abs(np.fft.rfft(padded[idx] * win, axis=1)) / (win.sum() / 2.0)
    db = 20.0 * np.log10(np.maximum(mag, 10 ** (FLOOR_DB / 20.0)))
    return db.T


def spectral_distance(a: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """(distance in dB, spectrogram of a, spectrogram of b) of two mono clips at the same rate.

    The distance is the RMS of the difference of the two log-magnitude spectrograms, over the
    time-frequency bins where either clip is within ``RANGE_DB`` of the louder clip's peak; both are
    floored there first. So a gain change of -6 dB gives about 6, silence or a different tone
    about 30, and noise 60 dB below the signal almost 0. Identical clips give exactly 0.
    """
    frames = max(spectrogram_db(a).shape[1], spectrogram_db(b).shape[1])
    sa, sb = spectrogram_db(a, frames), spectrogram_db(b, frames)
    floor = max(float(sa.max()), float(sb.max())) - RANGE_DB
    fa, fb = np.maximum(sa, floor), np.maximum(sb, floor)
    active = (fa > floor) | (fb > floor)
    dist = float(np.sqrt(np.mean((fa - fb)[active] ** 2))) if active.any() else 0.0
    return dist, sa, sb


#: Colours of the spectrogram pictures from their floor (black) to their peak (pale yellow): a
#: dark-to-bright ramp in which every step is visibly brighter than the one below.
_SPEC_COLOURS = np.array([(0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164)], np.float64)


def _resize(db: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A (bins, frames) array as a float picture of ``size`` (width, height), low bins at the bottom."""
    img = PILImage.fromarray(np.ascontiguousarray(db[::-1], dtype=np.float32), mode="F")
    return np.asarray(img.resize(size, PILImage.Resampling.BILINEAR), np.float64)


def spectrogram_image(db: np.ndarray, peak: float, size: tuple[int, int] = (256, 256)) -> np.ndarray:
    """A spectrogram in dB as an (H, W, 3) picture of ``size`` (width, height), low frequencies at
    the bottom, on the scale ``peak - VIEW_RANGE_DB`` (black) .. ``peak`` (pale yellow). Give both
    clips of a pair the same ``peak`` (the louder one's), so that their pictures compare. For
    viewing only; distances use ``db``."""
    t = np.clip((_resize(db, size) - (peak - VIEW_RANGE_DB)) / VIEW_RANGE_DB, 0.0, 1.0)
    pos = t * (len(_SPEC_COLOURS) - 1)
    k = np.minimum(pos.astype(int), len(_SPEC_COLOURS) - 2)
    f = (pos - k)[..., None]
    rgb = _SPEC_COLOURS[k] * (1 - f) + _SPEC_COLOURS[k + 1] * f
    return np.rint(rgb).astype(np.uint8)


def spectrogram_difference(da: np.ndarray, db: np.ndarray, peak: float,
                           size: tuple[int, int] = (256, 256)) -> tuple[np.ndarray, float]:
    """(heat map of ``size``, the dB difference shown as white) of two spectrograms of the same
    shape, both floored at ``peak - VIEW_RANGE_DB`` first (what lies below the pictures' black does
    not count). Black is no difference; an identical pair gives (all black, 0)."""
    floor = peak - VIEW_RANGE_DB
    d = np.abs(_resize(np.maximum(da, floor), size) - _resize(np.maximum(db, floor), size))
    top = float(d.max())
    grey = np.rint(d / top * 255).astype(np.uint8) if top > 0 else np.zeros(d.shape, np.uint8)
    heat, _ = heatmap(np.repeat(grey[..., None], 3, axis=2))
    return heat, top


# ---- scalars ----------------------------------------------------------------------------------
def relative_change(b: Any, c: Any) -> np.ndarray:
    """|c - b| / |b| element-wise for two aligned curves: 0 where equal (NaN equals NaN), inf where
    b is 0 or not finite and c differs.

    >>> relative_change([1.0, 2.0, 0.0], [1.0, 1.0, 0.5]).tolist()
    [0.0, 0.5, inf]
    """
    b, c = np.asarray(b, np.float64), np.asarray(c, np.float64)
    same = (b == c) | (np.isnan(b) & np.isnan(c))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(c - b) / np.abs(b)
    rel = np.where(same, 0.0, rel)
    return np.where(~same & ((b == 0) | ~np.isfinite(b) | ~np.isfinite(rel)), math.inf, rel)


# ---- histograms -------------------------------------------------------------------------------
def _cdf_at(bins: np.ndarray, values: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The normalised cumulative count of a histogram at ``x``, counts spread evenly in each bin."""
    total = float(values.sum())
    cum = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)]) / (total or 1.0)
    return np.interp(x, bins, cum, left=0.0, right=1.0 if total else 0.0)


def histogram_distance(bins_a: Any, values_a: Any, bins_b: Any, values_b: Any) -> tuple[float, float]:
    """(total variation, earth mover's distance) of two histograms that may have different bins.

    Both are normalised to a total of 1, with counts spread evenly inside each bin, and compared on
    the union of their bin edges. Total variation is half the summed absolute difference of the
    masses: 0 identical, 1 no overlap. The earth mover's (Wasserstein-1) distance is the area
    between the two cumulative distributions, in the histogram's value units: how far the mass
    moved (a shift of the whole distribution by 0.5 gives 0.5). An empty histogram against a
    non-empty one gives (1, inf); two empty ones (0, 0).
    """
    ba, va = np.asarray(bins_a, np.float64), np.asarray(values_a, np.float64)
    bb, vb = np.asarray(bins_b, np.float64), np.asarray(values_b, np.float64)
    for name, b, v in (("a", ba, va), ("b", bb, vb)):
        if b.ndim != 1 or v.ndim != 1 or len(b) != len(v) + 1 or len(v) == 0:
            raise ValueError(f"histogram {name}: expected bins of length len(values) + 1; got {b.shape} and {v.shape}")
    empty_a, empty_b = va.sum() <= 0, vb.sum() <= 0
    if empty_a or empty_b:
        return (0.0, 0.0) if empty_a and empty_b else (1.0, math.inf)
    edges = np.union1d(ba, bb)
    fa, fb = _cdf_at(ba, va, edges), _cdf_at(bb, vb, edges)
    tv = 0.5 * float(np.abs(np.diff(fa) - np.diff(fb)).sum())
    d = np.abs(fa - fb)  # both CDFs are linear between union edges: the trapezoid rule is exact
    emd = float((0.5 * (d[1:] + d[:-1]) * np.diff(edges)).sum())  # unless they cross inside one
    return min(1.0, tv), emd


# ---- point clouds -----------------------------------------------------------------------------
def points_distance(a: np.ndarray, b: np.ndarray, max_points: int = 2000) -> float:
    """Symmetric mean nearest-neighbour distance of two point sets (N, 3), relative to the diagonal
    of ``a``'s bounding box: 0 for the same points, ~0.01 for a jitter of 1% of the object's size.
    Sets larger than ``max_points`` are subsampled evenly (every k-th point, deterministic)."""
    a = np.asarray(a, np.float64)[:, :3]
    b = np.asarray(b, np.float64)[:, :3]
    a, b = a[np.isfinite(a).all(axis=1)], b[np.isfinite(b).all(axis=1)]
    if not len(a) or not len(b):
        return 0.0 if not len(a) and not len(b) else math.inf
    a = a[:: max(1, -(-len(a) // max_points))]
    b = b[:: max(1, -(-len(b) // max_points))]
    diag = float(np.linalg.norm(a.max(axis=0) - a.min(axis=0))) or 1.0

    def nearest(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        out = np.empty(len(p))
        for s in range(0, len(p), 500):  # 500 x 2000 distances at a time: a few MB
            d2 = ((p[s : s + 500, None, :] - q[None, :, :]) ** 2).sum(axis=2)
            out[s : s + 500] = np.sqrt(d2.min(axis=1))
        return out

    return float((nearest(a, b).mean() + nearest(b, a).mean()) / 2.0 / diag)


# ---- video ------------------------------------------------------------------------------------
def video_frames(path: str | os.PathLike[str], count: int, total: int | None = None) -> tuple[list[np.ndarray], int]:
    """(up to ``count`` frames as 8-bit RGB, evenly spaced and always including the first and the
    last, the number of frames in the file). Frames are decoded one at a time (imageio), so a long
    clip never sits in memory whole."""
    import imageio.v3 as iio

    if total is None or total <= 0:
        total = sum(1 for _ in iio.imiter(str(path)))
    want = sorted({int(round(i)) for i in np.linspace(0, max(total - 1, 0), min(count, max(total, 1)))})
    frames, seen = [], 0
    for i, frame in enumerate(iio.imiter(str(path))):
        seen = i + 1
        if i in want:
            f = np.asarray(frame)
            if f.ndim == 2:
                f = np.repeat(f[..., None], 3, axis=2)
            frames.append(np.ascontiguousarray(f[..., :3]).astype(np.uint8))
        if want and i >= want[-1] and total is not None and seen >= total:
            break
    return frames, max(seen, total or 0)


# ------------------------------------------------------------------------------------------------
# plotly figures
# ------------------------------------------------------------------------------------------------


def _plotly_array(v: Any) -> np.ndarray | None:
    """A trace value as a numeric array: a list of numbers (nested lists for z) or plotly's typed
    array ``{"dtype", "bdata", "shape"}``; None for anything else (text, styles, scalars)."""
    if isinstance(v, dict) and isinstance(v.get("bdata"), str) and isinstance(v.get("dtype"), str):
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]).newbyteorder("<"))
        shape = v.get("shape")
        if isinstance(shape, str) and shape.strip():
            arr = arr.reshape([int(n) for n in shape.split(",")])
        return arr.astype(np.float64)
    return _number_list(v)


def _number_list(v: Any) -> np.ndarray | None:
    if isinstance(v, list) and v:
        try:
            return np.array(v, dtype=np.float64)
        except (TypeError, ValueError):
            return None
    return None


def _array_deviation(aa: np.ndarray, ab: np.ndarray) -> tuple[float, tuple[int, ...] | str]:
    """(largest |ab - aa| over aa's range, its index), or (inf, why) when they cannot be paired.
    The range is max - min of aa's finite values, else its largest magnitude, else 1."""
    if aa.shape != ab.shape:
        return math.inf, f"shape {aa.shape} → {ab.shape}"
    if aa.size == 0:
        return 0.0, ()
    with np.errstate(invalid="ignore"):
        diff = np.where((aa == ab) | (np.isnan(aa) & np.isnan(ab)), 0.0, np.abs(ab - aa))
    if np.isnan(diff).any():
        return math.inf, "a number became NaN (or stopped being one)"
    fin = aa[np.isfinite(aa)]
    scale = float(fin.max() - fin.min()) if fin.size else 0.0
    if scale == 0.0:
        scale = float(np.abs(fin).max()) if fin.size else 0.0
    k = int(np.argmax(diff))
    return float(diff.flat[k]) / (scale or 1.0), tuple(int(n) for n in np.unravel_index(k, diff.shape))


def _pair_arrays(label: str, ka: dict[str, Any], kb: dict[str, Any], decode: Any,
                 positions: frozenset[str] | None) -> tuple[float, str]:
    """The worst deviation over the arrays two objects hold under the same names (``decode``
    turns a value into a numeric array or None)."""
    worst, where = 0.0, ""
    for key in sorted(set(ka) | set(kb)):
        va, vb = ka.get(key), kb.get(key)
        aa, ab = decode(va), decode(vb)
        if aa is None and ab is None:
            if (positions is None or key in positions) and va != vb:  # categories moved the data
                return math.inf, f"{label} {key}: categories changed"
            continue  # names, styles, hover text: "changed" covers them
        if aa is None or ab is None:
            if va == vb:
                continue
            return math.inf, f"{label} {key}: not numbers on both sides"
        dev, at = _array_deviation(aa, ab)
        if isinstance(at, str):
            return math.inf, f"{label} {key}: {at}"
        if dev > worst:
            worst, where = dev, f"{label} {key}[{', '.join(str(n) for n in at)}]"
    return worst, where


def _worst(found: Iterable[tuple[float, str]]) -> tuple[float, str]:
    """The largest (dev, where) of paired parts; the first inf ends the search."""
    worst, where = 0.0, ""
    for dev, at in found:
        if dev > worst:
            worst, where = dev, at
        if not math.isfinite(dev):
            break
    return worst, where


#: trace keys that place the data: when they hold text (categories), a change moves the data
_PLOTLY_POSITIONS = frozenset(
    "x y z r theta labels values lat lon a b c open high low close dimensions".split()
)


def figure_deviation(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, str]:
    """(dev, where) of two plotly figures (``{"data": [...], ...}``): the largest |b - a| of any
    plotted number over the range of a's array (max - min of its finite values; its largest
    magnitude when that is 0; 1 when that is 0 too), and where it was found ("trace 2 y[5]").
    NaN equals NaN. Structure that cannot be paired gives (inf, what differs)."""
    ta, tb = a.get("data") or [], b.get("data") or []
    if len(ta) != len(tb):
        return math.inf, f"{len(ta)} → {len(tb)} traces"

    def traces() -> Iterator[tuple[float, str]]:
        for i, (x, y) in enumerate(zip(ta, tb), start=1):
            if not isinstance(x, dict) or not isinstance(y, dict):
                yield math.inf, f"trace {i} is not an object"
            elif x.get("type", "scatter") != y.get("type", "scatter"):
                yield math.inf, f"trace {i}: {x.get('type', 'scatter')} → {y.get('type', 'scatter')}"
            else:
                yield _pair_arrays(f"trace {i}", x, y, _plotly_array, _PLOTLY_POSITIONS)

    return _worst(traces())


# ------------------------------------------------------------------------------------------------
# bokeh documents and HTML pages
# ------------------------------------------------------------------------------------------------


def _bokeh_array(v: Any) -> np.ndarray | None:
    """A ColumnDataSource column as a numeric array: a list of numbers or bokeh's
    ``{"type": "ndarray", "array": {"type": "bytes", "data": base64 (gzip or not)}, "dtype",
    "order", "shape"}``; None for anything else."""
    if isinstance(v, dict) and v.get("type") == "ndarray" and isinstance(v.get("dtype"), str):
        arr_obj = v.get("array")
        if isinstance(arr_obj, dict) and arr_obj.get("type") == "bytes" and isinstance(arr_obj.get("data"), str):
            import gzip

            raw = base64.b64decode(arr_obj["data"])
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            dtype = np.dtype(v["dtype"])
            if dtype.kind not in "iufb":
                return None
            dtype = dtype.newbyteorder("<" if v.get("order", "little") == "little" else ">")
            arr = np.frombuffer(raw, dtype=dtype)
            shape = v.get("shape")
            if isinstance(shape, list) and shape:
                arr = arr.reshape([int(n) for n in shape])
            return arr.astype(np.float64)
        return _number_list(arr_obj)
    return _number_list(v)


def _bokeh_sources(doc: Any) -> list[dict[str, Any]]:
    """Every ColumnDataSource's data of a bokeh JSON document, {column: value}, in document order."""
    out: list[dict[str, Any]] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            if v.get("name") == "ColumnDataSource" and isinstance(v.get("attributes"), dict):
                data = v["attributes"].get("data")
                if isinstance(data, dict) and data.get("type") == "map" and isinstance(data.get("entries"), list):
                    out.append({str(e[0]): e[1] for e in data["entries"] if isinstance(e, list) and len(e) == 2})
                elif isinstance(data, dict):
                    out.append({str(k): x for k, x in data.items()})
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(doc)
    return out


def bokeh_deviation(a: Any, b: Any) -> tuple[float, str]:
    """(dev, where) of two bokeh JSON documents: as ``figure_deviation``, over the columns of
    their ColumnDataSources paired in document order ("source 1 y[12]")."""
    sa, sb = _bokeh_sources(a), _bokeh_sources(b)
    if len(sa) != len(sb):
        return math.inf, f"{len(sa)} → {len(sb)} data sources"
    return _worst(_pair_arrays(f"source {i}", x, y, _bokeh_array, None)
                  for i, (x, y) in enumerate(zip(sa, sb), start=1))


#: pages longer than this (characters) are compared line by line, not character by character
TEXT_CHARS = 200_000


def text_similarity(a: str, b: str) -> float:
    """How alike two texts are, 0..1: difflib's ratio (2 × matched characters over both lengths),
    on characters, or on lines when either text is longer than TEXT_CHARS."""
    import difflib

    if a == b:
        return 1.0
    if max(len(a), len(b)) > TEXT_CHARS:
        return difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False).ratio()
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
