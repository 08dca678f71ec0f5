"""Command-line arguments whose bytes are not text in the locale's encoding.

Python decodes argv with the locale's encoding and keeps each byte it cannot decode as a lone
surrogate (U+DC80-U+DCFF, PEP 383). Such a string cannot be stored, exported or printed: a GBK
terminal or a GBK script talking to a UTF-8 locale used to end in tracebacks. The rule here:

* text (a note, a lead, a due date, a filter...) must decode: otherwise the command stops
  before it reads anything, naming the argument, the bytes and the fix (exit 2);
* a path (`import FILE`, `export --output FILE`, `--db PATH`) is bytes to the operating system,
  so an undecodable file name is used as it is (a GBK-named file from a zip can be imported);
  where it is shown, its bytes are written as \\xNN escapes (`shown`).

Only a command line holding such bytes pays for the check (`check_arguments`), so start-up of
every ordinary command is unchanged.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from imtrack.errors import InvalidValue
from imtrack.i18n import _


def undecodable(text: str) -> bool:
    """True if `text` holds bytes the locale could not decode (surrogate escapes)."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def shown(text: str) -> str:
    """`text` with every undecodable byte written as \\xNN, so it can be printed and read; also
    click's own quoting of such an argument ('\\udcb0' in a repr)."""
    if "\\udc" in text:
        text = re.sub(r"\\udc([89a-f][0-9a-f])", r"\\x\1", text)
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _raw(text: str) -> bytes:
    """The bytes the user typed (the inverse of Python's decoding of argv)."""
    try:
        return text.encode(sys.getfilesystemencoding(), "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def _reading_hint(raw: bytes) -> str:
    """What the bytes say in GB18030, the usual other encoding of Chinese text, if they decode:
    a hint for the user to recognise, never a value imtrack uses."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    return _(" (in GB18030: {text})").format(text=text) if text.isprintable() else ""


def refusal(name: str, value: str) -> InvalidValue:
    import codecs

    raw = _raw(value)
    encoding = codecs.lookup(sys.getfilesystemencoding()).name.upper()
    bad = " ".join(f"{ord(ch) - 0xDC00:02x}" for ch in value if "\udc80" <= ch <= "\udcff")
    return InvalidValue(
        _("{name} is not {encoding} text, the encoding of this terminal's locale: it holds the "
          "bytes {bad}{hint}; type it in a {encoding} terminal, or convert the "
          "script (iconv -f GB18030 -t {encoding} old.sh > new.sh); nothing was changed").format(
            name=name, encoding=encoding, bad=bad, hint=_reading_hint(raw))
    )


def _values(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _is_path(param: Any) -> bool:
    """A `Path`-annotated parameter, or one shown as PATH/FILE (--db is a str for config.py)."""
    from typer.models import TyperPath

    return isinstance(param.type, TyperPath) or param.metavar in ("PATH", "FILE", "PATH|URL")


def _check_params(command: Any, params: dict[str, Any]) -> None:
    for param in command.params:
        if _is_path(param):
            continue  # a file name: bytes are fine (module docstring)
        for value in _values(params.get(param.name)):
            if isinstance(value, str) and undecodable(value):
                name = param.opts[0] if param.param_type_name == "option" else (param.metavar or param.name.upper())
                raise refusal(name, value)


def check_arguments(group: Any, argv: list[str]) -> None:
    """Refuse undecodable text arguments (module docstring). Parses argv as click would, without
    callbacks or errors (resilient parsing): a command line that is wrong in other ways is left
    for click to report as it always does."""
    if not any(undecodable(arg) for arg in argv) or "--help" in argv or "-h" in argv:
        return  # help is printed whatever else the line holds
    ctx = group.make_context("imtrack", list(argv), resilient_parsing=True)
    _check_params(group, ctx.params)
    rest = [*ctx._protected_args, *ctx.args]
    if not rest:
        return
    try:
        from typer._click.exceptions import UsageError
    except ImportError:  # pragma: no cover - older typer uses the click package
        from click.exceptions import UsageError  # type: ignore[no-redef]
    try:
        name, command, rest = group.resolve_command(ctx, rest)
    except UsageError:  # an unknown command: click says so (with the name escaped)
        return
    if command is None:
        return
    sub = command.make_context(name, list(rest), parent=ctx, resilient_parsing=True)
    _check_params(command, sub.params)
    for extra in (*sub._protected_args, *sub.args):
        if undecodable(extra):
            raise refusal(_("an argument"), extra)
