"""The database's sidecar index, `<db>.idx`: where each document sits in the file, and each
measure's digest (digest.py), so that `show`, `note` and `set-status` need not parse (or write
out) the whole file, and `report` can read every digest without parsing every document (issue 6),
and fixed-width columns of what the progress report counts (columns_of), so that `report --by
sector|status` counts from arrays, parsing no digest but those of the measures it prints.

The index is a cache. It is never the only copy of anything, and it is trusted only while it
describes the very file on disk: its `signature` (inode, size, mtime and ctime of the database as
imtrack last wrote or read it) must equal the file's, and its `layout` the layout the codec writes
now (jsoncodec.layout). Every imtrack write replaces the database with a new file (a new inode),
and any other change to it (a hand edit, a restore, another tool) changes at least one of those
four numbers: ctime is there because `os.utime` can set an edited file's mtime back but not its
ctime. A missing, unreadable, damaged, stale or foreign index is ignored, and the store goes the
full-parse way it always went. Deleting the file is always safe.

File format (version 4), all offsets in bytes:

    imtrack-index {header JSON}\\n
    seven arrays of `count` signed 64-bit integers in `byteorder`: measure ids in stored order,
        the starts and ends of their documents' values in the database file, the starts and
        ends of their digests in the digest list below, and of their texts in the text list
    the columns (columns_of), one entry per measure in stored order: status and sector codes
        (signed 16-bit; -1 where the measure has no columns), and the due, last-activity, done
        and latest-note days (signed 32-bit day ordinals, see columns_of)
    the digest list: a JSON array of one digest (or null) per measure, in stored order
    the text list: a JSON array of each measure's text (or null), in stored order, so that the
        one-line listing of `list` reads no digest (issue 6)

The header holds version, layout, signature, the span of the meta document, count, byteorder,
the code tables of the columns ({"status": [...], "sector": [...]}: code i stands for the i-th
string), a CRC-32 of the arrays and code tables (a flipped bit must not point a command at the
wrong bytes, nor miscount a report) and the length of the digest list (a file cut short is no
index; "texts" likewise for the text list). The digest and text lists have no checksum: it is
parsed anyway, and a CRC of it would cost more than the rest of reading the index.
"""

from __future__ import annotations

import os
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from imtrack.storage import jsoncodec
from imtrack.storage.filebytes import CAN_PREAD, FileSlices, join, write_pieces

MAGIC = b"imtrack-index "
VERSION = 4  # bump when the layout here or the output of digest.digest_of changes
NULL = b"null"

Signature = tuple[int, int, int, int]

# -- the columns -------------------------------------------------------------------------------

COLUMN_TYPES = ("h", "h", "i", "i", "i", "i")  # status, sector codes; due, activity, done, note days
CODED = ("status", "sector")  # the columns stored as codes into the header's string tables
NO_COLUMNS = -1  # the status code of a measure without columns (no digest, or an odd value)
DUE_NONE, DUE_ONGOING = 0, -1
ONGOING = "ongoing"  # dates.ONGOING_VALUE, flags.ONGOING
Columns = tuple[str, str, int, int, int, int]


def _ordinal(day: Any) -> int:
    return date.fromisoformat(day).toordinal() if day else 0


def note_day(at: Any) -> int:
    """The day `list` shows for a latest note written at `at` (its first ten characters) as a
    day ordinal, 0 for none ("-"); ValueError when those characters are not exactly the ISO
    date of a day (date.fromordinal(n).isoformat() must give them back)."""
    if not at:
        return 0
    if type(at) is not str:
        raise TypeError("a note's 'at' must be a string")
    shown = at[:10]
    day = date.fromisoformat(shown)
    if day.isoformat() != shown:
        raise ValueError("not an ISO day as written")
    return day.toordinal()


