"""The writer's guarantees (docs/format.md, "Crash safety"): no returned step lost on SIGKILL, lost
media reported, one writer per run, threads, a full disk, values that used to poison the writer,
file modes, summary attributes, and a finish() that cannot hang."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import media
from media._base import Media
from media.runfolder import MediaWriter
from tests.conftest import only_run

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _env(root: Path) -> dict[str, str]:
    return dict(os.environ, MEDIABOARD_DIR=str(root), PYTHONPATH=f"{REPO}{os.pathsep}{HERE}")


def _python(code: str, root: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], env=_env(root), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, stdin=subprocess.PIPE, text=True, **kwargs,
    )


class Slow(Media):
    """A test kind whose encoding takes ``delay`` seconds (to be caught, or given up on)."""

    kind = "slow"

    def __init__(self, data: bytes = b"s", delay: float = 0.0) -> None:
        self.data, self.delay = data, delay

    def _serialize(self, writer: MediaWriter) -> dict:
        time.sleep(self.delay)
        return {"_type": self.kind, "path": writer.write_bytes(self.data, ".bin")}


# ------------------------------------------------------------------------------------------------
# SIGKILL trials
# ------------------------------------------------------------------------------------------------

CHILD = """
import random, sys, time
import numpy as np
import media
seed = int(sys.argv[1])
rng = np.random.default_rng(seed)
run = media.init(project="crash", id=f"t{seed}")
print("dir", run.dir, flush=True)
step = 0
while True:
    row = {"i": step, "loss": 1.0 / (step + 1), "tag": f"s{step}"}
    k = step % 4
    if k == 0:
        row["img"] = media.Image(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8), caption=f"c{step}")
    if k == 1:
        row["imgs"] = [media.Image(rng.random((32, 32))) for _ in range(3)]
        row["hist"] = media.Histogram(rng.normal(size=500))
    if k == 2:
        row["audio"] = media.Audio(rng.normal(size=4000).astype(np.float32) * 0.1, sample_rate=8000)
        row["table"] = media.Table(columns=["a", "b"], data=[[step, "x"], [step + 1, "y"]])
    if k == 3 and step % 16 == 3:
        row["video"] = media.Video(rng.integers(0, 255, (4, 3, 32, 32), dtype=np.uint8), fps=4)
    if random.random() < 0.3:
        media.log({"pre": step}, commit=False)
    media.log(row)
    print("ok", step, flush=True)
    step += 1
    if random.random() < 0.2:
        time.sleep(0.002)
