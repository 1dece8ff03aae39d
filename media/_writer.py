"""The writer's low-level pieces: the run lock, the history appender, and the encoder pool.

None of these knows about steps or media kinds; ``media._run.Run`` puts them together.

- ``RunLock``: one writing process per run folder (``flock`` on ``.writer.lock``; the kernel drops
  it when the holder dies, so a crashed holder's lock is simply taken over).
- ``History``: appends whole lines to ``history.jsonl``. A short write is cut off again at once
  and a torn tail left by a crash is cut off on open, so a later line is never glued onto a
  fragment. Lines the disk refuses (full disk, quota, file size limit) stay in memory and are
  written first by the next append that succeeds.
- ``Encoders``: daemon threads that run media encoding jobs; callers bound the bytes waiting.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from media import runfolder as rf
from media.errors import RunStateError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: rows the disk refused that are kept in memory for the next append (beyond this, oldest dropped)
MAX_BACKLOG_BYTES = 64 * 1024 * 1024


class RunLock:
    """An exclusive lock on one run folder for the life of its writer.

    Example::

        lock = RunLock.acquire(run_dir, run_id="ab12cd34")   # RunStateError if another process has it
        ...
        lock.release()
    """

    def __init__(self, fd: int | None, path: Path) -> None:
        self.fd = fd
        self.path = path

    @classmethod
    def acquire(cls, run_dir: Path, *, run_id: str) -> RunLock:
        path = Path(run_dir) / rf.LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), rf.file_mode())
        if fcntl is None:  # pragma: no cover
            return cls(fd, path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise RunStateError(
                f"init(): run {run_id!r} at {str(run_dir)!r} is being written by another process "
                f"({holder}); one process writes a run at a time. Finish that run first, or pass "
                f"another id."
            ) from None
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                os.close(fd)
                raise
            # A filesystem without locks: write the holder anyway, but nothing is enforced.
        info = {"host": socket.gethostname(), "pid": os.getpid(), "since": time.time()}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        except OSError:
            pass
        return cls(fd, path)

    def release(self) -> None:
        if self.fd is not None:
            try:
                os.close(self.fd)  # closing drops the flock
            except OSError:
                pass
            self.fd = None


@contextlib.contextmanager
def waiting_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (made if missing) for a ``with`` block, waiting
    for another holder to finish: unlike ``RunLock``, which refuses a second writer of a run,
    this serialises short critical sections (numbering an artifact version). The kernel drops
    it when the holder dies."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), rf.file_mode())
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError as exc:  # a filesystem without locks: nothing is enforced
                if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                    raise
        yield
    finally:
        os.close(fd)  # closing drops the flock


def _read_holder(fd: int) -> str:
    for _ in range(20):  # the holder writes its name right after taking the lock
        try:
            raw = os.pread(fd, 4096, 0)
            info = json.loads(raw)
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info["since"])))
            return f"host {info['host']}, pid {info['pid']}, since {since}"
        except (OSError, ValueError, KeyError, TypeError):
            time.sleep(0.005)
    return "holder unknown: it is starting"


class History:
    """Whole-line appends to one ``history.jsonl``; the caller serialises calls (the run's lock).

    ``append`` returns None when the bytes (and any earlier backlog) are on disk, else the
    OSError that kept them in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(
            path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o666
        )
        self.size = os.fstat(self.fd).st_size
        self.backlog: list[bytes] = []
        self.backlog_bytes = 0
        self.dropped = 0
        self._needs_cut = False
        #: bytes of a torn last line removed on open (a crash mid-write in an earlier session)
        self.repaired = self._cut_torn_tail()

    def _cut_torn_tail(self) -> int:
        if self.size == 0:
            return 0
        end = self.size
        chunk = 65536
        pos = end
        while pos > 0:
            start = max(0, pos - chunk)
            data = os.pread(self.fd, pos - start, start)
            if pos == end and data.endswith(b"\n"):
                return 0
            nl = data.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                break
            pos = start
        else:
            keep = 0
        os.ftruncate(self.fd, keep)
        self.size = keep
        return end - keep

    @property
    def unwritten(self) -> bool:
        """True while lines the disk refused wait in memory, or a cut-off fragment is still on disk."""
        return bool(self.backlog) or self._needs_cut

    def append(self, line: bytes) -> OSError | None:
        if self.fd < 0:
            return OSError(errno.EBADF, "history is closed")
        if self._needs_cut:
            try:
                os.ftruncate(self.fd, self.size)
                self._needs_cut = False
            except OSError as exc:
                self._keep(line)
                return exc
        if self.backlog:
            data = b"".join(self.backlog) + line
        else:
            data = line
        try:
            n = os.write(self.fd, data)
        except OSError as exc:  # nothing was written: keep it all for the next append
            self.backlog = [data]
            self.backlog_bytes = len(data)
            self._trim()
            return exc
        if n == len(data):
            self.size += n
            self.backlog = []
            self.backlog_bytes = 0
            return None
        # A short write (full disk, file size limit): keep the whole lines that made it, cut off
        # the fragment, keep the rest in memory.
        whole = data.rfind(b"\n", 0, n) + 1
        self.size += whole
        try:
            os.ftruncate(self.fd, self.size)
        except OSError:
            self._needs_cut = True
        rest = data[whole:]
        self.backlog = [rest]
        self.backlog_bytes = len(rest)
        self._trim()
        return OSError(errno.ENOSPC, f"short write ({n} of {len(data)} bytes)")

    def _keep(self, line: bytes) -> None:
        self.backlog.append(line)
        self.backlog_bytes += len(line)
        self._trim()

    def _trim(self) -> None:
        while self.backlog_bytes > MAX_BACKLOG_BYTES and self.backlog:
            data = b"".join(self.backlog)
            cut = data.find(b"\n", len(data) - MAX_BACKLOG_BYTES) + 1
            self.dropped += data[:cut].count(b"\n")
            self.backlog = [data[cut:]]
            self.backlog_bytes = len(self.backlog[0])

    def close(self) -> None:
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1


class Encoders:
    """A pool of daemon threads that run ``job()`` callables, started on first use.

    Daemon threads (not ``concurrent.futures``) so that work queued at interpreter exit, when
    ``atexit`` finishes the run, still runs. ``job`` must not raise (the run wraps each one);
    if one does, the thread survives and the exception is passed to ``on_crash``."""

    def __init__(self, workers: int, name: str, on_crash: Callable[[BaseException], None]) -> None:
        self.workers = max(1, int(workers))
        self.name = name
        self.on_crash = on_crash
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._tids: list[int] = []

    def submit(self, job: Callable[[], None]) -> None:
        if len(self._threads) < self.workers:
            t = threading.Thread(
                target=self._loop, name=f"{self.name}-{len(self._threads)}", daemon=True
            )
            self._threads.append(t)
            t.start()
        self._queue.put(job)

    def _loop(self) -> None:
        self._tids.append(threading.get_native_id())
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                job()
            except BaseException as exc:  # noqa: BLE001 - nothing may kill an encoder thread
                try:
                    self.on_crash(exc)
                except BaseException:  # noqa: BLE001
                    pass

    def cpu_ticks(self) -> int | None:
        """CPU time (clock ticks) the encoder threads have used, from /proc; None where there is
        no /proc. ``finish()`` counts a rising figure as progress: a long encode is working, a
        stuck one (a hung disk, a sleeping callback) is not."""
        total = 0
        for tid in list(self._tids):
            try:
                with open(f"/proc/self/task/{tid}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except FileNotFoundError:
                continue  # a thread that has ended
            except (OSError, ValueError, IndexError):
                return None
        return total

    def stop(self) -> None:
        for _ in self._threads:
            self._queue.put(None)


def default_workers() -> int:
    """Encoder threads by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
