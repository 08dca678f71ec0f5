"""The inter-process lock every changing command holds across its read-modify-write.

On POSIX it is `fcntl.flock` on `<db>.lock`: the very lock `filelock.UnixFileLock` takes, so an
imtrack that still uses filelock and this one exclude each other. Importing filelock cost about
40 ms per changing command (it pulls in logging, inspect and more), a sixth of what Taskwarrior
takes for a whole `task N annotate` at 10,000 tasks (issue 6). Elsewhere (Windows) filelock does
the job. The kernel drops a flock when its process dies, so a crashed command never leaves the
database locked."""

from __future__ import annotations

import os
import time
from typing import Any


class LockTimeout(Exception):
    """Another process held the lock for longer than the timeout."""


class FileLock:
    """An exclusive lock on `path`, waited for up to `timeout` seconds (0: do not wait)."""

    def __init__(self, path: str, timeout: float) -> None:
        self.lock_file = path
        self.timeout = timeout
        self._fd: int | None = None
        self._fallback: Any = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            self._acquire_with_filelock()
            return
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = time.monotonic() + max(self.timeout, 0)
        delay = 0.005
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(self.lock_file) from None
                    time.sleep(delay)
                    delay = min(delay * 2, 0.05)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fallback is not None:  # pragma: no cover - Windows
            self._fallback.release()
            self._fallback = None
            return
        if self._fd is not None:
            # Closing the descriptor releases the flock; the file stays, as filelock leaves it,
            # because unlinking it could let two processes lock two different files.
            os.close(self._fd)
            self._fd = None

    def _acquire_with_filelock(self) -> None:  # pragma: no cover - Windows
        from filelock import FileLock as _FileLock
        from filelock import Timeout

        lock = _FileLock(self.lock_file, timeout=self.timeout)
        try:
            lock.acquire()
        except Timeout:
            raise LockTimeout(self.lock_file) from None
        self._fallback = lock
