"""Every image, audio and video stub carries the SHA-256 of its file's bytes (``sha256``), so
readers (the compare page's table join, scripts) can tell equal media apart from changed ones
without reading the files."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import media


def _check(run, key):
    stubs = [stub for _, stub in run.media(key)]
    assert stubs
    for stub in stubs:
        items = stub["items"] if stub.get("_type") == "media-list" else [stub]
        for item in items:
            data = run.resolve(item["path"]).read_bytes()
            assert item["sha256"] == hashlib.sha256(data).hexdigest()
    return stubs


def test_image_audio_video_stubs_carry_the_file_digest(root):
    pytest.importorskip("imageio_ffmpeg")
    img = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    run = media.init(project="p", id="dig")
    media.log({
        "img": media.Image(img), "imgs": [media.Image(img), media.Image(255 - img)],
        "snd": media.Audio(np.zeros(800, np.float32), sample_rate=8000),
        "gif": media.Video(np.zeros((4, 3, 8, 8), np.uint8), format="gif"),
        "mp4": media.Video(np.zeros((4, 3, 16, 16), np.uint8), format="mp4"),
    }, step=0)
    media.log({"img": media.Image(img)}, step=1)
    media.finish()
    r = media.open_run(run.dir)
    first, second = _check(r, "img")
    assert first["sha256"] == second["sha256"] and first["path"] != second["path"]  # same pixels
    a, b = _check(r, "imgs")[0]["items"]
    assert a["sha256"] != b["sha256"]
    for key in ("snd", "gif", "mp4"):
        _check(r, key)


def test_table_media_cells_carry_the_digest(root):
    run = media.init(project="p", id="tdig")
    media.log({"t": media.Table(columns=["i", "img"], data=[[0, media.Image(np.zeros((2, 2), np.uint8))]])})
    media.finish()
    r = media.open_run(run.dir)
    stub = next(s for _, s in r.media("t"))
    import json

    cell = json.loads(r.resolve(stub["path"]).read_text())["data"][0][1]
    assert cell["sha256"] == hashlib.sha256(r.resolve(cell["path"]).read_bytes()).hexdigest()
