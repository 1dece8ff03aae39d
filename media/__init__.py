"""mediaboard's logging side: wandb-compatible names that write a plain run folder on disk.

Example::

    import media as wandb
    run = wandb.init(project="mnist", config={"lr": 1e-3})
    wandb.log({"loss": 0.25, "examples": [wandb.Image(img, caption="Pred: 3")]})
    wandb.finish()

The media kinds (Image, Audio, Histogram, Table, Video, Object3D, Plotly, Bokeh, Html) load on first
use, so ``import media`` stays fast.
"""

from __future__ import annotations

from typing import Any

from media._api import (
    DisabledRun,
    _PreInit,
    define_metric,
    finish,
    init,
    log,
    login,
    save,
)
from media._registry import PUBLIC as _PUBLIC
from media._registry import load as _load
from media._version import __version__
from media.api import Api
from media.errors import (
    FormatError,
    MediaError,
    MediaTypeError,
    MediaValueError,
    RunStateError,
)
from media.run import Run
from media.runfolder import RunReader, list_runs, open_run

run: Any = None
config: Any = _PreInit("config")
summary: Any = _PreInit("summary")

__all__ = [
    "Api", "DisabledRun", "FormatError", "MediaError", "MediaTypeError", "MediaValueError",
    "Run", "RunReader", "RunStateError", "__version__", "config", "define_metric", "finish",
    "init", "list_runs", "log", "login", "open_run", "run", "save", "summary", *sorted(_PUBLIC),
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = _load(name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'media' has no attribute {name!r}")
