"""The database's sidecar index, `<db>.idx`: where each document sits in the file, and each
measure's digest (digest.py), so that `show`, `note` and `set-status` need not parse (or write
out) the whole file, and `report` can read every digest without parsing every document (issue 6).

The index is a cache. It is never the only copy of anything, and it is trusted only while it
describes the very file on disk: its `signature` (inode, size, mtime and ctime of the database as
imtrack last wrote or read it) must equal the file's, and its `layout` the layout the codec writes
now (jsoncodec.layout). Every imtrack write replaces the database with a new file (a new inode),
and any other change to it (a hand edit, a restore, another tool) changes at least one of those
four numbers: ctime is there because `os.utime` can set an edited file's mtime back but not its
ctime. A missing, unreadable, damaged, stale or foreign index is ignored, and the store goes the
full-parse way it always went. Deleting the file is always safe.

File format (version 1), all offsets in bytes:

    imtrack-index {header JSON}\\n
    five arrays of `count` signed 64-bit integers in `byteorder`: measure ids in stored order,
        the starts and ends of their documents' values in the database file, and the starts and
        ends of their digests in the digest list below
    the digest list: a JSON array of one digest (or null) per measure, in stored order

The header holds version, layout, signature, the span of the meta document, count, byteorder,
a CRC-32 of the arrays (a flipped bit must not point a command at the wrong bytes) and the
length of the digest list (a file cut short is no index). The digest list has no checksum: it is
parsed anyway, and a CRC of it would cost more than the rest of reading the index.
"""

from __future__ import annotations

import os
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from imtrack import jsoncodec
from imtrack.filebytes import CAN_PREAD, FileSlices, join, write_pieces

MAGIC = b"imtrack-index "
VERSION = 2  # bump when the layout here or the output of digest.digest_of changes
NULL = b"null"

Signature = tuple[int, int, int, int]


def index_path(db: Path) -> Path:
    return db.with_name(db.name + ".idx")


