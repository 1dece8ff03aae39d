"""Audio: arrays encoded to WAV and read back with soundfile; files kept; bad inputs; run round trip."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import media
from media.audio import Audio
from media.runfolder import MediaWriter

sf = pytest.importorskip("soundfile")

SR = 8000
T = np.arange(SR // 4) / SR
TONE = 0.5 * np.sin(2 * np.pi * 440 * T)  # 2000 frames, peak 0.5
STEREO = np.stack([TONE, -0.25 * TONE], axis=1)  # (N, 2)
PCM16 = 1 / 32767 + 1e-9


def ser(a: Audio, tmp_path, index: int = 0) -> dict:
    return a._serialize(MediaWriter(tmp_path, "clip", 2, index))


GOOD = [
    # id, data, kwargs, expected (N, C) float samples, tolerance
    ("mono float64", TONE, {}, TONE[:, None], PCM16),
    ("mono float32", TONE.astype(np.float32), {}, TONE[:, None], PCM16),
    (
        "mono float16",
        TONE.astype(np.float16),
        {},
        TONE.astype(np.float16).astype(float)[:, None],
        PCM16,
    ),
    ("list", TONE.tolist(), {}, TONE[:, None], PCM16),
    ("(N, C)", STEREO, {}, STEREO, PCM16),
    ("(C, N)", STEREO.T, {}, STEREO, PCM16),
    ("(1, N)", TONE[None], {}, TONE[:, None], PCM16),
    ("(N, 1)", TONE[:, None], {}, TONE[:, None], PCM16),
    (
        "square as (N, C)",
        np.array([[0.1, 0.2], [0.3, 0.4]]),
        {},
        np.array([[0.1, 0.2], [0.3, 0.4]]),
        PCM16,
    ),
    (
        "square channels=first",
        np.array([[0.1, 0.2], [0.3, 0.4]]),
        {"channels": "first"},
        np.array([[0.1, 0.3], [0.2, 0.4]]),
        PCM16,
    ),
    ("(N, C) channels=last", STEREO, {"channels": "last"}, STEREO, PCM16),
    (
        "int16",
        (TONE * 32767).astype(np.int16),
        {},
        (TONE * 32767).astype(np.int16)[:, None] / 32768,
        0,
    ),
    (
        "int32",
        (TONE * 2**31).astype(np.int32),
        {},
        (TONE * 2**31).astype(np.int32)[:, None] / 2**31,
        1e-9,
    ),
    (
        "uint8",
        (TONE * 127 + 128).astype(np.uint8),
        {},
        ((TONE * 127 + 128).astype(np.uint8).astype(float)[:, None] - 128) / 128,
        0,
    ),
    ("int8", (TONE * 127).astype(np.int8), {}, (TONE * 127).astype(np.int8)[:, None] / 128, 0),
    ("float sample rate", TONE, {"sample_rate": 8000.0}, TONE[:, None], PCM16),
]


@pytest.mark.parametrize("name,data,kwargs,expected,tol", GOOD, ids=[g[0] for g in GOOD])
def test_arrays_are_encoded_to_wav_and_read_back(tmp_path, name, data, kwargs, expected, tol):
    kwargs = {"sample_rate": SR, **kwargs}
    stub = ser(Audio(data, caption=name, **kwargs), tmp_path)
    assert stub["_type"] == "audio" and stub["format"] == "wav"
    assert stub["path"] == "media/clip/2_0.wav"
    got, rate = sf.read(tmp_path / stub["path"], always_2d=True)
    assert rate == SR == stub["sample_rate"]
    assert got.shape == expected.shape == (stub["frames"], stub["channels"])
    assert stub["duration"] == pytest.approx(expected.shape[0] / SR)
    assert np.abs(got - expected).max() <= tol
    assert stub["caption"] == name
    assert "normalized_by" not in stub and "nonfinite" not in stub


def test_loud_floats_are_normalised_with_a_warning_and_recorded(tmp_path):
    with pytest.warns(
        UserWarning,
        match=r"Audio: float samples reach 4, outside \[-1, 1\]; the clip was divided by 4",
    ) as rec:
        a = Audio(TONE * 8, sample_rate=SR)
    assert rec[0].filename == __file__
    stub = ser(a, tmp_path)
    got, _ = sf.read(tmp_path / stub["path"])
    assert stub["normalized_by"] == pytest.approx(4.0)
    assert np.abs(got - TONE * 2).max() <= PCM16 and np.abs(got).max() == pytest.approx(
        1.0, abs=1e-4
    )


def test_nan_samples_become_silence_with_a_warning(tmp_path):
    x = TONE.copy()
    x[:3] = [np.nan, np.inf, -np.inf]
    with pytest.warns(
        UserWarning, match=r"Audio: 3 of 2000 samples are NaN or infinite; they were replaced by 0"
    ):
        a = Audio(x, sample_rate=SR)
    stub = ser(a, tmp_path)
    got, _ = sf.read(tmp_path / stub["path"])
    assert (
        stub["nonfinite"] == 3
        and (got[:3] == 0).all()
        and np.abs(got[3:] - TONE[3:]).max() <= PCM16
    )


def test_later_mutation_does_not_leak_in(tmp_path):
    for x in (TONE.copy(), (TONE * 32767).astype(np.int16), STEREO.T.copy()):
        a = Audio(x, sample_rate=SR)
        before = sf.read(tmp_path / ser(a, tmp_path, 0)["path"])[0]
        x[...] = 0
        after = sf.read(tmp_path / ser(a, tmp_path, 1)["path"])[0]
        np.testing.assert_array_equal(before, after)
        assert np.abs(after).max() > 0.1


def test_torch_tensor_with_grad(tmp_path):
    torch = pytest.importorskip("torch")
    t = torch.tensor(STEREO.T.copy(), requires_grad=True) * 1.0  # torchaudio's (C, N)
    stub = ser(Audio(t, sample_rate=SR), tmp_path)
    got, _ = sf.read(tmp_path / stub["path"], always_2d=True)
    assert stub["channels"] == 2 and np.abs(got - STEREO).max() <= PCM16


@pytest.mark.parametrize(
    "fmt,subtype,ext,stub_fmt",
    [
        ("WAV", "PCM_16", ".wav", "wav"),
        ("FLAC", "PCM_16", ".flac", "flac"),
        ("OGG", "VORBIS", ".ogg", "ogg"),
        ("MP3", "MPEG_LAYER_III", ".mp3", "mp3"),
    ],
)
def test_audio_files_are_kept_byte_for_byte_with_their_metadata(
    tmp_path, fmt, subtype, ext, stub_fmt
):
    src = tmp_path / f"in{ext}"
    try:
        sf.write(src, STEREO, 16000, format=fmt, subtype=subtype)
    except Exception as exc:  # noqa: BLE001 - old libsndfile builds cannot write MP3
        pytest.skip(f"this libsndfile cannot write {fmt}: {exc}")
    original = src.read_bytes()
    a = Audio(src, caption="file")
    src.write_bytes(b"overwritten")  # the bytes were taken at construction
    stub = ser(a, tmp_path / "run")
    out = tmp_path / "run" / stub["path"]
    assert out.suffix == ext and stub["format"] == stub_fmt
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(original).hexdigest()
    assert stub["sample_rate"] == 16000 and stub["channels"] == 2
    assert stub["frames"] == pytest.approx(len(STEREO), abs=1200)  # lossy codecs pad
    assert stub["duration"] == pytest.approx(stub["frames"] / 16000)


def test_path_with_matching_sample_rate_and_str_path(tmp_path):
    src = tmp_path / "a.wav"
    sf.write(src, TONE, SR)
    stub = ser(Audio(str(src), sample_rate=SR), tmp_path / "run")
    assert stub["frames"] == len(TONE)


BAD = [
    (
        (TONE,),
        {},
        media.MediaValueError,
        r"Audio: sample_rate is required for array data, e\.g\. Audio\(x, sample_rate=16000\); got None",
    ),
    (
        (TONE, 0),
        {},
        media.MediaValueError,
        r"sample_rate: expected a positive int \(Hz\); got int \(0\)",
    ),
    ((TONE, 44100.5), {}, media.MediaValueError, r"sample_rate: expected a positive int"),
    ((TONE, "44100"), {}, media.MediaValueError, r"sample_rate: expected a positive int"),
    (
        (np.zeros((2, 3, 4)), SR),
        {},
        media.MediaValueError,
        r"expected shape \(N,\) for mono, or \(N, C\) / \(C, N\).*got \(2, 3, 4\)",
    ),
    ((np.zeros(0), SR), {}, media.MediaValueError, r"expected at least one sample"),
    (
        (np.zeros((1000, 100)), SR),
        {},
        media.MediaValueError,
        r"100 channels is more than Audio.MAX_CHANNELS=64",
    ),
    (
        (np.array(["a"]), SR),
        {},
        media.MediaTypeError,
        r"expected float or integer samples; got dtype <U1",
    ),
    ((np.array([True]), SR), {}, media.MediaTypeError, r"got dtype bool"),
    (
        (np.arange(10, dtype=np.int64), SR),
        {},
        media.MediaTypeError,
        r"int64 samples have no standard PCM scale; cast them",
    ),
    ((5, SR), {}, media.MediaTypeError, r"data_or_path: expected a numpy array.*got int \(5\)"),
    (
        (TONE, SR),
        {"channels": "up"},
        media.MediaValueError,
        r"channels: expected 'first', 'last' or None",
    ),
    ((TONE, SR, ["c"]), {}, media.MediaTypeError, r"Audio: caption: expected a str; got list"),
    (
        ("song.m4a",),
        {},
        media.MediaValueError,
        r"expected a flac, mp3, ogg, wav file; got 'song.m4a'",
    ),
    (("missing.wav",), {}, FileNotFoundError, r"Audio: data_or_path: no such file: 'missing.wav'"),
]


@pytest.mark.parametrize("args,kwargs,exc,match", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_inputs(tmp_path, monkeypatch, args, kwargs, exc, match):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(exc, match=match):
        Audio(*args, **kwargs)


def test_bad_files(tmp_path):
    fake = tmp_path / "fake.wav"
    fake.write_bytes(b"\x89PNG not audio at all")
    with pytest.raises(media.MediaValueError, match=r"fake.wav' is not a readable WAV file"):
        Audio(fake)
    good = tmp_path / "a.wav"
    sf.write(good, TONE, SR)
    with pytest.raises(
        media.MediaValueError,
        match=r"sample_rate=16000 does not match the file .* which is 8000 Hz",
    ):
        Audio(good, sample_rate=16000)
    with pytest.raises(media.MediaValueError, match=r"channels= applies to arrays"):
        Audio(good, channels="first")
    (tmp_path / "dir.wav").mkdir()
    with pytest.raises(media.MediaValueError, match=r"got the folder"):
        Audio(tmp_path / "dir.wav")


def test_missing_soundfile_says_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "soundfile":
            raise ImportError("No module named 'soundfile'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(
        ImportError, match=r"pip install soundfile \(or pip install mediaboard\[audio\]\)"
    ):
        Audio(TONE, sample_rate=SR)


def test_list_of_clips_through_a_run(root):
    run = media.init(project="a")
    media.log(
        {
            "clips": [
                Audio(TONE, sample_rate=SR, caption="a"),
                Audio(STEREO.T, sample_rate=SR * 2, caption="b"),
            ]
        }
    )
    run.summary["best"] = Audio(TONE, sample_rate=SR)
    media.finish()

    r = media.open_run(run.dir)
    ((step, stub),) = r.media("clips")
    assert stub["_type"] == "media-list" and stub["kind"] == "audio" and stub["count"] == 2
    a, b = stub["items"]
    assert [a["caption"], b["caption"]] == ["a", "b"]
    assert [a["sample_rate"], b["sample_rate"]] == [SR, SR * 2]
    assert [a["duration"], b["duration"]] == pytest.approx([0.25, 0.125])
    got, rate = sf.read(r.resolve(b["path"]), always_2d=True)
    assert rate == SR * 2 and np.abs(got - STEREO).max() <= PCM16
    best = r.summary["best"]
    assert best["_type"] == "audio" and sf.info(str(r.resolve(best["path"]))).frames == len(TONE)
