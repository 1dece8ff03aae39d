"""The run keeps its console: ``sys.stdout`` and ``sys.stderr`` are teed (everything still reaches
the terminal) into the run's ``console.jsonl``, one JSON object per complete line with the time,
the run's step and the stream. Each line is appended with one ``os.write`` as soon as it is
complete, so a crash keeps every line printed before it. Carriage-return progress bars are
collapsed: of a line rewritten with ``\\r``, only its last state is kept.

Python-level writes only (``print``, ``logging`` to a stream, tqdm); output written by C code
straight to the file descriptors is not seen. Off with ``init(settings={"console_log": 0})`` or
``MEDIABOARD_CONSOLE_LOG=0``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

MAX_LINE = 64 * 1024  # characters kept of one line (a runaway line without newline is cut)


class _Tee:
    """A text stream that writes to ``inner`` and hands complete lines to ``sink``."""

    def __init__(self, inner: Any, stream: str, sink: Callable[[str, str], None]) -> None:
        self._inner, self._stream, self._sink = inner, stream, sink
        self._partial = ""
        self._lock = threading.Lock()

    def write(self, s: str) -> int:
        n = self._inner.write(s)
        try:
            self._take(s)
        except Exception:  # the console log must never break the program's output
            pass
        return n if isinstance(n, int) else len(s)

    def _take(self, s: str) -> None:
        if not isinstance(s, str) or not s:
            return
        with self._lock:
            text = self._partial + s
            lines = text.split("\n")
            self._partial = lines.pop()
            for line in lines:
                self._sink(self._stream, _last_state(line))
            if "\r" in self._partial:
                self._partial = _last_state(self._partial, keep_empty_tail=True)
            if len(self._partial) > MAX_LINE:
                self._sink(self._stream, self._partial[:MAX_LINE])
                self._partial = ""

    def flush_partial(self) -> None:
        with self._lock:
            if self._partial.strip():
                self._sink(self._stream, _last_state(self._partial))
            self._partial = ""

    def flush(self) -> None:
        self._inner.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, ...: the real stream's
        return getattr(self._inner, name)


def _last_state(line: str, keep_empty_tail: bool = False) -> str:
    """What a terminal shows of a line rewritten with carriage returns: its last non-empty state."""
    if "\r" not in line:
        return line[:MAX_LINE]
    parts = line.split("\r")
    if keep_empty_tail:
        return parts[-1] if parts[-1] else "\r".join(parts[-2:])
    for part in reversed(parts):
        if part:
            return part[:MAX_LINE]
    return ""


class Console:
    """Tees stdout and stderr into ``path`` until ``stop()``; ``step()`` gives the run's step."""

    def __init__(self, path: Any, step: Callable[[], int], on_error: Callable[[str], None]) -> None:
        self._path, self._step, self._on_error = path, step, on_error
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._tees: list[tuple[str, _Tee, Any]] = []

    def start(self) -> None:
        try:
            self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as exc:
            self._on_error(f"the console is not kept: {self._path.name} could not be opened ({exc})")
            return
        for name in ("stdout", "stderr"):
            inner = getattr(sys, name)
            if inner is None:
                continue
            tee = _Tee(inner, name, self._line)
            self._tees.append((name, tee, inner))
            setattr(sys, name, tee)

    def _line(self, stream: str, text: str) -> None:
        fd = self._fd
        if fd is None:
            return
        rec = {"t": round(time.time(), 3), "step": self._step(), "stream": stream, "line": text}
        data = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
        with self._lock:
            try:
                os.write(fd, data)
            except OSError as exc:
                self._fd = None
                self._on_error(f"the console is no longer kept: {exc}")

    def stop(self) -> None:
        for name, tee, inner in self._tees:
            tee.flush_partial()
            if getattr(sys, name) is tee:  # put the stream back (unless someone replaced it since)
                setattr(sys, name, inner)
        self._tees = []
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
