"""Parts of a file read only when asked for, and written on without passing through memory.

`show` needs one document of a 15 MB database, and `note` rewrites the file with one document
changed: reading all of it (and writing all of it from memory) would cost more than the rest of
the command (issue 6). The database and its index (storeindex.py) are read through FileSlices,
and a rewritten file is the unchanged Segments of the old one, copied by the kernel
(copy_file_range) where the platform allows, plus the changed bytes.

Not a memory map: another program writing the file in place (TinyDB does) while it is mapped
would make the map fault (SIGBUS); a torn read is only malformed JSON, reported as such."""

from __future__ import annotations

import errno
import os
import weakref
from collections.abc import Iterable
from typing import Any

CAN_PREAD = hasattr(os, "pread")
_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}


class FileSlices:
    """Bytes [base, base + size) of an open file, read a slice at a time (pread) while few are
    asked for, and whole once many are: `show` reads one measure, `list` the whole file once.
    Owns the descriptor: closed once the whole was read, or when this object goes."""

    __slots__ = ("__weakref__", "_base", "_fd", "_finalizer", "_reads", "_size", "_whole")
    SLICES_BEFORE_WHOLE = 64

    def __init__(self, fd: int, size: int, base: int = 0) -> None:
        self._fd, self._size, self._base, self._reads = fd, size, base, 0
        self._whole: bytes | None = None
        self._finalizer = weakref.finalize(self, os.close, fd)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, span: slice) -> bytes:
        if self._whole is None:
            self._reads += 1
            if self._reads <= self.SLICES_BEFORE_WHOLE:
                start, stop = span.start or 0, min(span.stop, self._size)
                return os.pread(self._fd, max(stop - start, 0), self._base + start)
            self.whole()
        assert self._whole is not None
        return self._whole[span]

    def whole(self) -> bytes:
        """All the bytes (fewer if the file was cut short meanwhile: parsing will say so)."""
        if self._whole is None:
            chunks, offset = [], 0
            while offset < self._size:
                chunk = os.pread(self._fd, self._size - offset, self._base + offset)
                if not chunk:
                    break
                chunks.append(chunk)
                offset += len(chunk)
            self._whole = b"".join(chunks)
            self._finalizer()
        return self._whole

    def segment(self, start: int, end: int) -> Segment | bytes:
        if self._whole is not None:
            return self._whole[start:end]
        return Segment(self, start, end)


class Segment:
    """Bytes [start, end) of a FileSlices, to be written elsewhere without being read here."""

    __slots__ = ("end", "source", "start")

    def __init__(self, source: FileSlices, start: int, end: int) -> None:
        self.source, self.start, self.end = source, start, end

    def __len__(self) -> int:
        return self.end - self.start

    def tobytes(self) -> bytes:
        return self.source[self.start:self.end]

    def copy_to(self, out_fd: int) -> None:
        """Append the bytes to `out_fd` (at its position): in the kernel when the platform and
        the file systems allow, else through memory. A file cut short meanwhile is an OSError."""
        start, end, source = self.start, self.end, self.source
        copy = getattr(os, "copy_file_range", None)
        if copy is not None and source._whole is None:
            try:
                while start < end:
                    copied = copy(source._fd, out_fd, end - start, source._base + start)
                    if not copied:
                        raise OSError(errno.EIO, "file shorter than when it was read")
                    start += copied
                return
            except OSError as exc:
                if exc.errno not in _NO_KERNEL_COPY:
                    raise
        while start < end:
            chunk = source[start:min(end, start + (1 << 22))]
            if not chunk:
                raise OSError(errno.EIO, "file shorter than when it was read")
            write_all(out_fd, chunk)
            start += len(chunk)


def write_all(fd: int, data: Any) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_pieces(fd: int, pieces: Iterable[Any]) -> None:
    """Write bytes-like pieces and Segments one after the other at `fd`'s position."""
    for piece in pieces:
        if isinstance(piece, Segment):
            piece.copy_to(fd)
        else:
            write_all(fd, piece)


def join(pieces: Iterable[Any]) -> bytes:
    return b"".join(p.tobytes() if isinstance(p, Segment) else p for p in pieces)
