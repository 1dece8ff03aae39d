"""Shared fixtures: every test writes under its own tmp_path, never into the working tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import media

# Runs made by tests do not record the git state and the installed packages (media/_environment.py:
# a git diff of the working tree and a package list at every init would slow the suite); the tests
# of that recording turn them on with init(settings=...), which wins over these.
os.environ["MEDIABOARD_RECORD_GIT"] = "0"
os.environ["MEDIABOARD_RECORD_PACKAGES"] = "0"
# nor tee the console (pytest swaps sys.stdout around each test); tests/media/test_console.py runs
# real scripts in child processes with it on
os.environ["MEDIABOARD_CONSOLE_LOG"] = "0"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh run root: MEDIABOARD_DIR points at it and the working directory is tmp_path.

    Any run left active by the test is finished at teardown.
    """
    runs = tmp_path / "runs"
    monkeypatch.setenv("MEDIABOARD_DIR", str(runs))
    for suffix in ("MODE", "PROJECT", "NAME", "NOTES", "TAGS", "RUN_GROUP", "JOB_TYPE", "RUN_ID",
                   "RESUME", "SILENT", "DISABLED"):  # init() reads them (media._session)
        monkeypatch.delenv("WANDB_" + suffix, raising=False)
        monkeypatch.delenv("MEDIABOARD_" + suffix, raising=False)
    monkeypatch.chdir(tmp_path)
    yield runs
    media.finish()


def only_run(root: Path) -> media.RunReader:
    """The single run under ``root`` (fails the test if there is not exactly one)."""
    runs = media.list_runs(root)
    assert len(runs) == 1, [str(r.path) for r in runs]
    return runs[0]


@pytest.fixture
def log_one(root: Path):
    """``log_one({"k": value})`` logs one row in a fresh run, finishes it, and returns the reader."""

    def _log(data: dict, **init_kwargs) -> media.RunReader:
        run = media.init(project="t", **init_kwargs)
        media.log(data)
        media.finish()
        return media.open_run(run.dir)

    return _log


os.environ.setdefault("MPLBACKEND", "Agg")


def site_shards(site, run: str | None = None, key: str | None = None):
    """Every media shard entry of a built site, as (run key, media key, chunk, entries), in file and
    chunk order. A shard file (data/<run>/s/<group>/<chunk>.js) holds one MB.data.shard(...) line
    per media key of its group."""
    import json
    import re
    from pathlib import Path

    out = []
    files = sorted(Path(site).glob("data/*/s/*/*.js"), key=lambda p: (p.parts[-4], int(p.parts[-2]), int(p.stem)))
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            m = re.match(r'MB\.data\.shard\((".*?"),(".*?"),(\d+),(.*)\);$', line)
            assert m, f"{f}: not a shard call: {line[:80]}"
            r, k = json.loads(m.group(1)), json.loads(m.group(2))
            if (run is None or r == run) and (key is None or k == key):
                out.append((r, k, int(m.group(3)), json.loads(m.group(4))))
    return out