"""

N_TRIALS = int(os.environ.get("MEDIABOARD_SOAK_TRIALS", "50"))


def _decode(path: Path, stub: dict) -> None:
    """Open a media file the way its kind would be read; raises when it is torn or missing."""
    t = stub["_type"]
    if t == "image":
        from PIL import Image

        with Image.open(path) as im:
            im.load()
            assert (im.width, im.height) == (stub["width"], stub["height"])
    elif t == "audio":
        import soundfile

        data, sr = soundfile.read(str(path))
        assert len(data) == stub.get("frames", len(data)) and sr == 8000
    elif t == "table":
        json.loads(path.read_bytes())
    elif t == "video":
        assert path.stat().st_size > 0
        import imageio.v3 as iio

        assert len(list(iio.imiter(path))) >= 1
    else:
        assert path.stat().st_size > 0


def _check_trial(run_dir: Path, returned: list[int]) -> tuple[int, int]:
    """Every returned step is in history with its plain values; every referenced file decodes;
    every media value of a returned step is either whole or reported lost. Returns the number of
    media values checked and lost."""
    r = media.open_run(run_dir)
    assert r.status == "crashed"
    rows = {row["_step"]: row for row in r.history()}
    lost = set(r.lost)
    checked = 0
    for step in returned:
        assert step in rows, f"step {step} returned from log() but is not in history"
        row = rows[step]
        assert row["i"] == step and row["tag"] == f"s{step}" and row["loss"] == 1.0 / (step + 1)
        expected = {0: ["img"], 1: ["imgs", "hist"], 2: ["audio", "table"], 3: []}[step % 4]
        if step % 16 == 3:
            expected = ["video"]
        for key in expected:
            assert key in row, f"step {step}: media key {key!r} silently missing"
            stub = row[key]
            checked += 1
            if stub.get("_type") == "error":
                assert stub.get("lost") and (key, step) in lost, stub
                continue
            for item in stub["items"] if stub["_type"] == "media-list" else [stub]:
                if "path" in item:
                    _decode(r.resolve(item["path"]), item)
    assert all(any(p.startswith("history.jsonl: media value") for p in r.problems) for _ in lost)
    return checked, len(lost)


def test_sigkill_trials_lose_no_returned_step(root):
    """N_TRIALS children log media-heavy rows and are killed at a random moment."""
    rng = random.Random(1234)
    trials, total_steps, total_media, total_lost = 0, 0, 0, 0
    pending = list(range(N_TRIALS))
    while pending:
        batch, pending = pending[:4], pending[4:]
        procs = []
        for seed in batch:
            p = subprocess.Popen([sys.executable, "-c", CHILD, str(seed)], env=_env(root),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            procs.append((seed, p))
        for _seed, p in procs:
            first = p.stdout.readline().split()
            assert first and first[0] == "dir", p.stderr.read()
            p.run_dir = Path(first[1])  # type: ignore[attr-defined]
            p.kill_at = time.monotonic() + rng.uniform(0.05, 0.8)  # type: ignore[attr-defined]
        for _seed, p in sorted(procs, key=lambda sp: sp[1].kill_at):  # type: ignore[attr-defined]
            time.sleep(max(0.0, p.kill_at - time.monotonic()))  # type: ignore[attr-defined]
            p.send_signal(signal.SIGKILL)
        for _seed, p in procs:
            out, _ = p.communicate(timeout=30)
            # whole lines only: the kill can cut the child's last line short ("ok 1" of "ok 12")
            returned = [int(m.group(1)) for line in out.split("\n")[:-1]
                        if (m := re.fullmatch(r"ok (\d+)", line))]
            checked, lost = _check_trial(p.run_dir, returned)  # type: ignore[attr-defined]
            trials += 1
            total_steps += len(returned)
            total_media += checked
            total_lost += lost
    print(f"\n{trials} SIGKILL trials: {total_steps} returned steps, all present; {total_media} "
          f"media values checked, {total_lost} reported lost")
    assert trials == N_TRIALS and total_steps > N_TRIALS


def test_resume_after_sigkill_continues_and_keeps_lost_report(root):
    proc = _python(
        """
        import time, media
        from test_writer import Slow
        run = media.init(project="p", id="r1")
        for i in range(5):
            media.log({"i": i})
        media.log({"s": Slow(delay=60)})
        print("ready", flush=True)
        time.sleep(60)
        """,
        root,
    )
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    proc.kill()
    proc.communicate(timeout=10)
    run = media.init(project="p", id="r1", resume="allow")  # the dead holder's lock is taken over
    media.log({"i": 99})
    media.finish()
    r = media.open_run(run.dir)
    assert [row["_step"] for row in r.history()] == [0, 1, 2, 3, 4, 5, 6]
    assert r.lost == [("s", 5)]
    assert r.status == "finished"


# ------------------------------------------------------------------------------------------------
# one writer per run
# ------------------------------------------------------------------------------------------------

CONTENDER = """
import os, sys, time
import media
name, go_dir, trials, resume = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
resume = None if resume == "none" else resume
print("ready", flush=True)
for t in range(trials):
    go = os.path.join(go_dir, f"go{t}")
    while not os.path.exists(go):
        time.sleep(0.0005)
    try:
        run = media.init(project="lock", id=f"same{t}", resume=resume)
        media.log({"who": name})
        print("won", t, flush=True)
    except media.MediaError as exc:
        print("lost", t, str(exc).replace("\\n", " "), flush=True)
        run = None
    sys.stdin.readline()       # hold the run until the other one has tried
    if run is not None:
        media.finish()
    print("done", t, flush=True)