def columns_of(digest: dict[str, Any]) -> Columns:
    """What `report` and the one-line `list` read of a measure, from its digest (digest.py), as
    fixed-width values: (status, sector, due, activity, done, note), the last four days as
    date.toordinal() with 0 for none (due: DUE_NONE when unset, DUE_ONGOING when ongoing; note:
    the day the listing shows of the latest note, note_day). Raises (TypeError, ValueError,
    KeyError) on any value the flags would not read as a day the same way (flags.due_date,
    last_activity, done_on), or the listing would not show as that day, so such a measure gets
    no columns and its report and listing read digests."""
    status, sector, due = digest["status"], digest["sector"], digest["due"]
    if type(status) is not str or type(sector) is not str:
        raise TypeError("status and sector must be strings")
    if due is None or due == "":
        due_day = DUE_NONE
    elif due == ONGOING:
        due_day = DUE_ONGOING
    else:
        due_day = date.fromisoformat(due).toordinal()
    latest = digest["latest_note"]
    note = note_day(latest.get("at")) if latest else 0
    return (status, sector, due_day, _ordinal(digest["last_activity"]), _ordinal(digest["done_on"]), note)


class ColumnView:
    """The columns of every measure, in stored order (StoreIndex.column_view): `ids`, the six
    arrays (`status`, `sector` codes, `due`, `activity`, `done`, `note` days, see columns_of),
    the code tables ({"status": [...], "sector": [...]}) and `texts()`, every measure's text
    (None when the text list cannot be read). Read-only."""

    __slots__ = ("_texts", "activity", "codes", "done", "due", "ids", "note", "sector", "status")

    def __init__(self, ids: list[int], cols: list[array], codes: dict[str, list[str]],
                 texts: Any = None) -> None:
        self.ids = ids
        self.status, self.sector, self.due, self.activity, self.done, self.note = cols
        self.codes = codes
        self._texts = texts

    def id_order(self) -> Any:
        """The positions in id order: the stored order itself when it is (the usual case),
        else sorted; listings and reports go in id order whatever the file's order."""
        ids = self.ids
        if all(a < b for a, b in pairwise(ids)):
            return range(len(ids))
        return sorted(range(len(ids)), key=ids.__getitem__)

    def texts(self) -> list[str] | None:
        try:
            return self._texts() if self._texts is not None else None
        except ValueError:
            return None

    def values(self) -> list[Columns]:
        """Every measure's columns decoded (for tests and checks, not for speed)."""
        status, sector = self.codes["status"], self.codes["sector"]
        return [(status[a], sector[b], c, d, e, f)
                for a, b, c, d, e, f in zip(self.status, self.sector, self.due, self.activity, self.done, self.note)]


def index_path(db: Path) -> Path:
    return db.with_name(db.name + ".idx")


