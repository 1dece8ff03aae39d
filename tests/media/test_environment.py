"""Code and environment recorded at init (media/_environment.py): run.json's environment, git
state, files/requirements.txt and files/diff.patch; each off with one setting."""

from __future__ import annotations

import json
import platform
import subprocess
import sys

import pytest

import media
from media import runfolder as rf

ALL_ON = {"record_environment": 1, "record_git": 1, "record_packages": 1, "system_interval": 0}


def _git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository with one commit, a remote with credentials, and an uncommitted change."""
    repo = tmp_path / "code"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    (repo / "train.py").write_text("lr = 0.1\n")
    _git(repo, "add", "train.py")
    _git(repo, "commit", "-q", "-m", "first")
    _git(repo, "remote", "add", "origin", "https://user:secret-token@example.com/team/code.git")
    (repo / "train.py").write_text("lr = 0.2\n")
    monkeypatch.chdir(repo)
    return repo


def test_environment_git_and_packages_are_recorded(repo, tmp_path):
    run = media.init(project="p", dir=str(tmp_path / "runs"), settings=ALL_ON)
    media.log({"x": 1})
    media.finish()
    folder = tmp_path / "runs" / "p" / run.id
    env = json.loads((folder / rf.RUN_JSON).read_text())["environment"]
    assert env["python"]["version"] == platform.python_version()
    assert env["os"]["system"] == platform.system() and env["args"] == sys.argv
    assert env["machine"]["cpu_count"] >= 1 and env["cwd"] == str(repo)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    assert env["git"] == {"root": str(repo), "commit": head, "branch": "main",
                          "remote": "https://example.com/team/code.git", "dirty": True}  # no token
    diff = (folder / "files" / "diff.patch").read_text()
    assert "-lr = 0.1" in diff and "+lr = 0.2" in diff
    reqs = (folder / "files" / "requirements.txt").read_text().splitlines()
    names = [line.split("==")[0].lower() for line in reqs]
    assert "numpy" in names and names == sorted(names)


@pytest.mark.parametrize("off, gone", [("record_git", "git"), ("record_environment", "python"),
                                       ("record_packages", "requirements")])
def test_each_part_turns_off_with_one_setting(repo, tmp_path, off, gone):
    run = media.init(project="p", dir=str(tmp_path / "runs"), settings={**ALL_ON, off: 0})
    media.finish()
    folder = tmp_path / "runs" / "p" / run.id
    env = json.loads((folder / rf.RUN_JSON).read_text()).get("environment", {})
    if gone == "requirements":
        assert not (folder / "files" / "requirements.txt").exists() and "git" in env
    else:
        assert gone not in env
    if off == "record_git":
        assert not (folder / "files" / "diff.patch").exists()


def test_outside_a_git_repository_there_is_no_git_entry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = media.init(project="p", dir=str(tmp_path / "runs"), settings=ALL_ON)
    media.finish()
    env = json.loads((tmp_path / "runs" / "p" / run.id / rf.RUN_JSON).read_text())["environment"]
    assert "git" not in env and env["python"]["implementation"] == platform.python_implementation()