"""


@pytest.mark.parametrize("resume", ["none", "allow"])
def test_two_processes_starting_the_same_run_at_once(root, tmp_path, resume):
    trials = 20
    go = tmp_path / f"go-{resume}"
    go.mkdir()
    procs = [
        subprocess.Popen([sys.executable, "-c", CONTENDER, name, str(go), str(trials), resume],
                         env=_env(root), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    messages = []
    for t in range(trials):
        (go / f"go{t}").touch()
        results = [p.stdout.readline().split(" ", 2) for p in procs]
        outcomes = sorted(r[0] for r in results)
        assert outcomes == ["lost", "won"], (t, results)
        messages += [r[2] for r in results if r[0] == "lost"]
        for p in procs:
            p.stdin.write("\n")
            p.stdin.flush()
        for p in procs:
            assert p.stdout.readline().startswith("done"), p.stderr.read()
        rows = list(media.open_run(root / "lock" / f"same{t}").history())
        assert len(rows) == 1  # one writer's row, never two
    for p in procs:
        p.communicate(timeout=30)
    # the loser is told which run and who holds it; without resume, it may instead be told that
    # the run already exists (when the winner had already finished: not here, it holds the run)
    assert all("is being written by another process" in m and "pid" in m and "host" in m
               for m in messages), messages[:3]


def test_second_writer_in_same_process_is_refused_and_lock_released_at_finish(root):
    from media._run import Run

    run = media.init(project="p", id="x")
    with pytest.raises(media.RunStateError, match=rf"run 'x' .* is being written by another process \(host .*, pid {os.getpid()}"):
        Run(root=root, project="p", run_id="x", name=None, notes=None, tags=None, group=None,
            job_type=None, config=None, resume="allow", mode="offline")
    media.log({"a": 1})
    media.finish()
    media.init(project="p", id="x", resume="allow")
    media.log({"a": 2})
    media.finish()
    assert [row["a"] for row in media.open_run(run.dir).history()] == [1, 2]


# ------------------------------------------------------------------------------------------------
# threads
# ------------------------------------------------------------------------------------------------


def test_threads_logging_to_one_run_lose_nothing(root):
    run = media.init(project="p", settings={"media_workers": 3})
    n_threads, per_thread = 8, 300

    def worker(t: int) -> None:
        for i in range(per_thread):
            data = {f"t{t}": i, "pad": "x" * (i % 50)}
            if i % 50 == 0:
                data[f"img{t}"] = media.Image(np.full((16, 16), i, dtype=np.uint8))
            media.log(data)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    media.finish()
    lines = (Path(run.dir) / "history.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b""
    parsed = [json.loads(x) for x in lines[:-1]]  # every line whole
    r = media.open_run(run.dir)
    rows = list(r.history())
    assert len(rows) == n_threads * per_thread
    assert sorted(row["_step"] for row in rows) == list(range(n_threads * per_thread))
    for t in range(n_threads):
        got = sorted(row[f"t{t}"] for row in rows if f"t{t}" in row)
        assert got == list(range(per_thread))
        imgs = [row[f"img{t}"] for row in rows if f"img{t}" in row]
        assert len(imgs) == per_thread // 50 and all(s["_type"] == "image" for s in imgs)
    assert sum(1 for x in parsed if "_part" in x) == n_threads * per_thread // 50
    assert r.problems == [] and not r.meta.get("errors")


# ------------------------------------------------------------------------------------------------
# a full disk (RLIMIT_FSIZE), short writes, torn tails
# ------------------------------------------------------------------------------------------------


def test_full_disk_then_space_freed_keeps_every_row(root):
    proc = _python(
        """
        import os, resource, signal, warnings
        import numpy as np
        import media
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail, not kill
        warnings.simplefilter("always")
        run = media.init(project="p", id="full")
        hist = os.path.join(run.dir, "history.jsonl")
        for i in range(20):
            media.log({"i": i, "pad": "x" * 80})
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(hist) + 250, hard))
        for i in range(20, 40):                 # the first few fit, one is cut short, then EFBIG
            media.log({"i": i, "pad": "x" * 80})
        media.log({"i": 40, "img": media.Image(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))})
        media.log({"i": 41})
        import time; time.sleep(0.3)
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))   # space freed
        for i in range(42, 60):
            media.log({"i": i, "pad": "x" * 80})
        media.finish()
        print("finished", flush=True)
        """,
        root,
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "finished" in out, err
    assert "could not be written" in err and "the row of step" in err  # warned at once
    assert "finish(): run 'full' met" in err  # and again at finish
    r = media.open_run(root / "p" / "full")
    raw = (r.path / "history.jsonl").read_bytes()
    for line in raw.split(b"\n")[:-1]:
        json.loads(line)  # no fragment glued onto another row
    rows = list(r.history())
    assert [row["i"] for row in rows] == list(range(60))
    assert r.problems == []
    img = rows[40]["img"]  # its file could not be written while the disk was full
    assert img["_type"] == "error" and "img" in img["message"] and "step 40" in img["message"]
    assert any("history.jsonl" in e for e in r.meta["errors"])
    assert r.status == "finished"


def test_torn_tail_is_cut_before_resume_appends(root):
    run = media.init(project="p", id="torn")
    for i in range(10):
        media.log({"i": i})
    media.finish()
    hist = Path(run.dir) / "history.jsonl"
    with open(hist, "ab") as f:
        f.write(b'{"_step": 10, "i": 1')  # what a crash mid-write leaves
    with pytest.warns(RuntimeWarning, match="torn line of 20 bytes"):
        media.init(project="p", id="torn", resume="allow")
    for i in range(10, 20):
        media.log({"i": i})
    media.finish()
    r = media.open_run(run.dir)
    assert [row["i"] for row in r.history()] == list(range(20))
    assert r.problems == []
    assert any("torn line" in e for e in r.meta["errors"])


def test_short_write_is_cut_off_and_retried(root, monkeypatch):
    """A write that stores part of a row (the disk filled mid-row) leaves no fragment."""
    from media import _writer

    run = media.init(project="p")
    media.log({"i": 0})
    real_write = os.write
    calls = {"n": 0}

    def short_write(fd, data):
        if fd == run._history.fd and calls["n"] == 0:
            calls["n"] += 1
            return real_write(fd, bytes(data)[: len(data) // 2])
        return real_write(fd, data)

    monkeypatch.setattr(_writer.os, "write", short_write)
    with pytest.warns(RuntimeWarning, match="short write"):
        media.log({"i": 1, "pad": "y" * 100})
    media.log({"i": 2})
    media.finish()
    r = media.open_run(run.dir)
    assert [row["i"] for row in r.history()] == [0, 1, 2] and r.problems == []


# ------------------------------------------------------------------------------------------------
# values that used to poison the writer
# ------------------------------------------------------------------------------------------------

POISON = [
    ("surrogate", "name-\udcff.png"),
    ("huge int", 10**5000),
]


@pytest.mark.parametrize("label,bad", POISON, ids=[p[0] for p in POISON])
def test_poisoning_values_are_refused_and_run_goes_on(root, label, bad):
    run = media.init(project="p")
    media.log({"ok": 0})
    refusals = [
        lambda: media.log({"v": bad}),
        lambda: media.log({"v": [1, bad]}),
        lambda: media.log({"img": media.Image(np.zeros((4, 4), np.uint8)), "v": bad}),
        lambda: media.log({"t": media.Table(columns=["a"], data=[[bad]])}),
        lambda: media.log({"img": media.Image(np.zeros((4, 4), np.uint8), caption=bad)}),
        lambda: media.summary.update({"v": bad}),
        lambda: setattr(media.summary, "v", bad),
        lambda: media.config.update({"big": bad}),
        lambda: setattr(run, "notes", bad) if isinstance(bad, str) else setattr(run, "tags", [bad]),
    ]
    for i, fn in enumerate(refusals):
        with pytest.raises(media.MediaError, match="expected"):
            fn()
        media.log({"ok": i + 1})
    media.config.update({"later": 1})  # a refused config change does not poison later ones
    run.tags = ["fine"]
    media.define_metric("ok", summary="max")
    media.finish()
    r = media.open_run(run.dir)
    assert [row["ok"] for row in r.history()] == list(range(len(refusals) + 1))
    assert r.status == "finished" and r.config == {"later": 1} and r.tags == ["fine"]
    assert not r.meta.get("errors") and "v" not in r.summary


def test_refused_config_change_keeps_previous_state_in_memory_and_on_disk(root):
    run = media.init(project="p", config={"a": 1})
    with pytest.raises(media.MediaValueError, match=r"config key 'b'.*4,300"):
        media.config.update({"b": 10**5000, "c": 3})
    assert dict(media.config) == {"a": 1}
    assert json.loads((Path(run.dir) / "config.json").read_text()) == {"a": 1}
    media.config.c = 3
    media.finish()
    assert media.open_run(run.dir).config == {"a": 1, "c": 3}


# ------------------------------------------------------------------------------------------------
# summary
# ------------------------------------------------------------------------------------------------


def test_summary_attributes_persist(root):
    run = media.init(project="p")
    media.log({"acc": 0.5})
    media.summary.best = 0.9
    run.summary.best_accuracy = 0.8
    media.summary.gone = 1
    del media.summary.gone
    assert media.summary.best == 0.9 and "gone" not in media.summary
    with pytest.raises(AttributeError):
        del media.summary.never_set
    media.log({"best": 0.1})  # explicit wins over later logs
    media.finish()
    s = media.open_run(run.dir).summary
    assert s["best"] == 0.9 and s["best_accuracy"] == 0.8 and "gone" not in s and s["acc"] == 0.5


def test_resume_restores_explicit_summary_values(root):
    run = media.init(project="p", id="res")
    media.log({"loss": 1.0})
    media.summary["loss"] = 0.25
    media.finish()
    media.init(project="p", id="res", resume="allow")
    media.log({"loss": 2.0})
    media.log({"other": 1})
    media.finish()
    s = media.open_run(run.dir).summary
    assert s["loss"] == 0.25 and s["other"] == 1


def test_summary_holds_the_last_steps_media_when_encoders_finish_out_of_order(root):
    run = media.init(project="p", settings={"media_workers": 4})
    media.log({"b": Slow(b"first", delay=0.4)})
    media.log({"b": Slow(b"second", delay=0.0)})
    media.finish()
    r = media.open_run(run.dir)
    assert r.resolve(r.summary["b"]["path"]).read_bytes() == b"second"
    assert [r.resolve(s["path"]).read_bytes() for _, s in r.media("b")] == [b"first", b"second"]


def test_summary_json_is_not_rewritten_per_row(root, monkeypatch):
    from media import runfolder as rf

    writes = []
    real = rf.atomic_write_json

    def counting(path, obj, **kw):
        if Path(path).name == "summary.json":
            writes.append(time.monotonic())
        return real(path, obj, **kw)

    monkeypatch.setattr(rf, "atomic_write_json", counting)
    media.init(project="p")
    t0 = time.monotonic()
    for i in range(300):
        media.log({"i": i, "img": media.Image(np.zeros((8, 8), np.uint8))})
    media.finish()
    elapsed = time.monotonic() - t0
    # one at init, at most about one a second while logging, one at finish
    assert len(writes) <= 2 + elapsed / 0.9 + 1, (len(writes), elapsed)


# ------------------------------------------------------------------------------------------------
# encoders: back-pressure, settings, a finish() that cannot hang
# ------------------------------------------------------------------------------------------------


def test_log_waits_for_encoders_with_one_warning(root):
    run = media.init(project="p", settings={"media_queue_mb": 0, "media_workers": 1})
    with pytest.warns(UserWarning, match="media encoders are behind") as record:
        for _ in range(5):
            media.log({"b": Slow(b"x" * 1000, delay=0.02)})
    assert sum("encoders are behind" in str(w.message) for w in record) == 1
    media.finish()
    assert len(media.open_run(run.dir).media("b")) == 5


def test_encoder_pool_size_is_settable(root, monkeypatch):
    names = set()

    class Who(Slow):
        def _serialize(self, writer):
            names.add(threading.current_thread().name)
            time.sleep(0.01)
            return super()._serialize(writer)

    media.init(project="p", settings={"media_workers": 2})
    for _ in range(20):
        media.log({"w": Who()})
    media.finish()
    assert 1 <= len(names) <= 2
    monkeypatch.setenv("MEDIABOARD_MEDIA_WORKERS", "nope")
    with pytest.raises(media.MediaValueError, match=r"\$MEDIABOARD_MEDIA_WORKERS: expected a number >= 1; got str \('nope'\)"):
        media.init(project="p")
    with pytest.raises(media.MediaValueError, match=r"media_workers.*expected a number >= 1; got 0"):
        media.init(project="p", settings={"media_workers": 0})


def test_finish_gives_up_on_a_stuck_encoder_and_says_what_was_left(root):
    run = media.init(project="p", settings={"finish_timeout": 0.5})
    media.log({"ok": 1, "stuck": Slow(delay=30)})
    media.log({"ok": 2})
    t0 = time.monotonic()
    with pytest.warns(RuntimeWarning, match=r"gave up on 1 value\(s\) not yet written: 'stuck' at step 0"):
        media.finish()
    assert time.monotonic() - t0 < 5
    r = media.open_run(run.dir)
    assert [row["ok"] for row in r.history()] == [1, 2]
    assert r.lost == [("stuck", 0)] and r.status == "finished"
    assert any("gave up" in e for e in r.meta["errors"])


def test_a_crashing_encoder_is_reported_and_the_run_goes_on(root):
    class Boom(Media):
        kind = "boom"

        def _serialize(self, writer):
            raise MemoryError("no memory for this one")

    run = media.init(project="p")
    with pytest.warns(RuntimeWarning, match=r"key 'b' at step 0 failed to serialize: MemoryError"):
        media.log({"b": Boom()})
        media.log({"c": Slow(b"fine")})
        media.finish()
    r = media.open_run(run.dir)
    rows = list(r.history())
    assert rows[0]["b"]["_type"] == "error" and rows[1]["c"]["_type"] == "slow"


# ------------------------------------------------------------------------------------------------
# file modes
# ------------------------------------------------------------------------------------------------


def _modes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode)
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("umask,expected", [(0o022, 0o644), (0o027, 0o640)])
def test_every_file_of_a_run_and_a_site_gets_the_umask_mode(root, tmp_path, umask, expected):
    code = f"""
        import os
        os.umask({umask:#o})
        import numpy as np, media
        src = os.path.join({str(tmp_path)!r}, "ckpt.txt")
        open(src, "w").write("weights")
        run = media.init(project="p", id="m")
        media.log({{"img": media.Image(np.zeros((8, 8, 3), np.uint8), masks={{"m": {{"mask_data": np.zeros((8, 8), np.uint8)}}}}),
                    "imgs": [media.Image(np.zeros((4, 4), np.uint8))] * 2,
                    "t": media.Table(columns=["a"], data=[[1]]), "h": media.Histogram([1, 2, 3])}})
        media.summary["pic"] = media.Image(np.zeros((4, 4), np.uint8))
        media.save(src, base_path={str(tmp_path)!r})
        media.finish()
        from viewer.build import build_site
        build_site([run.dir], os.path.join({str(tmp_path)!r}, "site-{umask:o}"))
    """
    proc = _python(code, root)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    run_modes = _modes(root / "p" / "m")
    site_modes = _modes(tmp_path / f"site-{umask:o}")
    assert {"run.json", "config.json", "summary.json", "history.jsonl", "files/ckpt.txt",
            ".writer.lock"} <= set(run_modes)
    assert any(k.startswith("media/img/") for k in run_modes) and len(site_modes) > 5
    wrong = {k: oct(v) for k, v in {**run_modes, **{"site/" + k: v for k, v in site_modes.items()}}.items()
             if v != expected}
    assert not wrong, wrong


def test_script_exit_with_media_still_queued_writes_them(root):
    proc = _python(
        """
        import numpy as np, media
        media.init(project="p", id="exit")
        for i in range(30):
            media.log({"img": media.Image(np.full((64, 64), i, np.uint8))})
        # no finish(): atexit waits for the encoders
        """,
        root,
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    r = only_run(root)
    assert len(r.media("img")) == 30 and r.lost == [] and r.status == "finished"


# ------------------------------------------------------------------------------------------------
# format 1 runs
# ------------------------------------------------------------------------------------------------


def test_format_1_runs_are_read_and_resumed_in_format_2(root, tmp_path):
    import shutil

    src = REPO / "fixtures" / "runs" / "demo" / "fixture-a"
    assert json.loads((src / "run.json").read_text())["format_version"] == 1
    before = media.open_run(src)
    rows = list(before.history())
    assert rows and before.problems == [] and before.media_keys()
    run_dir = root / "demo" / "fixture-a"
    shutil.copytree(src, run_dir)
    media.init(project="demo", id="fixture-a", resume="allow")
    media.log({"after": 1, "img": media.Image(np.zeros((4, 4), np.uint8))})
    media.finish()
    r = media.open_run(run_dir)
    assert r.format_version == 2 and r.problems == []
    after = list(r.history())
    assert after[: len(rows)] == rows
    assert after[-1]["after"] == 1 and after[-1]["img"]["_type"] == "image"
    assert after[-1]["_step"] == rows[-1]["_step"] + 1


# ------------------------------------------------------------------------------------------------
# regressions found in review: each of these failed before its fix
# ------------------------------------------------------------------------------------------------


class Busy(Media):
    """An encode that works (uses CPU) for ``seconds``: long, but not stuck."""

    kind = "busy"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def _serialize(self, writer: MediaWriter) -> dict:
        end = time.monotonic() + self.seconds
        x = 0
        while time.monotonic() < end:
            x += 1
        return {"_type": self.kind, "path": writer.write_bytes(b"done", ".bin")}


def test_finish_waits_for_a_long_encode_that_is_working(root):
    run = media.init(project="p", settings={"finish_timeout": 0.8})
    media.log({"v": Busy(2.0)})  # works for longer than the timeout: kept, not given up on
    media.finish()
    r = media.open_run(run.dir)
    assert r.lost == [] and not r.meta.get("errors")
    assert r.resolve(next(r.history())["v"]["path"]).read_bytes() == b"done"


def test_a_value_given_up_on_never_appears_later(root):
    run = media.init(project="p", settings={"finish_timeout": 0.3})
    media.log({"s": Slow(b"late", delay=1.0)})
    with pytest.warns(RuntimeWarning, match="gave up"):
        media.finish()
    time.sleep(1.2)  # the stuck encode wakes up after finish
    assert not list(Path(run.dir).rglob("*.bin")) and not list(Path(run.dir).rglob(".*.tmp*"))
    assert media.open_run(run.dir).lost == [("s", 0)]


def test_warnings_as_errors_cannot_kill_the_writer(root):
    proc = _python(
        """
        import warnings
        warnings.simplefilter("error")       # as under python -W error or pytest's filterwarnings
        import numpy as np, media
        from media._base import Media

        class Boom(Media):
            kind = "boom"
            def _serialize(self, writer):
                raise OSError("encoder failed")

        run = media.init(project="p", id="werr", settings={"media_workers": 1, "finish_timeout": 5})
        media.log({"b": Boom()})
        for i in range(5):
            media.log({"img": media.Image(np.full((8, 8), i, np.uint8))})
        media.finish()
        print("finished", flush=True)
        """,
        root,
    )
    out, err = proc.communicate(timeout=60)
    assert "finished" in out, err
    r = media.open_run(root / "p" / "werr")
    assert r.status == "finished" and r.lost == []
    assert [s["_type"] for _, s in r.media("img")] == ["image"] * 5
    assert "encoder failed" in r.meta["errors"][0]


def test_log_from_another_thread_during_finish_is_refused_not_lost(root, monkeypatch):
    run = media.init(project="p")
    media.log({"s": Slow(delay=0.5)})
    outcome = []

    def late() -> None:
        time.sleep(0.15)  # finish() is waiting for the encoders now
        try:
            media.run.log({"img": Slow(b"x")}) if media.run else run.log({"img": Slow(b"x")})
            outcome.append("accepted")
        except media.RunStateError:
            outcome.append("refused")

    t = threading.Thread(target=late)
    t.start()
    media.finish()
    t.join()
    r = media.open_run(run.dir)
    steps = [row["_step"] for row in r.history()]
    if outcome == ["accepted"]:  # it got in before finish() began: then it is whole
        assert steps == [0, 1] and r.lost == []
    else:
        assert outcome == ["refused"] and steps == [0]
    assert r.lost == [] and not r.meta.get("errors")


def test_a_slow_background_summary_write_never_replaces_the_final_one(root, monkeypatch):
    from media import runfolder as rf

    real = rf.atomic_write_json

    def slow_in_housekeeper(path, obj, **kw):
        if Path(path).name == "summary.json" and threading.current_thread().name.endswith("-beat"):
            time.sleep(0.6)
        return real(path, obj, **kw)

    monkeypatch.setattr(rf, "atomic_write_json", slow_in_housekeeper)
    run = media.init(project="p")
    media.log({"loss": 1.0})
    time.sleep(1.1)  # the housekeeper has taken its snapshot and is writing slowly
    media.log({"loss": 0.1})
    media.finish()
    time.sleep(0.7)
    assert json.loads((Path(run.dir) / "summary.json").read_text())["loss"] == 0.1


def test_resume_after_a_crash_replays_rows_the_summary_had_not_caught_up_with(root):
    proc = _python(
        """
        import media
        media.init(project="p", id="lag")
        media.log({"loss": 1.0})
        import time; time.sleep(1.5)       # summary.json now holds loss 1.0
        media.log({"loss": 0.2, "best_acc": 0.9})
        print("ready", flush=True)         # killed before the next summary flush
        time.sleep(60)
        """,
        root,
    )
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    proc.kill()
    proc.communicate(timeout=10)
    media.init(project="p", id="lag", resume="allow")
    media.log({"other": 1})
    media.finish()
    s = media.open_run(root / "p" / "lag").summary
    assert (s["loss"], s["best_acc"], s["other"]) == (0.2, 0.9, 1)


def test_summary_keeps_a_later_plain_value_over_an_earlier_slow_media_value(root):
    run = media.init(project="p")
    media.log({"x": Slow(b"img", delay=0.4)})
    media.log({"x": 5})
    media.finish()
    assert media.open_run(run.dir).summary["x"] == 5


def test_a_file_that_keeps_failing_is_reported_once(root, monkeypatch):
    from media import runfolder as rf

    real = rf.atomic_write_json

    def no_summary(path, obj, **kw):
        if Path(path).name == "summary.json":
            raise OSError(28, "No space left on device")
        return real(path, obj, **kw)

    run = media.init(project="p")  # init itself fails loudly on a disk that refuses its files
    monkeypatch.setattr(rf, "atomic_write_json", no_summary)
    with pytest.warns(RuntimeWarning):
        for i in range(25):
            media.log({"i": i})
            time.sleep(0.1)
        media.finish()
    errors = media.open_run(run.dir).meta["errors"]
    assert sum("summary.json" in e for e in errors) == 1, errors
    assert [row["i"] for row in media.open_run(run.dir).history()] == list(range(25))


def test_a_reader_opened_while_running_sees_the_loss_after_the_crash(root):
    proc = _python(
        """
        import time, media
        from test_writer import Slow
        run = media.init(project="p", id="live")
        media.log({"loss": 1, "s": Slow(delay=60)})
        print("ready", flush=True)
        time.sleep(60)
        """,
        root,
    )
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    r = media.open_run(root / "p" / "live")
    assert r.status == "running" and r.lost == [] and "s" not in next(r.history())
    proc.kill()
    proc.communicate(timeout=10)
    assert r.status == "crashed" and r.lost == [("s", 0)]


def test_format_1_user_keys_named_like_link_fields_are_kept(root):
    run_dir = root / "old" / "v1"
    run_dir.mkdir(parents=True)
    (run_dir / "run.json").write_text(json.dumps({"format_version": 1, "id": "v1", "project": "old",
                                                  "status": "finished", "start_time": 1.0}))
    lines = [{"_step": 0, "_part": "user value", "a": 1}, {"_step": 1, "_commit": 7, "_pending": "x"}]
    (run_dir / "history.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert list(media.open_run(run_dir).history()) == lines
    media.init(project="old", id="v1", resume="allow")
    media.log({"img": Slow(b"new")})
    media.finish()
    r = media.open_run(run_dir)
    rows = list(r.history())
    assert rows[:2] == lines and rows[2]["img"]["_type"] == "slow" and r.problems == []
    assert r.meta["links_from"] > 0 and r.format_version == 2


def test_a_refused_summary_update_writes_no_file(root):
    run = media.init(project="p")
    with pytest.raises(media.MediaValueError, match="summary key 'bad'"):
        media.summary.update({"img": media.Image(np.zeros((4, 4), np.uint8)), "bad": "\udc80"})
    assert not (Path(run.dir) / "media").exists() and "img" not in media.summary
    media.finish()
