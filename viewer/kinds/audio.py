"""Audio: compared by spectral distance (dB RMS between log spectrograms, shown as pictures on one
dB scale for the pair, with a heat map of their difference in dB); the
build adds a waveform envelope for the page's lane."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from media import stubs
from viewer import imgdiff
from viewer.kinds._util import join

if TYPE_CHECKING:
    from viewer.ci import Comparer, Row

KIND = "audio"
METRICS = ("dist",)
VENDOR: tuple[str, ...] = ()
REENCODE = False
#: Audio distance (dB RMS) that counts as a full change when ranking.
AUDIO_FULL_SCALE_DB = 40.0
#: buckets of the audio waveform envelope precomputed for the viewer
WAVEFORM_BUCKETS = 600


def compare(cmp: Comparer, row: Row, b: dict, c: dict, n: int) -> None:
    row.base_file = cmp.copy(cmp.base, "baseline", b[stubs.PATH])
    row.cand_file = cmp.copy(cmp.cand, "candidate", c[stubs.PATH])
    xa, ra = imgdiff.load_audio(cmp.base.resolve(b[stubs.PATH]))
    xb, rb = imgdiff.load_audio(cmp.cand.resolve(c[stubs.PATH]))
    if ra != rb:
        row.score, row.failed_compare = 1.0, True
        row.note = join(row.note, f"sample rate changed {ra} → {rb} Hz")
        row.text = row.note
        return
    dist, sa, sb = imgdiff.spectral_distance(xa, xb)
    # one dB scale for both pictures: 0 at the louder clip's peak, black VIEW_RANGE_DB below it
    peak = max(float(sa.max()), float(sb.max()))
    row.base_view = cmp.write(imgdiff.spectrogram_image(sa, peak), f"spec/{n:04d}-base.png")
    row.cand_view = cmp.write(imgdiff.spectrogram_image(sb, peak), f"spec/{n:04d}-cand.png")
    heat, top = imgdiff.spectrogram_difference(sa, sb, peak)
    if top > 0:
        row.diff_view = cmp.write(heat, f"diff/{n:04d}.png")
    row.details.append(f"spectrograms: pale yellow = the pair's peak ({peak:.0f} dBFS), black = "
                      f"{imgdiff.VIEW_RANGE_DB:.0f} dB below" + (f"; heat map white = {top:.0f} dB" if top else ""))
    row.metrics = {"dist": dist}
    row.score = min(1.0, dist / AUDIO_FULL_SCALE_DB)
    row.text = f"spectral dist {dist:.3g} dB"
    if len(xa) != len(xb):
        row.details.append(f"length changed {len(xa)} → {len(xb)} samples")


def waveform(path: Path) -> dict[str, Any] | None:
    """Min/max envelope of an audio file (first channel) for drawing, or None if unreadable."""
    try:
        import numpy as np
        import soundfile as sf

        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception:  # noqa: BLE001 - any undecodable file just has no waveform
        return None
    mono = data.mean(axis=1)
    n = len(mono)
    if n == 0:
        return None
    buckets = min(WAVEFORM_BUCKETS, n)
    edges = np.linspace(0, n, buckets + 1).astype(int)
    mins = [float(mono[a:b].min()) if b > a else 0.0 for a, b in zip(edges[:-1], edges[1:])]
    maxs = [float(mono[a:b].max()) if b > a else 0.0 for a, b in zip(edges[:-1], edges[1:])]
    return {"min": [round(x, 4) for x in mins], "max": [round(x, 4) for x in maxs]}


def enrich(e) -> None:
    if isinstance(e.stub.get(stubs.PATH), str) and not e.missing:
        wf = waveform(e.reader.resolve(e.stub[stubs.PATH]))
        if wf is not None:
            e.out[stubs.WAVEFORM] = wf
