"""``run.config``: the run's hyperparameters, with attribute and item access, saved on every change.

Example::

    run = media.init(config={"lr": 1e-3})
    media.config.epochs = 4
    media.config.update(argparse_namespace)
    media.config["lr"]
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path, PurePath
from typing import Any, cast

from media import runfolder as rf
from media._base import Media
from media.errors import MediaError, MediaTypeError, MediaValueError, add_context, describe

DEFAULTS_FILE = "config-defaults.yaml"


def to_jsonable(value: Any, *, where: str) -> Any:
    """``value`` as JSON-safe data: numpy scalars/arrays, Paths, enums, tuples and sets convert.

    ``where`` names the place for errors (``"config key 'lr'"``). Media values and objects that have
    no JSON form raise MediaTypeError naming the place and the type.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        # np.float64 is a float; .item() gives the plain Python number
        return cast(Any, value).item() if type(value).__module__ == "numpy" else value
    if isinstance(value, Media):
        raise MediaTypeError(
            f"{where}: expected a plain value (number, string, list, dict); got a media value "
            f"({type(value).__name__}): media values cannot go in the config; log them with "
            f"media.log() or put them in run.summary."
        )
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, (str, int, float, bool)):
                raise MediaTypeError(f"{where}: expected string keys; got key {describe(k)}.")
            out[str(k)] = to_jsonable(v, where=f"{where}/{k}")
        return out
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, where=f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        items = [to_jsonable(v, where=f"{where}{{}}") for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value, where=where)
    if isinstance(value, PurePath):
        return str(value)
    mod = type(value).__module__ or ""
    if mod == "numpy" or mod.startswith("torch") or hasattr(value, "tolist"):
        try:
            from media._arrays import to_numpy

            arr = to_numpy(value, what=where)
            return to_jsonable(arr.tolist(), where=where) if arr.ndim else arr.item()
        except (MediaTypeError, TypeError, ValueError):
            pass
    if hasattr(value, "__dict__") and type(value).__name__ == "Namespace":
        return to_jsonable(vars(value), where=where)
    raise MediaTypeError(
        f"{where}: expected a JSON-serializable value (number, string, bool, None, list, dict, "
        f"numpy value, Path or Enum); got {describe(value)}."
    )


def as_mapping(source: Any, *, what: str) -> dict[str, Any]:
    """A dict from a mapping, an argparse/absl Namespace or any object with ``__dict__`` values."""
    if source is None:
        return {}
    if isinstance(source, Mapping):
        return dict(source)
    if hasattr(source, "__dict__") and not isinstance(source, type):
        return {k: v for k, v in vars(source).items() if not k.startswith("_")}
    raise MediaTypeError(f"{what}: expected a dict, a mapping or an argparse.Namespace; got {describe(source)}.")


def load_yaml(path: str | os.PathLike[str], *, what: str) -> dict[str, Any]:
    """Read a config YAML file, in the plain ``{key: value}`` form or ``{key: {desc, value}}``."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise MediaValueError(f"{what}: expected a YAML file; got {str(p)!r}, which does not exist.")
    with open(p, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    if not isinstance(data, dict):
        raise MediaValueError(f"{what}: expected {str(p)!r} to hold a mapping; got {type(data).__name__}.")
    out: dict[str, Any] = {}
    for k, v in data.items():
        if k == "wandb_version" or k == "_wandb":
            continue
        if isinstance(v, dict) and "value" in v and set(v) <= {"value", "desc"}:
            v = v["value"]
        out[str(k)] = v
    return out


def resolve_init_config(config: Any) -> dict[str, Any]:
    """The dict for ``init(config=...)``: a dict, a Namespace, a YAML path, or ``{"yaml", "params"}``."""
    if config is None:
        return {}
    if isinstance(config, (str, os.PathLike)):
        return load_yaml(config, what="init(): config")
    data = as_mapping(config, what="init(): config")
    if "yaml" in data and isinstance(data["yaml"], (str, os.PathLike)) and set(data) <= {"yaml", "params"}:
        merged = load_yaml(data["yaml"], what="init(): config['yaml']")
        merged.update(as_mapping(data.get("params"), what="init(): config['params']"))
        return merged
    return data


class Config:
    """Dict-like config with attribute access; every change is passed to ``on_change``.

    The run uses ``as_dict`` and two methods of its own, and touches nothing else inside it:
    ``_load`` (a resumed run's config, not saved again) and ``_set_on_change``. They start with an
    underscore so that they never hide a config key: ``config.load`` is the key "load".
    """

    def __init__(self, on_change: Callable[[dict[str, Any]], None] | None = None) -> None:
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_on_change", on_change)

    # -- mapping protocol -------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        if key not in self._items:
            raise KeyError(key)
        new = dict(self._items)
        del new[key]
        self._commit(new)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Config({self._items!r})"

    def keys(self):  # noqa: ANN201 - mirrors dict
        return self._items.keys()

    def items(self):  # noqa: ANN201
        return self._items.items()

    def values(self):  # noqa: ANN201
        return self._items.values()

    def get(self, key: str, default: Any = None) -> Any:
        return self._items.get(key, default)

    def as_dict(self) -> dict[str, Any]:
        """A copy of the config as a plain dict."""
        import copy

        return copy.deepcopy(self._items)

    # -- attribute access -------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self.update({name: value})

    def __delattr__(self, name: str) -> None:
        del self[name]

    # -- updates ---------------------------------------------------------------------------------
    def update(self, data: Any = None, allow_val_change: bool | None = None, **kwargs: Any) -> None:
        """Merge a dict, mapping or argparse.Namespace (and keyword arguments) into the config."""
        del allow_val_change  # accepted for wandb compatibility; values may always change
        items = as_mapping(data, what="config.update()")
        items.update(kwargs)
        converted = {}
        for k, v in items.items():
            if not isinstance(k, str):
                raise MediaTypeError(f"config.update(): expected string keys; got key {describe(k)}.")
            where = f"config key {k!r}"
            try:
                rf.check_storable(k, where="config.update(): key")
                converted[k] = to_jsonable(v, where=where)
                rf.check_storable(converted[k], where=where)
            except RecursionError:
                raise MediaValueError(
                    f"{where}: expected a value the run folder can store; got a circular or too "
                    f"deeply nested structure ({type(v).__name__}).", key=k
                ) from None
            except MediaError as exc:
                add_context(exc, key=k)  # a refusal names its key (exc.key)
                raise
        if not converted:
            return
        new = dict(self._items)
        new.update(converted)
        self._commit(new)

    def setdefaults(self, data: Mapping[str, Any]) -> None:
        """Set keys that are not set yet (used for config-defaults.yaml)."""
        missing = {k: v for k, v in data.items() if k not in self._items}
        if missing:
            self.update(missing)

    def _commit(self, new: dict[str, Any]) -> None:
        """Make ``new`` the config: saved first (``on_change``), then kept in memory, so a change
        that cannot be saved leaves the previous state in both."""
        if self._on_change is not None:
            self._on_change(new)
        object.__setattr__(self, "_items", new)

    def _load(self, items: dict[str, Any]) -> None:
        """Replace the items without saving (a resumed run's config, read from disk)."""
        object.__setattr__(self, "_items", dict(items))

    def _set_on_change(self, on_change: Callable[[dict[str, Any]], None] | None) -> None:
        object.__setattr__(self, "_on_change", on_change)