def signature(st: os.stat_result) -> Signature:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class StoreIndex:
    """Spans and digests of one database file (see the module docstring)."""

    __slots__ = (
        "_position",
        "blob",
        "codes",
        "cols",
        "dends",
        "dstarts",
        "ends",
        "ids",
        "layout",
        "meta",
        "signature",
        "starts",
        "tblob",
        "tends",
        "tstarts",
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
        cols: list[array] | None = None,  # the columns (COLUMN_TYPES), None: none has any
        codes: dict[str, list[str]] | None = None,
        texts: tuple[list[int], list[int], Any] | None = None,  # starts, ends, the text list
    ) -> None:
        self.layout = layout
        self.signature = signature
        self.meta = meta
        self.ids = ids
        self.starts, self.ends = starts, ends
        self.dstarts, self.dends = dstarts, dends
        self.blob = blob
        if texts is None:
            empty, tstarts, tends = _join([NULL] * len(ids))
            texts = (tstarts, tends, empty)
        self.tstarts, self.tends, self.tblob = texts
        self._position: dict[int, int] | None = None
        if cols is None:
            cols = [array(t, [NO_COLUMNS if t == "h" else 0]) * len(ids) for t in COLUMN_TYPES]
        self.cols = cols
        self.codes: dict[str, list[str]] = codes if codes is not None else {name: [] for name in CODED}

    @classmethod
    def build(
        cls,
        layout: str,
        meta: tuple[int, int],
        spans: Iterable[tuple[int, tuple[int, int]]],
        digest_parts: Iterable[bytes],
        columns: Iterable[Columns | None] | None = None,
        codes: dict[str, list[str]] | None = None,
        text_parts: Iterable[bytes] | None = None,
    ) -> StoreIndex:
        """An index (signature still unset) from the documents' spans, in stored order, the
        encoded digest of each (NULL where none could be made), its columns (columns_of;
        None where it has none) and its encoded text (NULL where none; `text_parts` None: all
        NULL). `codes`: code tables to start from (they are copied)."""
        ids, starts, ends = [], [], []
        for measure_id, (start, end) in spans:
            ids.append(measure_id)
            starts.append(start)
            ends.append(end)
        blob, dstarts, dends = _join(digest_parts)
        texts = None
        if text_parts is not None:
            tblob, tstarts, tends = _join(text_parts)
            texts = (tstarts, tends, tblob)
        index = cls(layout, (0, 0, 0, 0), meta, ids, starts, ends, dstarts, dends, blob,
                    codes={name: list(table) for name, table in codes.items()} if codes else None,
                    texts=texts)
        if columns is not None:
            index._set_columns(enumerate(columns))
        return index

    def _set_columns(self, entries: Iterable[tuple[int, Columns | None]]) -> None:
        """Write the columns of the measures at these positions (in place)."""
        status, sector, due, activity, done, note = self.cols
        lookups = {name: {v: i for i, v in enumerate(table)} for name, table in self.codes.items()}
        for position, values in entries:
            codes = None if values is None else (self._code(lookups, "status", values[0]),
                                                 self._code(lookups, "sector", values[1]))
            if codes is None or NO_COLUMNS in codes:
                status[position], sector[position] = NO_COLUMNS, NO_COLUMNS
                due[position] = activity[position] = done[position] = note[position] = 0
                continue
            status[position], sector[position] = codes
            due[position], activity[position], done[position], note[position] = values[2:]

    def _code(self, lookups: dict[str, dict[str, int]], name: str, value: str) -> int:
        """The code of `value` in table `name`, appending it when new (NO_COLUMNS when full)."""
        lookup = lookups[name]
        code = lookup.get(value)
        if code is None:
            table = self.codes[name]
            if len(table) >= 2**15 - 1:
                return NO_COLUMNS
            code = lookup[value] = len(table)
            table.append(value)
        return code

    def column_values(self, position: int) -> Columns | None:
        """The columns of the measure at `position` as columns_of gave them, or None."""
        code = self.cols[0][position]
        if code == NO_COLUMNS:
            return None
        return (self.codes["status"][code], self.codes["sector"][self.cols[1][position]],
                self.cols[2][position], self.cols[3][position], self.cols[4][position],
                self.cols[5][position])

    def column_view(self) -> ColumnView | None:
        """Every measure's columns, or None when any measure has none."""
        if NO_COLUMNS in self.cols[0]:
            return None
        return ColumnView(self.ids, self.cols, self.codes, self.text_list)

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

    def _tblob(self) -> Any:
        """The text list as something sliceable (as _blob)."""
        if isinstance(self.tblob, list):
            self.tblob = join(self.tblob)
        return self.tblob

    def text_part(self, position: int) -> bytes:
        return bytes(self._tblob()[self.tstarts[position]:self.tends[position]])

    def text_list(self) -> list[str]:
        """Every measure's text, in stored order; ValueError when the list is not one string
        per measure (then the listing reads digests)."""
        blob = self._tblob()
        texts = jsoncodec.loads(blob.whole() if isinstance(blob, FileSlices) else blob)
        if not isinstance(texts, list) or len(texts) != len(self.ids):
            raise ValueError("text list does not match the ids")
        if not all(type(t) is str for t in texts):
            raise ValueError("a measure without a text in the text list")
        return texts

    def digest_list(self) -> list[Any]:
        """Every stored digest (None where the index has none), in stored order."""
        blob = self._blob()
        digests = jsoncodec.loads(blob.whole() if isinstance(blob, FileSlices) else blob)
        if not isinstance(digests, list) or len(digests) != len(self.ids):
            raise ValueError("digest list does not match the ids")
        return digests

    # -- changes ---------------------------------------------------------------------------

    def spliced(
        self,
        edits: dict[int, bytes],
        meta: bytes | None,
        digests: dict[int, bytes],
        columns: dict[int, Columns | None] | None = None,
        texts: dict[int, bytes] | None = None,
    ) -> StoreIndex:
        """The index of the file after `edits` (measure id -> new document bytes) and `meta`
        (the new meta document, or None) replaced those documents in place; `digests` gives the
        new encoded digest of every edited measure, `columns` its columns (columns_of; a measure
        with a new digest and no columns given has none), `texts` its encoded text (one with a
        new digest and no text given gets NULL)."""
        changes = [(*self.span(measure_id), len(body)) for measure_id, body in edits.items()]
        if meta is not None:
            changes.append((*self.meta, len(meta)))
        shifts = _shifts(changes)
        meta_span = (_shift([self.meta[0]], shifts)[0], _shift([self.meta[1]], shifts)[0])
        positions = {self.position(measure_id): part for measure_id, part in digests.items()}
        blob = splice(self._blob(), [(self.dstarts[i], self.dends[i], part) for i, part in positions.items()])
        dchanges = _shifts([(self.dstarts[i], self.dends[i], len(part)) for i, part in positions.items()])
        given_texts = texts or {}
        tparts = {self.position(measure_id): given_texts.get(measure_id, NULL) for measure_id in digests}
        tblob = splice(self._tblob(), [(self.tstarts[i], self.tends[i], part) for i, part in tparts.items()])
        tchanges = _shifts([(self.tstarts[i], self.tends[i], len(part)) for i, part in tparts.items()])
        new = StoreIndex(
            self.layout, self.signature, meta_span, self.ids,
            _shift(self.starts, shifts), _shift(self.ends, shifts),
            _shift(self.dstarts, dchanges), _shift(self.dends, dchanges), blob,
            [array(col.typecode, col) for col in self.cols],
            {name: list(table) for name, table in self.codes.items()},
            (_shift(self.tstarts, tchanges), _shift(self.tends, tchanges), tblob),
        )
        given = columns or {}
        new._set_columns((self.position(i), given.get(i)) for i in digests)
        return new

    # -- the file --------------------------------------------------------------------------

    def encode(self) -> list[Any]:
        """The index file as pieces to write one after the other (filebytes.write_pieces)."""
        blob, tblob = _pieces(self.blob), _pieces(self.tblob)
        arrays = array("q")
        for values in (self.ids, self.starts, self.ends, self.dstarts, self.dends, self.tstarts, self.tends):
            arrays.extend(values)
        packed = arrays.tobytes() + b"".join(col.tobytes() for col in self.cols)
        header = {
            "version": VERSION,
            "layout": self.layout,
            "signature": list(self.signature),
            "meta": list(self.meta),
            "count": len(self.ids),
            "byteorder": sys.byteorder,
            "codes": self.codes,
            "crc": _crc(packed, self.codes),
            "digests": sum(map(len, blob)),
            "texts": sum(map(len, tblob)),
        }
        return [MAGIC + jsoncodec.dumps_compact(header) + b"\n" + packed, *blob, *tblob]

    @classmethod
    def decode(cls, raw: bytes) -> StoreIndex:
        """The index in `raw`; ValueError (or another exception) if it is not one."""
        header, head_size, arrays_size = _header(raw)
        packed = raw[head_size:head_size + arrays_size]
        if len(raw) != head_size + arrays_size + header["digests"] + header["texts"]:
            raise ValueError("cut short or overlong")
        at = head_size + arrays_size + header["digests"]
        return cls._from(header, packed, memoryview(raw)[head_size + arrays_size:at], memoryview(raw)[at:])

    @classmethod
    def _from(cls, header: dict[str, Any], packed: bytes, blob: Any, tblob: Any) -> StoreIndex:
        count = header["count"]
        codes = header["codes"]
        if (len(packed) != count * _arrays_width() or _crc(packed, codes) != header["crc"]
                or sorted(codes) != sorted(CODED)
                or not all(isinstance(v, str) for table in codes.values() for v in table)):
            raise ValueError("damaged")
        arrays = array("q")
        size = ARRAYS * count * arrays.itemsize
        arrays.frombytes(packed[:size])
        values = arrays.tolist()
        ids, starts, ends, dstarts, dends, tstarts, tends = (values[i * count:(i + 1) * count] for i in range(ARRAYS))
        cols = []
        for typecode in COLUMN_TYPES:
            col = array(typecode)
            col.frombytes(packed[size:size + count * col.itemsize])
            size += count * col.itemsize
            cols.append(col)
        status, sector = cols[0], cols[1]
        if count and (max(status) >= len(codes["status"]) or max(sector) >= len(codes["sector"])
                      or min(sector) < NO_COLUMNS or min(status) < NO_COLUMNS):
            raise ValueError("a code outside its table")
        meta_start, meta_end = header["meta"]
        ino, size, mtime, ctime = header["signature"]
        return cls(
            str(header["layout"]), (int(ino), int(size), int(mtime), int(ctime)),
            (int(meta_start), int(meta_end)), ids, starts, ends, dstarts, dends, blob, cols, codes,
            (tstarts, tends, tblob),
        )


