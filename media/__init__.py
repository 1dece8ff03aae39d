"""mediaboard's logging side: wandb-compatible names that write a plain run folder on disk.

Example::

    import media as wandb
    run = wandb.init(project="mnist", config={"lr": 1e-3})
    wandb.log({"loss": 0.25, "examples": [wandb.Image(img, caption="Pred: 3")]})
    wandb.finish()

Everything of the writer loads on first use (``init``, ``log``, ``Run``, the media kinds Image,
Audio, Histogram, Table, Video, Object3D, Plotly, Bokeh, Html ...), so ``import media`` stays fast
and a reader of runs (the viewer, ``import media.runfolder``) loads only the run-folder contract:
``media.runfolder``, ``media.stubs`` and ``media.errors``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from media._preinit import _PreInit
from media._version import __version__
from media.errors import (
    FormatError,
    MediaError,
    MediaTypeError,
    MediaValueError,
    NotSupportedError,
    RunStateError,
)
from media.runfolder import RunReader, list_runs, open_run

if TYPE_CHECKING:  # for type checkers and editors; at run time these load on first use
    from media._api import (
        DisabledRun,
        define_metric,
        finish,
        log,
        login,
        save,
        termerror,
        termlog,
        termwarn,
    )
    from media._artifacts import (
        Artifact,
        link_artifact,
        log_artifact,
        log_model,
        use_artifact,
        use_model,
    )
    from media._run import AlertLevel, Run
    from media._session import alert, init
    from media._shim import as_wandb
    from media._sweep import TrialPruned, agent, sweep
    from media._watch import unwatch, watch
    from media.api import Api

#: the active run (set by init(), cleared by finish()); config and summary point into it
run: Any = None
config: Any = _PreInit("config")
summary: Any = _PreInit("summary")

#: writer names -> the module that defines them (media kinds: media._registry.PUBLIC)
_LAZY: dict[str, str] = {
    "init": "media._session", "alert": "media._session", "AlertLevel": "media._run",
    "log": "media._api", "finish": "media._api", "define_metric": "media._api",
    "login": "media._api", "save": "media._api", "DisabledRun": "media._api",
    "termlog": "media._api", "termwarn": "media._api", "termerror": "media._api",
    "Run": "media._run", "Api": "media.api", "watch": "media._watch", "unwatch": "media._watch",
    "as_wandb": "media._shim",
    "sweep": "media._sweep", "agent": "media._sweep", "TrialPruned": "media._sweep",
    "Artifact": "media._artifacts", "log_artifact": "media._artifacts", "use_artifact": "media._artifacts",
    "log_model": "media._artifacts", "use_model": "media._artifacts", "link_artifact": "media._artifacts",
}

__all__ = [
    "AlertLevel", "Api", "Artifact", "Audio", "Bokeh", "Classes", "CustomChart", "DisabledRun", "FormatError",
    "Histogram", "Html", "Image", "MediaError", "MediaTypeError", "MediaValueError", "NotSupportedError",
    "Object3D", "Plotly", "Run", "RunReader", "RunStateError", "Table", "Video", "__version__",
    "TrialPruned", "agent", "alert", "as_wandb", "box3d", "config", "define_metric", "finish", "init",
    "link_artifact", "list_runs", "log", "log_artifact", "log_model", "login", "open_run", "plot",
    "plot_table", "run", "save", "summary", "sweep", "termerror", "termlog", "termwarn", "unwatch",
    "use_artifact", "use_model", "watch",
]

#: wandb names not built here -> what to use instead (accessing one raises NotSupportedError)
_UNSUPPORTED: dict[str, str] = {
    "Molecule": (
        "media.Molecule is not supported: mediaboard has no molecule viewer. Instead log the atoms "
        "as a point cloud, media.Object3D(np.c_[xyz, element_number]) (or (N, 6) xyz + rgb), or a "
        "molecule viewer's page (py3Dmol's write_html(), nglview) as media.Html(...), or keep the "
        "structure file with media.save('molecule.pdb')."
    ),
    "Graph": (
        "media.Graph is not supported (wandb itself deprecates it): log the edges as "
        "media.Table(columns=['source', 'target'], data=edges), or a drawing of the graph as "
        "media.Html(...) (pyvis, networkx + plotly) or media.Image(...)."
    ),
}


def __getattr__(name: str) -> Any:
    if name in _UNSUPPORTED:
        raise NotSupportedError(_UNSUPPORTED[name])
    if name == "plot":  # wandb.plot.line(...): the submodule, loaded on first use
        value = importlib.import_module("media.plot")
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in __all__:  # a media kind (checked before loading the registry: `from media
        from media._registry import load  # import stubs` asks here first)

        value = load(name)
    else:
        raise AttributeError(f"module 'media' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if __import__("os").environ.get("MEDIABOARD_AS_WANDB"):  # opt-in: `import wandb` answered by media
    importlib.import_module("media._shim")._from_environment()
