"""Shared fixtures: every test writes under its own tmp_path, never into the working tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import media


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh run root: MEDIABOARD_DIR points at it and the working directory is tmp_path.

    Any run left active by the test is finished at teardown.
    """
    runs = tmp_path / "runs"
    monkeypatch.setenv("MEDIABOARD_DIR", str(runs))
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.delenv("MEDIABOARD_MODE", raising=False)
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
