"""Fixtures and read-back helpers for the compatibility suite.

Every snippet runs in its own run root: the autouse fixture below builds on ``root`` from
``tests/conftest.py`` (MEDIABOARD_DIR set to a fresh folder, the working directory moved there,
the WANDB_*/MEDIABOARD_* variables init() reads removed, any run left open finished at teardown)
and also removes the server-side WANDB_* variables a developer's shell may carry, and closes
matplotlib figures a snippet left open.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import media

#: variables about a server or an account: init() ignores them, but a snippet must not see them
_SERVER_VARS = ("WANDB_API_KEY", "WANDB_ENTITY", "WANDB_BASE_URL", "WANDB_DIR", "WANDB_CONSOLE")


@pytest.fixture(autouse=True)
def run_root(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The snippet's own run root (``root`` from tests/conftest.py), with a clean environment."""
    for name in _SERVER_VARS:
        monkeypatch.delenv(name, raising=False)
    yield root
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is a dev dependency
        return
    plt.close("all")


def runs(root: Path) -> list[media.RunReader]:
    """Every run under ``root``, oldest first."""
    return sorted(media.list_runs(root), key=lambda r: r.meta.get("start_time") or 0)


def one_run(root: Path) -> media.RunReader:
    """The single run under ``root`` (fails the test if there is not exactly one)."""
    found = media.list_runs(root)
    assert len(found) == 1, [str(r.path) for r in found]
    return found[0]


def rows(run: media.RunReader) -> list[dict[str, Any]]:
    """The run's history rows, media merged in, in step order."""
    return list(run.history())


def column(run: media.RunReader, key: str) -> list[Any]:
    """The values of ``key`` in the rows that have it, in step order."""
    return [r[key] for r in rows(run) if key in r]


def png(run: media.RunReader, stub: dict[str, Any]):
    """The image file of an ``image`` stub, decoded by Pillow (and fully loaded)."""
    from PIL import Image

    assert stub["_type"] == "image", stub
    im = Image.open(run.resolve(stub["path"]))
    im.load()
    return im


def table(run: media.RunReader, stub: dict[str, Any]) -> dict[str, Any]:
    """The JSON file of a ``table`` stub: ``{"columns": [...], "data": [[...], ...]}``."""
    assert stub["_type"] == "table", stub
    return json.loads(run.resolve(stub["path"]).read_text(encoding="utf-8"))


def items(stub: dict[str, Any]) -> list[dict[str, Any]]:
    """The stubs of a ``media-list`` stub, or the stub itself as a list of one."""
    return stub["items"] if stub.get("_type") == "media-list" else [stub]
