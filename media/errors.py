"""Every error that mediaboard raises on purpose.

The tree::

    MediaError                      base of everything below
    ├── MediaValueError             (also ValueError)  a value has the wrong shape, range or content
    ├── MediaTypeError              (also TypeError)   a value has the wrong type
    ├── RunStateError               (also RuntimeError) the call does not fit the run's state
    │                                                   (log() after finish(), no active run)
    ├── FormatError                 (also ValueError)  a run folder on disk is not one we can read
    └── NotSupportedError           (also AttributeError) a wandb name mediaboard does not build
                                                        (``media.Molecule``, ``media.Graph``)

Messages follow one shape: what was called, what was expected, what was got, then the fix
where there is one, e.g. ``log(): expected a dict of {str: value}; got int (5).``

Every ``MediaError`` has ``key`` and ``step`` attributes (None where unknown): an error that
passes through ``log()`` names the key and step it was raised for, e.g. ``exc.key == "img"``
and ``exc.step == 3``. ``add_context`` sets them on the error in place, so a re-raise keeps its
class, its traceback and its ``__cause__``.

``warn`` is how every mediaboard warning is issued: it points the warning at the first frame
outside the ``media`` package (the user's line), so no call site counts frames.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import FrameType


class MediaError(Exception):
    """Base class of every error mediaboard raises on purpose.

    ``key`` and ``step`` name the logged key and step the error concerns, where known (else None).

    Example::

        try:
            media.log({"img": object()}, step=3)
        except media.MediaError as exc:
            print(exc.key, exc.step)  # img 3
    """

    key: str | None
    step: int | None

    def __init__(self, *args: object, key: str | None = None, step: int | None = None) -> None:
        super().__init__(*args)
        self.key = key
        self.step = step


class MediaValueError(MediaError, ValueError):
    """A value has the wrong shape, range or content."""


class MediaTypeError(MediaError, TypeError):
    """A value has the wrong type."""


class RunStateError(MediaError, RuntimeError):
    """The call does not fit the run's state (for example log() after finish())."""


class FormatError(MediaError, ValueError):
    """A folder is not a run folder this version can read."""


class NotSupportedError(MediaError, AttributeError):
    """A wandb name that mediaboard does not build (``media.Molecule``, ``media.Graph``).

    Also an ``AttributeError``, so ``hasattr(media, "Molecule")`` is False and
    ``getattr(media, "Molecule", None)`` is None, as for any name a module lacks.
    """


def describe(value: object) -> str:
    """Short, safe description of a value for error messages: its type and a clipped repr."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that raises (an int past the digit limit, ...)
        if isinstance(value, int):
            text = f"<an int of {value.bit_length()} bits>"
        else:
            text = f"<{type(value).__name__} whose repr fails>"
    # never carry a lone surrogate into a message (it could not be printed or written)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} ({text})"


def add_context(exc: MediaError, *, key: str | None = None, step: int | None = None,
                replace: tuple[str, str] | None = None, suffix: str = "") -> MediaError:
    """Set ``exc.key`` / ``exc.step`` where not set yet and adjust its message, in place.

    ``replace=(old, new)`` replaces the first ``old`` in the message (``("log(): ", "summary: ")``);
    ``suffix`` is appended after a space. Returns ``exc``, so the caller re-raises the same object
    with a bare ``raise``: class, traceback and ``__cause__`` stay.
    """
    if exc.key is None:
        exc.key = key
    if exc.step is None:
        exc.step = step
    if replace is not None or suffix:
        text = str(exc)
        if replace is not None:
            text = text.replace(replace[0], replace[1], 1)
        if suffix:
            text = f"{text} {suffix}"
        exc.args = (text,)
    return exc


#: where the media package lives: frames whose file is under it are ours, not the user's
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Issue a warning that points at the user's line: the first frame outside ``media/``.

    Used for every mediaboard warning instead of a hand-counted ``stacklevel`` (Python 3.12's
    ``skip_file_prefixes`` does the same, but 3.10 and 3.11 are supported). On a thread that runs
    only mediaboard code (an encoder, the housekeeper) there is no user's line: the warning
    points at the mediaboard line that issued it.
    """
    frame: FrameType | None = sys._getframe(1)
    level = 2  # stacklevel 2: warn()'s caller
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    if frame is None or frame.f_globals.get("__name__") == "threading":
        level = 2  # a mediaboard thread: no user's line to point at
    warnings.warn(message, category, stacklevel=level)
