"""Crash safety: atexit finish, SIGKILL mid-run, uncaught exceptions, and keys that try to escape."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import media
from media._base import Media
from media.runfolder import MediaWriter, key_dir, safe_segment
from tests.conftest import only_run

REPO = Path(__file__).resolve().parents[2]


def _python(code: str, root: Path, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, MEDIABOARD_DIR=str(root), PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_script_that_forgets_finish_loses_nothing(root):
    proc = _python(
        """
        import media
        media.init(project="p", config={"a": 1})
        for i in range(50):
            media.log({"i": i})
        media.log({"last": True}, commit=False)
        media.summary["best"] = 7
        # no finish(): atexit must do it
    """,
        root,
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    r = only_run(root)
    assert r.status == "finished"
    rows = list(r.history())
    assert len(rows) == 51 and rows[-1]["last"] is True
    assert r.summary["best"] == 7 and r.summary["i"] == 49


def test_uncaught_exception_marks_run_failed(root):
    proc = _python(
        """
        import media
        media.init(project="p")
        media.log({"i": 1})
        raise SystemError("boom")
    """,
        root,
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "boom" in err
    r = only_run(root)
    assert r.status == "failed"
    assert [row["i"] for row in r.history()] == [1]


class Blob(Media):
    """A test media kind that writes a file of the given bytes (slowly, to be caught mid-write)."""

    kind = "blob"

    def __init__(self, data: bytes, delay: float = 0.0) -> None:
        self.data, self.delay = data, delay

    def _serialize(self, writer: MediaWriter) -> dict:
        def write(tmp: str) -> None:
            with open(tmp, "wb") as f:
                f.write(self.data[: len(self.data) // 2])
                f.flush()
                time.sleep(self.delay)
                f.write(self.data[len(self.data) // 2 :])

        return {
            "_type": self.kind,
            "path": writer.write_with(".bin", write),
            "size": len(self.data),
        }


def test_sigkill_leaves_every_committed_step_readable(root):
    here = str(Path(__file__).parent)
    proc = _python(
        f"""
        import sys, time
        import media
        sys.path.insert(0, {here!r})
        from test_run_crash import Blob
        media.init(project="p")
        for i in range(200):
            media.log({{"i": i, "loss": 1.0 / (i + 1)}})
        media.log({{"blob": Blob(b"x" * 1000)}})            # step 200, completes
        media.log({{"slow": Blob(b"y" * 1000, delay=30)}})  # step 201, killed mid-write
        print("ready", flush=True)
        time.sleep(60)
    """,
        root,
    )
    line = proc.stdout.readline()
    assert line.strip() == "ready", proc.stderr.read()
    deadline = time.time() + 10
    run_dir = None
    while time.time() < deadline:  # wait until the completed blob row is on disk
        runs = media.list_runs(root)
        if runs and any("blob" in r for r in runs[0].history()):
            run_dir = runs[0].path
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert run_dir is not None
    r = media.open_run(run_dir)
    rows = list(r.history())
    # step 201's log() returned, so its row is there; its media value never got written
    assert [row["_step"] for row in rows] == list(range(202))
    assert rows[199]["loss"] == pytest.approx(1 / 200)
    blob = rows[200]["blob"]
    assert (r.path / blob["path"]).read_bytes() == b"x" * 1000
    # the torn file of step 201 never appears under its final name; the reader reports it lost
    assert not list((r.path / "media" / "slow").glob("201_0.bin"))
    assert rows[201]["slow"]["_type"] == "error" and rows[201]["slow"]["lost"] is True
    assert rows[201]["slow"]["kind"] == "blob"
    assert r.lost == [("slow", 201)]
    assert any("'slow' at step 201" in p and "lost" in p for p in r.problems)
    assert r.status == "crashed"


ESCAPING_KEYS = [
    "../x",
    "../../../etc/passwd",
    "/abs/path",
    "a/../../b",
    "val\\test misprediction",
    "..",
    ".",
    "",
    "ключ/图像",
    "a b",
    "a_b",
    "con:*?<>|",
    "x" * 300,
]


@pytest.mark.parametrize("key", ESCAPING_KEYS)
def test_key_paths_stay_inside_the_run(tmp_path, key):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    rel = MediaWriter(run_dir, key, 3).write_bytes(b"data", ".bin")
    target = (run_dir / rel).resolve()
    assert run_dir.resolve() in target.parents
    assert target.read_bytes() == b"data"
    assert "3_0.bin" in rel  # the step shows in the name


def test_distinct_keys_never_share_a_folder():
    keys = ["a b", "a_b", "a?b", "A b"]
    assert len({key_dir(k) for k in keys}) == len(keys)
    assert safe_segment("examples") == "examples"
    assert key_dir("val/img") == "val/img"


def test_escaping_keys_stored_verbatim_in_history(root):
    run = media.init(project="p")
    keys = ["../x", "val\\test misprediction", "ключ", "a/b"]
    media.log({k: Blob(b"1") for k in keys})
    media.finish()
    r = media.open_run(run.dir)
    row = next(r.history())
    for k in keys:
        assert k in row
        assert r.resolve(row[k]["path"]).read_bytes() == b"1"
    assert set(r.media_keys()) == set(keys)


def test_reader_resolve_refuses_escape(root, tmp_path):
    run = media.init(project="p", id="r")
    media.log({"b": Blob(b"1")})
    media.finish()
    r = media.open_run(run.dir)
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (Path(run.dir) / "media" / "out.txt").symlink_to(outside)
    (Path(run.dir) / "media" / "in.bin").symlink_to(Path(run.dir) / "media" / "b" / "0_0.bin")
    for bad in ("../../x", "media/../../p/r/media/b/0_0.bin", "/etc/passwd", "media/./b/0_0.bin",
                "media\\b", "", "run.json", "history.jsonl"):
        with pytest.raises(media.FormatError, match=r"expected a (plain relative path|path under|relative path)"):
            r.resolve(bad)
    with pytest.raises(media.FormatError, match=r"leaves .* \(through a symlink\)"):
        r.resolve("media/out.txt")
    assert r.resolve("media/in.bin").read_bytes() == b"1"  # a link inside the run is followed
    shipped = dict(r.shipped_files())
    assert "media/out.txt" not in shipped and shipped["media/in.bin"].read_bytes() == b"1"
    assert any("media/out.txt: not shipped" in p for p in r.problems)


def test_media_rows_keep_order_with_plain_rows(root):
    run = media.init(project="p")
    media.log({"b": Blob(b"z" * 10, delay=0.2)})
    for i in range(5):
        media.log({"i": i})  # queued behind the media row
    media.finish()
    steps = [row["_step"] for row in media.open_run(run.dir).history()]
    assert steps == list(range(6))
    # the six rows in commit order, at once; the media value's part line after its file is done
    lines = [json.loads(x) for x in (Path(run.dir) / "history.jsonl").read_text().splitlines()]
    assert [x["_step"] for x in lines if "_part" not in x] == list(range(6))
    assert lines[0]["_pending"] == {"b": "blob"} and "b" not in lines[0]
    part = [x for x in lines if "_part" in x]
    assert len(part) == 1 and part[0]["_part"] == lines[0]["_commit"] and part[0]["_step"] == 0
    assert part[0]["b"]["size"] == 10


def test_failed_serialize_keeps_rest_of_row(root):
    class Broken(Media):
        kind = "broken"

        def _serialize(self, writer):
            raise OSError("disk full")

    run = media.init(project="p")
    with pytest.warns(RuntimeWarning, match="disk full"):
        media.log({"bad": Broken(), "loss": 0.5})
        media.finish()
    r = media.open_run(run.dir)
    row = next(r.history())
    assert row["loss"] == 0.5
    assert row["bad"]["_type"] == "error" and "disk full" in row["bad"]["message"]
    assert "disk full" in r.meta["errors"][0]
    assert not [p for p in Path(run.dir).rglob("*.tmp*")]


def test_a_run_killed_before_its_first_heartbeat_shows_how_long_it_ran(tmp_path):
    """duration of a run with no end: its last row's _runtime when that is later than the last
    heartbeat (a SIGKILL before the first heartbeat used to read 0.0 s forever)."""
    run = media.init(project="p", id="k", dir=str(tmp_path))
    for s in range(3):
        media.log({"x": s})
    media.finish()
    d = Path(run.dir)
    meta = json.loads((d / "run.json").read_text())
    meta.update(status="running", end_time=None, exit_code=None, heartbeat_at=meta["start_time"])
    (d / "run.json").write_text(json.dumps(meta))
    rows = [json.loads(x) for x in (d / "history.jsonl").read_text().splitlines()]
    for i, r in enumerate(rows):  # as if the steps came 5 s apart
        r["_runtime"] = 5.0 * (i + 1)
    (d / "history.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    reader = media.open_run(d)
    assert reader.duration == 15.0


def test_a_crashed_run_summary_has_the_rows_written_after_summary_json(tmp_path):
    """summary.json is rewritten about once a second: a run killed between two rewrites shows its
    rows' last values in RunReader.summary, but define_metric summaries (min ...) are the writer's."""
    run = media.init(project="p", id="s", dir=str(tmp_path))
    media.define_metric("acc", summary="max")
    for s in range(4):
        media.log({"loss": 1.0 / (s + 1), "acc": [0.5, 0.9, 0.6, 0.7][s]})
    media.finish()
    d = Path(run.dir)
    meta = json.loads((d / "run.json").read_text())
    meta.update(status="running", end_time=None, exit_code=None, pid=2 ** 22 + 12345)
    (d / "run.json").write_text(json.dumps(meta))
    summary = json.loads((d / "summary.json").read_text())
    summary.update(_step=1, loss=0.5)  # as written after step 1, before the kill
    (d / "summary.json").write_text(json.dumps(summary))
    reader = media.open_run(d)
    assert reader.status == "crashed"
    got = reader.summary
    assert got["_step"] == 3 and got["loss"] == 0.25
    assert got["acc"] == summary["acc"]  # the max, kept
