"""Text -> measures. Pure functions, no I/O.

The input is text extracted from PDF or web pages: hard line-wraps in the middle of words,
blank lines inside a bullet, vertical text one character per line, and unrelated articles
around the measures. The rules, in order of precedence:

* a measure starts at a bullet glyph (■ ● ◆ ▲ • ★), at the start of a line or after the end of
  the previous sentence on the same line;
* it continues across line-wraps and blank lines until its text ends a sentence (。！？) at the
  end of a line; whatever follows that is not a bullet is not part of any measure;
* wrapped lines are joined without spaces, except between two Latin words (a number split
  across lines is joined up again); spaces that PDF extraction puts next to Chinese characters
  ("人口 10万") are dropped;
* a heading line (一、… / （一）…) outside a measure becomes the section of the measures after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BULLETS = "■●◆▲•★"
_BULLET_SPLIT = re.compile(f"[{BULLETS}]")
_SENTENCE_END = re.compile(r"[。！？!?][”」』）)]*$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])\s*\S")
_SPACE_NEAR_WIDE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")
_SPACES = re.compile(r"\s+")


@dataclass(slots=True)
class ParsedMeasure:
    text: str
    line: int  # 1-based line of the source where the bullet starts
    section: str = ""
    lead: str | None = None
    partners: list[str] = field(default_factory=list)


def clean_text(text: str) -> str:
    """Collapse whitespace; drop it entirely where it touches a non-ASCII character."""
    text = _SPACE_NEAR_WIDE.sub("", text.strip())
    return _SPACES.sub(" ", text)


def _join(left: str, right: str) -> str:
    # Two Latin words get a space; digits on both sides are one number that the column split.
    if not (left and right):
        return left + right
    a, b = left[-1], right[0]
    if a.isascii() and a.isalnum() and b.isascii() and b.isalnum() and not (a.isdigit() and b.isdigit()):
        return f"{left} {right}"
    return left + right


def normalise_newlines(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_text(text: str) -> list[ParsedMeasure]:
    """Every bullet measure in `text`, in document order."""
    measures: list[ParsedMeasure] = []
    current: ParsedMeasure | None = None
    buffer = ""
    section = ""

    def close() -> None:
        nonlocal current, buffer
        if current is not None:
            current.text = clean_text(buffer)
            if current.text:
                measures.append(current)
        current, buffer = None, ""

    for number, raw in enumerate(normalise_newlines(text).split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue  # a blank line never ends a measure by itself
        head, *bullets = _BULLET_SPLIT.split(line)
        head = head.strip()
        if head:
            if current is not None and not _SENTENCE_END.search(buffer):
                buffer = _join(buffer, head)
            else:
                close()
                if _HEADING.match(head):
                    section = clean_text(head)
        for part in bullets:
            close()
            current = ParsedMeasure(text="", line=number, section=section)
            buffer = part.strip()
    close()
    return measures
