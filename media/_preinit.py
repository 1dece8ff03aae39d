"""What ``media.config`` and ``media.summary`` are before ``init()``: any use says to call it.

A module of its own so that ``import media`` does not load the writer (``media/__init__.py``)."""

from __future__ import annotations

from typing import Any

from media.errors import RunStateError


class _PreInit:
    """Stands in for media.config / media.summary before init(): any use says to call init()."""

    def __init__(self, what: str) -> None:
        object.__setattr__(self, "_what", what)

    def _fail(self, *_: Any, **__: Any) -> Any:
        raise RunStateError(f"media.{self._what}: no active run; call media.init() first.")

    __getitem__ = __setitem__ = __delitem__ = _fail
    update = keys = items = get = _fail

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self._fail()

    def __setattr__(self, name: str, value: Any) -> None:
        self._fail()

    def __contains__(self, key: object) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<media.{self._what} before init()>"