def signature(st: os.stat_result) -> Signature:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class StoreIndex:
    """Spans and digests of one database file (see the module docstring)."""

    __slots__ = (
        "_position",
        "blob",
        "dends",
        "dstarts",
        "ends",
        "ids",
        "layout",
        "meta",
        "signature",
        "starts",
    )

    def __init__(
        self,
        layout: str,
        signature: Signature,
        meta: tuple[int, int],
        ids: list[int],
        starts: list[int],
        ends: list[int],
        dstarts: list[int],
        dends: list[int],
        blob: Any,  # bytes, a memoryview, FileSlices of the index file, or pieces once spliced
    ) -> None:
        self.layout = layout
        self.signature = signature
        self.meta = meta
        self.ids = ids
        self.starts, self.ends = starts, ends
        self.dstarts, self.dends = dstarts, dends
        self.blob = blob
        self._position: dict[int, int] | None = None

    @classmethod
    def build(
        cls,
        layout: str,
        meta: tuple[int, int],
        spans: Iterable[tuple[int, tuple[int, int]]],
        digest_parts: Iterable[bytes],
    ) -> StoreIndex:
        """An index (signature still unset) from the documents' spans, in stored order, and the
        encoded digest of each (NULL where none could be made)."""
        ids, starts, ends = [], [], []
        for measure_id, (start, end) in spans:
            ids.append(measure_id)
            starts.append(start)
            ends.append(end)
        blob, dstarts, dends = _join(digest_parts)
        return cls(layout, (0, 0, 0, 0), meta, ids, starts, ends, dstarts, dends, blob)

    # -- lookups ---------------------------------------------------------------------------

    def position(self, measure_id: int) -> int | None:
        if self._position is None:
            self._position = dict(zip(self.ids, range(len(self.ids))))
        return self._position.get(measure_id)

    def span(self, measure_id: int) -> tuple[int, int]:
        i = self.position(measure_id)
        assert i is not None
        return self.starts[i], self.ends[i]

    def positions(self) -> dict[int, int]:
        """{measure id: its position in the index}, a copy the caller may change."""
        self.position(0)
        assert self._position is not None
        return dict(self._position)

    def doc_span(self, position: int) -> tuple[int, int]:
        return self.starts[position], self.ends[position]

    def digest_part(self, position: int) -> bytes:
        return bytes(self._blob()[self.dstarts[position]:self.dends[position]])

    def _blob(self) -> Any:
        """The digest list as something sliceable: bytes, a memoryview or FileSlices."""
        if isinstance(self.blob, list):  # spliced: made of pieces until written
            self.blob = join(self.blob)
        return self.blob

    def digest_list(self) -> list[Any]:
        """Every stored digest (None where the index has none), in stored order."""
        blob = self._blob()
        digests = jsoncodec.loads(blob.whole() if isinstance(blob, FileSlices) else blob)
        if not isinstance(digests, list) or len(digests) != len(self.ids):
            raise ValueError("digest list does not match the ids")
        return digests

    # -- changes ---------------------------------------------------------------------------

    def spliced(self, edits: dict[int, bytes], meta: bytes | None, digests: dict[int, bytes]) -> StoreIndex:
        """The index of the file after `edits` (measure id -> new document bytes) and `meta`
        (the new meta document, or None) replaced those documents in place; `digests` gives the
        new encoded digest of every edited measure."""
        changes = [(*self.span(measure_id), len(body)) for measure_id, body in edits.items()]
        if meta is not None:
            changes.append((*self.meta, len(meta)))
        shifts = _shifts(changes)
        meta_span = (_shift([self.meta[0]], shifts)[0], _shift([self.meta[1]], shifts)[0])
        positions = {self.position(measure_id): part for measure_id, part in digests.items()}
        blob = splice(self._blob(), [(self.dstarts[i], self.dends[i], part) for i, part in positions.items()])
        dchanges = _shifts([(self.dstarts[i], self.dends[i], len(part)) for i, part in positions.items()])
        return StoreIndex(
            self.layout, self.signature, meta_span, self.ids,
            _shift(self.starts, shifts), _shift(self.ends, shifts),
            _shift(self.dstarts, dchanges), _shift(self.dends, dchanges), blob,
        )

    # -- the file --------------------------------------------------------------------------

    def encode(self) -> list[Any]:
        """The index file as pieces to write one after the other (filebytes.write_pieces)."""
        blob = self.blob if isinstance(self.blob, list) else [
            self.blob.segment(0, len(self.blob)) if isinstance(self.blob, FileSlices) else self.blob]
        arrays = array("q")
        for values in (self.ids, self.starts, self.ends, self.dstarts, self.dends):
            arrays.extend(values)
        packed = arrays.tobytes()
        header = {
            "version": VERSION,
            "layout": self.layout,
            "signature": list(self.signature),
            "meta": list(self.meta),
            "count": len(self.ids),
            "byteorder": sys.byteorder,
            "crc": zlib.crc32(packed),
            "digests": sum(map(len, blob)),
        }
        return [MAGIC + jsoncodec.dumps_compact(header) + b"\n" + packed, *blob]

    @classmethod
    def decode(cls, raw: bytes) -> StoreIndex:
        """The index in `raw`; ValueError (or another exception) if it is not one."""
        header, head_size, arrays_size = _header(raw[:HEAD_MAX])
        packed = raw[head_size:head_size + arrays_size]
        if len(raw) != head_size + arrays_size + header["digests"]:
            raise ValueError("cut short or overlong")
        return cls._from(header, packed, memoryview(raw)[head_size + arrays_size:])

    @classmethod
    def _from(cls, header: dict[str, Any], packed: bytes, blob: Any) -> StoreIndex:
        count = header["count"]
        arrays = array("q")
        if len(packed) != 5 * count * arrays.itemsize or zlib.crc32(packed) != header["crc"]:
            raise ValueError("damaged")
        arrays.frombytes(packed)
        values = arrays.tolist()
        ids, starts, ends, dstarts, dends = (values[i * count:(i + 1) * count] for i in range(5))
        meta_start, meta_end = header["meta"]
        ino, size, mtime, ctime = header["signature"]
        return cls(
            str(header["layout"]), (int(ino), int(size), int(mtime), int(ctime)),
            (int(meta_start), int(meta_end)), ids, starts, ends, dstarts, dends, blob,
        )