HEAD_MAX = 4096
ARRAYS = 7  # int64 arrays: ids, document, digest and text spans


def _pieces(blob: Any) -> list[Any]:
    """A list (digests or texts) as pieces to write (filebytes.write_pieces)."""
    if isinstance(blob, list):
        return blob
    return [blob.segment(0, len(blob)) if isinstance(blob, FileSlices) else blob]


def _crc(packed: bytes, codes: dict[str, list[str]]) -> int:
    return zlib.crc32(jsoncodec.dumps_compact(codes), zlib.crc32(packed))


def _arrays_width() -> int:
    """Bytes of arrays per measure: seven int64 and the columns."""
    return ARRAYS * array("q").itemsize + sum(array(t).itemsize for t in COLUMN_TYPES)


def _header(head: bytes) -> tuple[dict[str, Any], int, int]:
    """The header, the size of its line and the size of the arrays after it."""
    if head[:len(MAGIC)] != MAGIC:
        raise ValueError("not an imtrack index")
    newline = head.find(b"\n")
    if newline < 0:
        raise ValueError("no header")  # read_index reads a longer head and tries again
    header = jsoncodec.loads(head[len(MAGIC):newline])
    if header["version"] != VERSION or header["byteorder"] != sys.byteorder:
        raise ValueError("another version or byte order")
    return header, newline + 1, int(header["count"]) * _arrays_width()


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
        head = os.pread(fd, HEAD_MAX, 0)
        if b"\n" not in head and len(head) == HEAD_MAX:  # long code tables: many odd values
            head = os.pread(fd, min(size, 1 << 24), 0)
        header, head_size, arrays_size = _header(head)
        if size != head_size + arrays_size + header["digests"] + header["texts"]:
            raise ValueError("cut short or overlong")
        packed = os.pread(fd, arrays_size, head_size)
        at = head_size + arrays_size + header["digests"]
        tblob = FileSlices(os.dup(fd), header["texts"], base=at)
        blob = FileSlices(fd, header["digests"], base=head_size + arrays_size)
        fd = -1  # the blobs close it and its duplicate
        return StoreIndex._from(header, packed, blob, tblob)
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
