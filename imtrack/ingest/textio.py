"""Reading a user's text file: bytes -> str with the encoding detected or forced.

Policy texts arrive as UTF-8 (with or without a BOM, from web pages and modern editors) or as
GB18030/GBK (saved by Windows tools in a Chinese locale). UTF-8 is tried first because a GBK file
is almost never valid UTF-8, while nearly any byte string decodes as GB18030 (a superset of GBK),
so the reverse order would misread UTF-8 files."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from imtrack.errors import ImtrackError, InvalidValue, NotFound
from imtrack.i18n import _

AUTO_ENCODINGS = ("utf-8", "gb18030")


class DecodeError(ImtrackError):
    """The file's bytes are not text in the encoding(s) tried."""


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str  # the codec that decoded it: utf-8, utf-8-sig, gb18030, or the one forced


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound(_("no such file: {path}; check the path").format(path=path)) from None
    except IsADirectoryError:
        raise ImtrackError(_("{path} is a directory; give a document file").format(path=path)) from None
    except OSError as exc:
        raise ImtrackError(_("cannot read {path}: {problem}").format(path=path, problem=exc.strerror or exc)) from exc


def check_encoding(name: str) -> str:
    """The canonical codec name for `name`, or InvalidValue naming the usual choices."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InvalidValue(_("unknown encoding {name!r}; use e.g. utf-8, gb18030 or gbk").format(name=name)) from None


def decode(data: bytes, name: str, encoding: str | None = None) -> DecodedText:
    """Decode `data` (the contents of file `name`): with `encoding` if given, else detected."""
    if encoding is not None:
        codec = check_encoding(encoding)
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        try:
            return DecodedText(data.decode(codec), codec)
        except UnicodeDecodeError as exc:
            raise DecodeError(
                _("cannot read {name} as {encoding}: byte {byte} at offset "
                  "{offset} is not valid {encoding}; try another --encoding or fix the file").format(
                    name=name, encoding=encoding, byte=f"0x{data[exc.start]:02x}", offset=exc.start)
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return decode(data, name, "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data, name, "utf-16")
    failures: list[tuple[int, str]] = []
    for codec in AUTO_ENCODINGS:
        try:
            return DecodedText(data.decode(codec), codec)
        except UnicodeDecodeError as exc:
            failures.append((exc.start, codec))
    # The encoding that decoded furthest is the one the file was most likely meant to be in.
    offset, codec = max(failures)
    shown = {"utf-8": "UTF-8", "gb18030": "GB18030/GBK"}
    others = _(" or ").join(shown[c] for _offset, c in failures if c != codec)
    raise DecodeError(
        _("cannot read {name}: byte {byte} at offset {offset} is not valid "
          "{encoding} (and the file is not {others} either); fix the file, or name its "
          "encoding with --encoding").format(
            name=name, byte=f"0x{data[offset]:02x}", offset=offset, encoding=shown[codec], others=others)
    )

def read_text(path: Path, encoding: str | None = None) -> DecodedText:
    if encoding is not None:
        check_encoding(encoding)  # a typo is a usage error even when the file is missing
    return decode(read_bytes(path), str(path), encoding)
