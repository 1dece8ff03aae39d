"""Every error that mediaboard raises on purpose.

The tree::

    MediaError                      base of everything below
    ├── MediaValueError             (also ValueError)  a value has the wrong shape, range or content
    ├── MediaTypeError              (also TypeError)   a value has the wrong type
    ├── RunStateError               (also RuntimeError) the call does not fit the run's state
    │                                                   (log() after finish(), no active run)
    └── FormatError                 (also ValueError)  a run folder on disk is not one we can read

Messages follow one shape: what was called, what was expected, what was got, then the fix
where there is one, e.g. ``log(): expected a dict of {str: value}; got int (5).``
"""

from __future__ import annotations


class MediaError(Exception):
    """Base class of every error mediaboard raises on purpose."""


class MediaValueError(MediaError, ValueError):
    """A value has the wrong shape, range or content."""


class MediaTypeError(MediaError, TypeError):
    """A value has the wrong type."""


class RunStateError(MediaError, RuntimeError):
    """The call does not fit the run's state (for example log() after finish())."""


class FormatError(MediaError, ValueError):
    """A folder is not a run folder this version can read."""


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
