"""``import wandb`` answered by mediaboard, for code that imports wandb itself (opt-in, never silent).

Three ways to turn it on, each before the code that imports wandb runs:

- ``media.as_wandb()`` in your script, before importing the library that uses wandb;
- ``python -m media._shim script.py [args]`` (or ``python -m media._shim -m module [args]``), which
  runs the script with the shim installed; ``--force`` installs it over a real wandb;
- ``MEDIABOARD_AS_WANDB=1`` in the environment of a process that imports ``media`` (read by
  ``import media``; ``MEDIABOARD_AS_WANDB=force`` as ``force=True``). A process that never imports
  ``media`` is not affected: Python has no hook that reads it without a ``sitecustomize``.

Then ``import wandb`` is a module that forwards every name to ``media`` (``wandb.run`` is always
the active run), ``wandb.X`` imports ``media.X`` and a few wandb paths map elsewhere
(``wandb.keras``, ``wandb.integration.<framework>`` -> ``media.integration.<framework>``,
``wandb.sdk.lib.config_util.ConfigError``). Targets are imported only when the wandb path is, so a
missing integration fails only where it is used.

A real wandb is never shadowed silently: when ``importlib.util.find_spec("wandb")`` finds an
installed package, ``as_wandb()`` raises ``RunStateError`` unless ``force=True``.

Example::

    import media
    media.as_wandb()
    from transformers import Trainer   # Trainer(report_to="wandb") now writes a run folder
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

from media.errors import MediaValueError, RunStateError

#: wandb module paths whose mediaboard module is not at ``media.<same path>``
ALIASES: dict[str, str] = {
    "wandb.keras": "media.integration.keras",
    "wandb.integration.keras": "media.integration.keras",
    "wandb.integration.lightning": "media.integration.lightning",
    "wandb.integration.transformers": "media.integration.transformers",
    "wandb.apis": "media.api",
    "wandb.apis.public": "media.api",
}

#: wandb modules that exist only for the names integrations import from them
_SYNTHETIC: dict[str, dict[str, Any]] = {
    "wandb.sdk": {},
    "wandb.sdk.lib": {},
    # transformers: `from wandb.sdk.lib.config_util import ConfigError` (a config value changed)
    "wandb.sdk.lib.config_util": {"ConfigError": MediaValueError},
}

_ORIGIN = "mediaboard (media._shim)"


class _WandbModule(types.ModuleType):
    """The ``wandb`` module: every name not set on it is looked up on ``media`` at access time."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        import media

        return getattr(media, name)

    def __dir__(self) -> list[str]:
        import media

        return sorted(set(super().__dir__()) | set(dir(media)))


def _target(fullname: str) -> str | None:
    """The mediaboard module that answers the wandb path ``fullname`` (None: there is none)."""
    if fullname in ALIASES:
        return ALIASES[fullname]
    return "media" + fullname[len("wandb"):]


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``wandb`` and ``wandb.*`` from mediaboard; first on ``sys.meta_path`` once installed."""

    def __init__(self) -> None:
        self._real_specs: dict[str, Any] = {}

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname == "wandb" or fullname in _SYNTHETIC:
            return importlib.machinery.ModuleSpec(fullname, self, origin=_ORIGIN, is_package=True)
        if not fullname.startswith("wandb."):
            return None
        name = _target(fullname)
        try:
            found = importlib.util.find_spec(name) if name else None
        except ModuleNotFoundError:  # a parent of the target is missing
            found = None
        if found is None:
            return None  # `import wandb.nothing` fails as usual: No module named 'wandb.nothing'
        return importlib.machinery.ModuleSpec(fullname, self, origin=_ORIGIN,
                                              is_package=found.submodule_search_locations is not None)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        if spec.name == "wandb":
            return _WandbModule("wandb", "wandb answered by mediaboard (media._shim)")
        if spec.name in _SYNTHETIC:
            module = types.ModuleType(spec.name)
            vars(module).update(_SYNTHETIC[spec.name])
            return module
        real = importlib.import_module(_target(spec.name) or "")
        # the import system overwrites __spec__ of the module we return: keep the real one to restore
        self._real_specs[spec.name] = real.__spec__
        return real

    def exec_module(self, module: types.ModuleType) -> None:
        real_spec = self._real_specs.pop(module.__spec__.name if module.__spec__ else "", None)
        if real_spec is not None:
            module.__spec__ = real_spec


def _installed() -> bool:
    return any(isinstance(f, _Finder) for f in sys.meta_path)


def _real_wandb() -> str | None:
    """Where a real wandb is (in sys.modules or installed), or None."""
    loaded = sys.modules.get("wandb")
    if loaded is not None:
        return None if isinstance(loaded, _WandbModule) else str(getattr(loaded, "__file__", loaded))
    spec = importlib.util.find_spec("wandb")
    if spec is None:
        return None
    return str(spec.origin or (list(spec.submodule_search_locations or []) or ["?"])[0])


def as_wandb(force: bool = False) -> None:
    """Make ``import wandb`` (and ``wandb.keras``, ``wandb.integration.*``) resolve to mediaboard.

    Call it before importing the library that imports wandb. Calling it again does nothing. A real
    wandb found by ``importlib.util.find_spec("wandb")`` (or already imported) is never shadowed
    silently: this raises ``RunStateError`` unless ``force=True``.

    Example::

        import media
        media.as_wandb()
        import wandb            # media, under wandb's name
    """
    if _installed():
        return
    real = _real_wandb()
    if real is not None:
        if not force:
            raise RunStateError(
                f"media.as_wandb(): a real wandb is installed ({real}); refusing to shadow it. "
                "Use `import media as wandb` in your code, or media.as_wandb(force=True) to answer "
                "`import wandb` with mediaboard anyway in this process."
            )
        for name in [n for n in sys.modules if n == "wandb" or n.startswith("wandb.")]:
            del sys.modules[name]  # forced: the real one, if imported, is dropped for new imports
    sys.meta_path.insert(0, _Finder())


def _from_environment() -> None:
    """Read by ``import media``: ``MEDIABOARD_AS_WANDB=1`` (or ``force``) installs the shim."""
    value = os.environ.get("MEDIABOARD_AS_WANDB", "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return
    as_wandb(force=value == "force")


def main(argv: list[str] | None = None) -> int:
    """``python -m media._shim [--force] script.py [args]`` or ``... -m module [args]``."""
    import runpy

    args = list(sys.argv[1:] if argv is None else argv)
    force = False
    if args[:1] == ["--force"]:
        force, args = True, args[1:]
    if not args or args[0] in ("-h", "--help") or (args[0] == "-m" and len(args) < 2):
        print("usage: python -m media._shim [--force] (script.py | -m module) [args ...]", file=sys.stderr)
        return 2
    from media._shim import as_wandb as install  # not __main__'s copy: one finder class per process

    try:
        install(force=force)
    except RunStateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args[0] == "-m":
        sys.argv = args[1:]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        sys.path.insert(0, os.path.dirname(os.path.abspath(args[0])))
        runpy.run_path(args[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