HEAD_MAX = 4096


def _header(head: bytes) -> tuple[dict[str, Any], int, int]:
    """The header, the size of its line and the size of the arrays after it."""
    if head[:len(MAGIC)] != MAGIC:
        raise ValueError("not an imtrack index")
    newline = head.find(b"\n")
    if newline < 0:
        raise ValueError("no header")
    header = jsoncodec.loads(head[len(MAGIC):newline])
    if header["version"] != VERSION or header["byteorder"] != sys.byteorder:
        raise ValueError("another version or byte order")
    return header, newline + 1, 5 * int(header["count"]) * array("q").itemsize


def read_index(path: Path) -> StoreIndex | None:
    """The index at `path`, or None when there is none usable (never an error: it is a cache).
    The digest list is left in the file until asked for: `show` needs none of it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not CAN_PREAD:
            with open(fd, "rb", closefd=False) as fh:
                return StoreIndex.decode(fh.read())
        size = os.fstat(fd).st_size
        header, head_size, arrays_size = _header(os.pread(fd, HEAD_MAX, 0))
        if size != head_size + arrays_size + header["digests"]:
            raise ValueError("cut short or overlong")
        packed = os.pread(fd, arrays_size, head_size)
        blob = FileSlices(fd, header["digests"], base=head_size + arrays_size)
        fd = -1  # the blob closes it
        return StoreIndex._from(header, packed, blob)
    except Exception:  # noqa: BLE001 - any damage means "no index"; the database is the truth
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def write_index(path: Path, index: StoreIndex, mode: int | None = None) -> bool:
    """Replace the index atomically (temp file, then rename; no fsync: it is a cache). Any
    OSError (read-only directory, full disk) is swallowed: the command still succeeds, and the
    stale index left behind, if any, no longer matches the database's signature. `mode`: the
    database's permissions, so that whoever may read the database may read its index."""
    import tempfile

    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb", buffering=0):
            write_pieces(fd, index.encode())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


def splice(buf: Any, edits: Sequence[tuple[int, int, bytes]]) -> list[Any]:
    """`buf` with each [start, end) of `edits` (not overlapping) replaced by its bytes, as
    pieces to be written one after the other (joining them would copy the whole file once more).
    `buf` is bytes-like, or has `segment(start, end)` giving a piece that stands for its bytes
    (store._FileSlices: the unchanged parts are then copied file to file, never read)."""
    segment = getattr(buf, "segment", None)
    if segment is None:
        view = memoryview(buf)

        def segment(start: int, end: int) -> Any:
            return view[start:end]

    parts: list[Any] = []
    pos = 0
    for start, end, body in sorted(edits, key=lambda e: e[0]):
        parts += (segment(pos, start), body)
        pos = end
    parts.append(segment(pos, len(buf)))
    return parts


def _join(parts: Iterable[bytes]) -> tuple[bytes, list[int], list[int]]:
    starts, ends, chunks = [], [], [b"["]
    pos = 1
    for i, part in enumerate(parts):
        if i:
            chunks.append(b",")
            pos += 1
        starts.append(pos)
        pos += len(part)
        ends.append(pos)
        chunks.append(part)
    chunks.append(b"]")
    return b"".join(chunks), starts, ends


def _shifts(changes: Iterable[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """(end, delta) of each replaced span [start, end) whose new length is given, by end."""
    return sorted((end, length - (end - start)) for start, end, length in changes)


def _shift(values: list[int], shifts: list[tuple[int, int]]) -> list[int]:
    """Ascending offsets moved by the replacements: an offset at or after a replaced span's end
    moves by that replacement's change in length (the replaced span's own end too)."""
    out: list[int] = []
    low, moved = 0, 0
    for end, delta in shifts:
        high = bisect_left(values, end, low)
        out += [v + moved for v in values[low:high]] if moved else values[low:high]
        low, moved = high, moved + delta
    out += [v + moved for v in values[low:]] if moved else values[low:]
    return out
