"""A run folder is untrusted input: run.json fields of the wrong type, a summary that is not an
object, a config that is not JSON are read around (said so in ``problems``), never a crash of the
readers, the read API or ``mediaboard build``."""

from __future__ import annotations

import json

import media
from media import runfolder as rf


def _hostile_root(tmp_path):
    root = tmp_path / "runs"
    media.init(project="p", id="good", dir=str(root))
    media.log({"loss": 1.0})
    media.finish()
    media.init(project="p", id="bad", dir=str(root))
    media.log({"loss": 2.0})
    media.finish()
    bad = root / "p" / "bad"
    meta = json.loads((bad / "run.json").read_text())
    meta.update(start_time="x", end_time=[1], heartbeat_at="yesterday", tags=5, name={"a": 1}, pid="7",
                status="running")
    (bad / "run.json").write_text(json.dumps(meta))
    (bad / "summary.json").write_text("[1, 2]")
    (bad / "config.json").write_text("{not json")
    return root


def test_readers_read_around_bad_fields(tmp_path):
    root = _hostile_root(tmp_path)
    runs = rf.list_runs(root)  # sorted by start_time: a string there used to raise TypeError
    assert sorted(r.id for r in runs) == ["bad", "good"]
    bad = next(r for r in runs if r.id == "bad")
    assert bad.start_time is None and bad.tags == [] and bad.name is None
    assert bad.status in ("running", "crashed")  # float("yesterday") used to raise
    assert bad.summary["loss"] == 2.0 and bad.config == {}  # the summary of a run without an end: its rows
    assert bad.duration is None
    text = "\n".join(bad.problems)
    for field in ("start_time", "end_time", "heartbeat_at", "tags", "name", "pid", "summary.json", "config.json"):
        assert field in text, (field, text)


def test_api_and_build_survive_a_hostile_run(tmp_path):
    from viewer.build import build_site

    root = _hostile_root(tmp_path)
    assert sorted(r.id for r in media.Api(root=str(root)).runs("p")) == ["bad", "good"]
    stats = build_site([root], tmp_path / "site")
    assert stats.runs == 2
    assert (tmp_path / "site" / "index.html").is_file()

