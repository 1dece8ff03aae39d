"""The base class every media kind derives from, and the writer protocol it serializes through.

A media value is built without a run: its constructor validates and normalises the input and keeps
the data in memory. When the run commits a row, its background worker calls
``value._serialize(writer)``; the value writes its files through the writer and returns the JSON
stub that goes in the history row. The value never learns its run, key or step: the writer knows
where files go (see ``media.runfolder.MediaWriter``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from media.runfolder import MediaWriter


class Media:
    """Base of every media kind (Image, Audio, Histogram, ...).

    Subclasses set ``kind`` (the ``_type`` written in the stub) and implement ``_serialize``.
    """

    kind: ClassVar[str] = "media"

    def _serialize(self, writer: MediaWriter) -> dict[str, Any]:
        """Write this value's files through ``writer`` and return its JSON-safe stub.

        The stub must contain ``"_type": self.kind``; paths in it are relative to the run folder,
        as returned by the writer. Only I/O may fail here: validation belongs in ``__init__``.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement _serialize")

    def _at_log(self) -> Media:
        """The value the run keeps when this one is logged: ``self`` for kinds that cannot change
        after construction; a mutable kind (Table) returns a snapshot, so changes made after
        ``log()`` never reach the worker that serializes it later."""
        return self

    def _accepted(self) -> None:
        """Called by ``log()`` on each value it took (every check passed), never on the values of
        a refused call: an INCREMENTAL Table counts its rows as logged only then."""

    # Media objects compare by identity; they are never dict keys in user data.
    def __repr__(self) -> str:
        caption = getattr(self, "caption", None)
        extra = f" caption={caption!r}" if caption else ""
        return f"<{type(self).__name__}{extra}>"
