"""The example GitHub Actions workflow (docs/ci-workflow.yml), run here step by step: its own
logging script makes the baseline and the candidate, and its own `mediaboard ci` command line
compares them. An unchanged candidate passes (exit 0); a regressed one fails (exit 1) with the
regressed image first in the summary."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / "docs" / "ci-workflow.yml"
# the scripts run in a fresh folder: they must find this checkout's media/viewer either way
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
ENV.pop("MEDIABOARD_DIR", None)


def _steps() -> dict[str, str]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return {s.get("name", ""): s.get("run", "") for s in doc["jobs"]["media"]["steps"]}


def _log_script() -> str:
    run = _steps()["Log a run"]
    m = re.search(r"python - <<'EOF'\n(.*?)\nEOF", run, re.S)
    assert m, "the 'Log a run' step no longer holds a python heredoc"
    return m.group(1)


def _ci_argv() -> list[str]:
    run = _steps()["Compare with the baseline"]
    cmd = re.search(r"^mediaboard ci .*?(?=^echo)", run, re.S | re.M)
    assert cmd, "the 'Compare with the baseline' step no longer calls mediaboard ci"
    argv = shlex.split(cmd.group(0).replace("\\\n", " "))
    assert argv[:2] == ["mediaboard", "ci"]
    return argv[2:]


def _log(cwd: Path, run_id: str, script: str) -> None:
    env = dict(ENV, RUN_ID=run_id)
    subprocess.run([sys.executable, "-c", script], cwd=cwd, env=env, check=True, timeout=120)


def _ci(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viewer", "ci", *_ci_argv()], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=120)


def test_workflow_passes_an_unchanged_candidate(tmp_path):
    script = _log_script()
    _log(tmp_path, "baseline", script)
    _log(tmp_path, "candidate", script)
    done = _ci(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASS") == 4 and "FAIL" not in done.stdout
    summary = (tmp_path / "ci-gallery" / "job-summary.md").read_text(encoding="utf-8")
    assert "all rules pass" in summary and "data:" not in summary and "<img" not in summary
    assert (tmp_path / "ci-gallery" / "index.html").is_file()


def test_workflow_fails_a_regressed_candidate(tmp_path):
    script = _log_script()
    _log(tmp_path, "baseline", script)
    # the candidate's model got worse: one sample image inverted, accuracy down
    worse = script.replace("run.summary[\"accuracy\"] = 0.93", "run.summary[\"accuracy\"] = 0.85").replace(
        "for i, im in enumerate(images)]", "for i, im in enumerate(images[:3] + [255 - images[3]] + images[4:])]")
    assert worse.count("0.85") == 1 and "255 - images[3]" in worse
    _log(tmp_path, "candidate", worse)
    done = _ci(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    verdicts = dict(line.split(" ", 1)[::-1] for line in done.stdout.splitlines())
    fails = sorted(k.split(" (")[0] for k, v in verdicts.items() if v == "FAIL")
    assert fails == ["image:examples.ssim>=0.95", "summary.accuracy>=0.9"]
    summary = (tmp_path / "ci-gallery" / "job-summary.md").read_text(encoding="utf-8")
    first = next(line for line in summary.splitlines() if line.startswith("| 1 |"))
    assert "| image | examples |" in first and "item 3" in first
    assert len(summary.encode()) < 1_000_000 and "data:" not in summary
