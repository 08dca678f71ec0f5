"""Where a line of text breaks: the kinsoku (禁则) fold that Rich's tables call for each long
cell (render.Folded), and the cell widths it needs. No Rich here: `short()` and the plain
one-line listing use it too.

Widths are terminal cells: East Asian wide and full-width characters count two, combining marks
and format characters zero, everything else (ambiguous-width characters included) one, as Rich
counts them. No Python loop runs per character: ASCII is measured by len(), other text by a
lookup mapped over the string, and the long texts of a large listing by a regex in C.

Long cells fold onto several lines: at spaces between ASCII words, anywhere between CJK
characters, and with kinsoku (禁则): a line never starts with closing punctuation (，。、）」…)
and never ends with opening punctuation (（「《“…); the character before moves down instead."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import accumulate

# Characters every Unicode version gives East Asian width W or F (checked in the tests), all in
# the BMP above U+0800, so they take three bytes in UTF-8 against one for ASCII. The pattern is
# compiled only for long listings: a character class beyond ASCII costs ~4 ms to compile, more
# than measuring a screenful of cells character by character.
WIDE = (
    "\u1100-\u115f\u2e80-\u2fdf\u3000-\u3029\u3030-\u303e\u3041-\u3096\u30a0-\u30ff"
    "\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
    "\uff01-\uff60\uffe0-\uffe6"
)
BULK = 1000  # from this many distinct strings on, widths go through the WIDE pattern

# Kinsoku shori: no line starts with these (closing punctuation, full and half width)...
NO_START = frozenset(
    "，。、；：？！）」』】〉》”’〕］｝〗〙〛｠…‥・〜～ー々ゝゞヽヾ"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    ",.;:?!)]}%％‰℃°"
)
# ...and none ends with these (opening punctuation).
NO_END = frozenset("（「『【〈《“‘〔［｛〖〘〚｟([{")


class _Widths(dict):
    """Character -> cells, filled on first sight of each character."""

    def __missing__(self, ch: str) -> int:
        if unicodedata.category(ch) in ("Mn", "Me", "Cf") or unicodedata.combining(ch):
            width = 0
        else:
            width = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        self[ch] = width
        return width


_char = _Widths().__getitem__


def char_width(ch: str) -> int:
    return _char(ch)


def cell_width(text: str) -> int:
    """Terminal cells `text` takes (one line)."""
    if text.isascii():
        return len(text)
    return sum(map(_char, text))


@lru_cache(maxsize=1)
def _simple() -> Callable[[str], object]:
    import re

    return re.compile(f"[\x20-\x7e{WIDE}]*").fullmatch


def cell_widths(texts: Iterable[str]) -> dict[str, int]:
    """The width of each distinct string of `texts`; many long strings are measured in C (a
    string of ASCII and common CJK characters is one byte per ASCII character and three per
    wide one in UTF-8)."""
    distinct = set(texts)
    if len(distinct) < BULK:
        return {t: cell_width(t) for t in distinct}
    simple = _simple()
    return {
        t: len(t) if t.isascii() else len(t) + (len(t.encode("utf-8")) - len(t)) // 2 if simple(t) else cell_width(t)
        for t in distinct
    }


def _isword(ch: str) -> bool:
    return "!" <= ch <= "~"


def _kinsoku(text: str, start: int, end: int) -> int:
    """A break at or before `end` where no line starts with closing or ends with opening
    punctuation; when there is none (a line's worth of brackets), one where at least no line
    starts with closing punctuation; else `end` itself."""
    k = end
    while k - 1 > start and (text[k] in NO_START or text[k - 1] in NO_END):
        k -= 1
    if not (text[k] in NO_START or text[k - 1] in NO_END):
        return k
    k = end
    while k > start + 1 and text[k] in NO_START:
        k -= 1
    return k if text[k] not in NO_START else end


def fold(text: str, width: int) -> list[tuple[int, int, int]]:
    """Where to cut one line of `text` (no newlines) into lines of at most `width` cells: a
    list of (start, end, cells) slices. Spaces at a break are dropped; an ASCII word is kept
    whole when it fits on a line; kinsoku moves a character down rather than start a line with
    closing punctuation or end one with opening punctuation. A character wider than `width`
    gets a line of its own. The break is found by bisection in the running widths (C loops)."""
    n = len(text)
    if n == 0:
        return [(0, 0, 0)]
    cum: Sequence[int] = range(1, n + 1) if text.isascii() else list(accumulate(map(_char, text)))
    total = cum[-1]
    out: list[tuple[int, int, int]] = []
    start = 0
    while start < n:
        base = cum[start - 1] if start else 0
        if total - base <= width:
            out.append((start, n, total - base))
            break
        end = max(bisect_right(cum, base + width, start), start + 1)
        if end >= n:  # one character wider than the line
            out.append((start, n, total - base))
            break
        if _isword(text[end]) and _isword(text[end - 1]):  # inside an ASCII word
            k = end - 1
            while k > start and _isword(text[k - 1]):
                k -= 1
            if k > start and text[start:k].strip(" "):
                end = k
        if text[end] in NO_START or text[end - 1] in NO_END:
            end = _kinsoku(text, start, end)
        stop = end
        while stop > start and text[stop - 1] == " ":
            stop -= 1
        out.append((start, stop, cum[stop - 1] - base if stop > start else 0))
        start = end
        while start < n and text[start] == " ":
            start += 1
    return out
