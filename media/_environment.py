"""Code and environment, recorded at ``init`` in a thread of its own (``init`` does not wait):

- ``run.json`` ``environment``: ``python`` (version, implementation, executable), ``os`` (system,
  release, platform string), ``machine`` (architecture, CPU count, hostname), ``args`` (the command
  line), ``cwd``, ``gpus`` (NVIDIA device names through NVML, when present), and ``git`` (``remote``
  URL without credentials, ``commit``, ``branch``, ``dirty``) when the working directory is in a
  git repository;
- ``files/requirements.txt``: the installed distributions as ``name==version``, sorted;
- ``files/diff.patch``: ``git diff HEAD`` when the tree is dirty (capped at 10 MB).

Settings turn each off: ``init(settings={"record_environment": 0, "record_git": 0,
"record_packages": 0})`` or ``MEDIABOARD_RECORD_ENVIRONMENT`` etc. = 0.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_DIFF_BYTES = 10 * 1024 * 1024
GIT_TIMEOUT_SECONDS = 5.0


def _git(args: list[str], cwd: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_SECONDS,
                             env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.decode("utf-8", "replace")


def _no_credentials(url: str) -> str:
    """A remote URL without a user or token (``https://user:token@host/...`` -> ``https://host/...``)."""
    return re.sub(r"^([a-z+]+://)[^@/]*@", r"\1", url.strip())


def git_info(cwd: str) -> tuple[dict[str, Any] | None, bytes | None]:
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top is None:
        return None, None
    info: dict[str, Any] = {"root": top.strip()}
    commit = _git(["rev-parse", "HEAD"], cwd)
    info["commit"] = commit.strip() if commit else None
    branch = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd)
    info["branch"] = branch.strip() if branch else None
    remote = _git(["config", "--get", "remote.origin.url"], cwd)
    info["remote"] = _no_credentials(remote) if remote else None
    status = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    info["dirty"] = bool(status and status.strip())
    diff = None
    if info["dirty"]:
        text = _git(["diff", "HEAD"], cwd)
        if text:
            diff = text.encode("utf-8")[:MAX_DIFF_BYTES]
    return info, diff


def packages() -> str:
    from importlib import metadata

    seen: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name and name.lower() not in seen:
            seen[name.lower()] = f"{name}=={dist.version}"
    return "".join(line + "\n" for _, line in sorted(seen.items()))


def gpu_names() -> list[str]:
    try:
        import pynvml

        pynvml.nvmlInit()
        try:
            return [str(pynvml.nvmlDeviceGetName(pynvml.nvmlDeviceGetHandleByIndex(i)))
                    for i in range(pynvml.nvmlDeviceGetCount())]
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # no library, no driver, no device
        return []


def describe_environment() -> dict[str, Any]:
    return {
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation(),
                   "executable": sys.executable},
        "os": {"system": platform.system(), "release": platform.release(), "platform": platform.platform()},
        "machine": {"arch": platform.machine(), "cpu_count": os.cpu_count(), "hostname": platform.node()},
        "args": list(sys.argv),
        "cwd": os.getcwd(),
        "gpus": gpu_names(),
    }


class Recorder:
    """Gathers the environment in a daemon thread; ``done(meta_update, save_file)`` hands the
    results to the run (which writes them). ``join(timeout)`` at finish."""

    def __init__(self, *, environment: bool, git: bool, packages_: bool, cwd: str,
                 done: Callable[[dict[str, Any], dict[str, bytes]], None], name: str) -> None:
        self._want = (environment, git, packages_)
        self._cwd = cwd
        self._done = done
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def begin(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _run(self) -> None:
        environment, git, packages_ = self._want
        meta: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        try:
            if environment:
                meta = describe_environment()
            if git:
                info, diff = git_info(self._cwd)
                if info is not None:
                    meta["git"] = info
                if diff:
                    files["diff.patch"] = diff
            if packages_:
                files["requirements.txt"] = packages().encode("utf-8")
        except Exception as exc:  # never let a probe of the machine hurt the run
            meta["error"] = f"{type(exc).__name__}: {exc}"
        self._done(meta, files)


def run_folder_file(path: Path, name: str, data: bytes) -> None:
    from media import runfolder as rf

    target = path / rf.FILES_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    rf.atomic_write_bytes(target, data, fsync=False)
