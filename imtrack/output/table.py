"""Tables and paragraphs laid out as text, for a given terminal width. No Rich, no colours.

A document is a list of blocks (`Table`, `Para`); `layout()` turns it into lines, each a list of
(text, style) segments where a style is an abstract name ("header", "status.done", "dim", ...)
that render.py turns into colours on a terminal and ignores everywhere else.

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

Segment = tuple[str, str]  # (text, style name; "" for none)
Line = list[Segment]

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


def fold_segments(segments: Sequence[Segment], width: int) -> list[tuple[Line, int]]:
    """Fold styled text (newlines break lines) to `width`: lines with their widths."""
    if len(segments) == 1:
        text, style = segments[0]
        out = []
        for para in text.split("\n"):
            w = cell_width(para)
            if w <= width:
                out.append(([(para, style)], w))
            else:
                for a, b, w in fold(para, width):
                    out.append(([(para[a:b], style)], w))
        return out
    # several styles: fold the whole text, then cut the segments at the same offsets
    text = "".join(t for t, _ in segments)
    bounds, pos = [], 0
    for t, style in segments:
        bounds.append((pos, pos + len(t), style))
        pos += len(t)
    lines: list[tuple[Line, int]] = []
    offset = 0
    for para in text.split("\n"):
        cuts = [(0, len(para), 0)] if cell_width(para) <= width else fold(para, width)
        for a, b, _ in cuts:
            a, b = a + offset, b + offset
            line = [(text[max(a, s):min(b, e)], st) for s, e, st in bounds if s < b and e > a]
            lines.append((line or [("", "")], cell_width(text[a:b])))
        offset += len(para) + 1
    return lines


def _segments(cell: object) -> list[Segment]:
    if isinstance(cell, str):
        return [(cell, "")]
    if isinstance(cell, tuple):
        return [cell]  # type: ignore[list-item]
    return list(cell)  # type: ignore[call-overload]


class Column:
    """`fold`: 0 never folds (the column keeps its widest cell); 1, 2, ... fold, level 1 first
    (down to `min_width`) before level 2 is touched. `max_width` caps a folding column even
    when there is room."""

    __slots__ = ("header", "right", "fold", "min_width", "max_width", "footer")

    def __init__(self, header: str = "", right: bool = False, fold: int = 0, min_width: int = 1,
                 max_width: int | None = None, footer: object = None) -> None:
        self.header, self.right, self.fold = header, right, fold
        self.min_width, self.max_width, self.footer = min_width, max_width, footer


class Table:
    """Columns separated by `gap` spaces, a header row and an ASCII rule under it (no box
    drawing: "─" is ambiguous-width and CJK terminals draw it two cells wide)."""

    def __init__(self, columns: Sequence[Column], title: str | None = None, gap: int = 3,
                 show_header: bool = True, first_style: str = "") -> None:
        self.columns = list(columns)
        self.title, self.gap, self.show_header = title, gap, show_header
        self.first_style = first_style  # e.g. bold field names in a grid
        self.rows: list[Sequence[object]] = []

    def add_row(self, *cells: object) -> None:
        self.rows.append(cells)

    def widths(self, width: int, cells: list[list[list[tuple[Line, int]] | None]],
               natural: list[int] | None = None) -> list[int]:
        cols = self.columns
        if natural is None:
            natural = []
            for i, col in enumerate(cols):
                w = cell_width(col.header) if self.show_header else 0
                for row in cells:
                    lines = row[i]
                    if lines:
                        w = max(w, max(lw for _, lw in lines))
                natural.append(w)
        natural = [max(min(w, c.max_width) if c.fold and c.max_width else w, c.min_width) for w, c in zip(natural, cols)]
        budget = width - self.gap * (len(cols) - 1)
        out = list(natural)
        for level in sorted({c.fold for c in cols if c.fold}):
            if sum(out) <= budget:
                return out
            group = [i for i, c in enumerate(cols) if c.fold == level]
            header = [cell_width(cols[i].header) if self.show_header else 1 for i in group]
            _water_fill(out, group, [min(out[i], max(cols[i].min_width, h, 1)) for i, h in zip(group, header)], budget)
        if sum(out) > budget:  # every folding column at its minimum and still too wide: go below
            group = [i for i, c in enumerate(cols) if c.fold]
            _water_fill(out, group, [min(out[i], 2) for i in group], budget)
        return out

    def lines(self, width: int) -> list[Line]:
        if all(c.footer is None for c in self.columns):
            fast = self._fast_lines(width)
            if fast is not None:
                return fast
        return self._general_lines(width)

    def text(self, width: int, codes: dict[str, str]) -> list[str]:
        """The lines as finished text: each segment of a style in `codes` between that escape
        code and a reset (`codes` empty: plain text). The same as `render(self.lines(width),
        codes)`, but a long table of plain cells never becomes segments."""
        if all(c.footer is None for c in self.columns):
            fast = self._fast_lines(width, codes)
            if fast is not None:
                return fast  # type: ignore[return-value]
        return [_render(line, codes) for line in self._general_lines(width)]

    def _fast_lines(self, width: int, codes: dict[str, str] | None = None) -> list | None:
        """The layout of `_general_lines` for tables of plain cells, done column by column so
        that thousands of rows cost little: one width per cell (cached for the short, repeated
        values of narrow columns), a fold only for cells wider than their column, and each
        output line a list of (padded cell + gap, style) segments."""
        cols = self.columns
        ncols, last = len(cols), len(cols) - 1
        nrows = len(self.rows)
        columns = list(zip(*self.rows)) if nrows else [()] * ncols
        for col in columns:
            if not {str, tuple}.issuperset(map(type, col)):
                return None  # a cell of several styled segments
        texts = [[c if c.__class__ is str else c[0] for c in col] for col in columns]
        if any("\n" in "".join(t) for t in texts):
            return None  # a cell of several lines
        styles = [[c[1] if c.__class__ is tuple else "" for c in col] for col in columns]
        # A last column that is left-aligned, in a table where nothing folds, is never padded and
        # decides no other width: its texts (the full measures of a long listing) go unmeasured.
        unmeasured = self._unmeasured()
        widths_of = []
        for i, t in enumerate(texts):
            if unmeasured and i == last:
                widths_of.append([0] * nrows)
            elif "".join(t).isascii():
                widths_of.append(list(map(len, t)))
            else:  # each distinct value measured once (sectors, statuses repeat)
                widths_of.append(list(map(cell_widths(t).__getitem__, t)))
        natural = [max([cell_width(c.header) if self.show_header else 0, *ws]) for c, ws in zip(cols, widths_of)]
        widths = self.widths(width, [], natural=natural)
        gap = " " * self.gap
        spaces = [" " * k for k in range(max(widths, default=0) + 1)]
        first: list[list[str]] = []
        extra: dict[int, list] = {}  # row -> its folded cells (column, padded pieces, cuts, text, style)
        for i, col in enumerate(cols):
            cw, ws, ts = widths[i], widths_of[i], texts[i]
            sep = gap if i < last else ""
            if col.right:
                cells = [spaces[cw - w] + t + sep if w <= cw else t + sep for t, w in zip(ts, ws)]
            elif i < last:
                cells = [t + spaces[cw - w] + sep if w <= cw else t + sep for t, w in zip(ts, ws)]
            else:
                cells = ts[:]
            if col.fold:
                style_i = styles[i]
                for r in [r for r, w in enumerate(ws) if w > cw]:
                    text = ts[r]
                    cuts = fold(text, cw)
                    if col.right:
                        padded = [spaces[cw - w if w < cw else 0] + text[a:b] + sep for a, b, w in cuts]
                    elif i < last:
                        padded = [text[a:b] + spaces[cw - w if w < cw else 0] + sep for a, b, w in cuts]
                    else:
                        padded = [text[a:b] for a, b, _ in cuts]
                    cells[r] = padded[0]
                    entry = (i, padded, cuts, text, style_i[r])
                    if r in extra:
                        extra[r].append(entry)
                    else:
                        extra[r] = [entry]
            first.append(cells)
        blanks = [spaces[w] + (gap if i < last else "") for i, w in enumerate(widths)]
        prefix = ["".join(blanks[:i]) for i in range(ncols)]
        out: list[Line] = []
        if self.title:  # folded to the table's width, as Rich does
            out.extend(Para((self.title, "title")).lines(max(sum(widths) + self.gap * (len(cols) - 1), 20)))
        if self.show_header:
            heads = [(c.header, "header") for c in cols]
            out.extend(self._row([[([h], cell_width(h[0]))] for h in heads], widths, gap))
            rule = width if unmeasured else min(sum(widths) + self.gap * last, width)  # never wider than the screen
            out.append([("-" * rule, "rule")])
        flagged = [r for r, cell in enumerate(first[last] if ncols else []) if not cell or cell[-1] == " "]
        if codes is not None:  # finished text: each row's first line joined in C, styles applied per column
            out_text = [_render(line, codes) for line in out]
            columns_text = [
                [f"{codes[s]}{x}\x1b[0m" if x and s in codes else x for x, s in zip(f, st)] if any(st) else f
                for f, st in zip(first, styles)
            ]
            rows_text = list(map("".join, zip(*columns_text)))
            for r in flagged:
                rows_text[r] = _render(_rstrip(list(zip([f[r] for f in first], [st[r] for st in styles]))), codes)
            if not extra:
                out_text.extend(rows_text)
                return out_text
            for r, line_text in enumerate(rows_text):
                out_text.append(line_text)
                if r in extra:
                    out_text.extend(_render(cont, codes) for cont in self._continuations(extra[r], blanks, prefix))
            return out_text
        rows = list(map(list, map(zip, zip(*first), zip(*styles))))  # first line of each row
        for r in flagged:
            rows[r] = _rstrip(rows[r])
        if not extra:
            out.extend(rows)
            return out
        for r, line in enumerate(rows):
            out.append(line)
            if r in extra:
                out.extend(self._continuations(extra[r], blanks, prefix))
        return out

    def _continuations(self, more: list, blanks: list[str], prefix: list[str]) -> list[Line]:
        """The further lines of a row whose cells `more` were folded."""
        out: list[Line] = []
        if len(more) == 1:  # one folded cell: the blank columns before it, then its pieces
            i, padded, _, _, style = more[0]
            before = prefix[i]
            for piece in padded[1:]:
                piece = piece.rstrip(" ")
                out.append([(before, ""), (piece, style)] if before else [(piece, style)])
            return out
        by_col = {m[0]: m for m in more}
        for k in range(1, max(len(m[1]) for m in more)):
            cont: Line = []
            for i in range(len(self.columns)):
                m = by_col.get(i)
                if m is not None and k < len(m[1]):
                    cont.append((m[1][k], m[4]))
                else:
                    cont.append((blanks[i], ""))
            out.append(_rstrip(cont))
        return out

    def _unmeasured(self) -> bool:
        """Whether the last column is left-aligned in a table where nothing folds: it is then
        never padded and decides no other width (the full texts of a long listing), so its
        cells go unmeasured and the rule under the header spans the screen."""
        return bool(self.columns) and not self.columns[-1].right and not any(c.fold for c in self.columns)

    def _general_lines(self, width: int) -> list[Line]:
        cols = self.columns
        ncols = len(cols)
        big = 1 << 30
        cells = [[fold_segments(_segments(c), big) if c is not None else None for c in row] for row in self.rows]
        footers = [fold_segments(_segments(c.footer), big) if c.footer is not None else None for c in cols]
        has_footer = any(f is not None for f in footers)
        unmeasured = self._unmeasured()
        measured = [[*row[:-1], None] for row in cells] if unmeasured else cells
        widths = self.widths(width, measured + ([footers] if has_footer else []))
        gap = " " * self.gap
        total = width if unmeasured else sum(widths) + self.gap * (ncols - 1)
        out: list[Line] = []
        if self.title:  # folded to the table's width, as Rich does
            out.extend(Para((self.title, "title")).lines(max(sum(widths) + self.gap * (len(cols) - 1), 20)))
        if self.show_header:
            out.extend(self._row([[( [(c.header, "header")], cell_width(c.header))] for c in cols], widths, gap))
            out.append([("-" * min(total, width), "rule")])
        for row in cells:
            out.extend(self._row(row, widths, gap, keep_last=unmeasured))
        if has_footer:
            out.append([("-" * min(total, width), "rule")])
            out.extend(self._row([f if f is not None else [([("", "")], 0)] for f in footers], widths, gap, "footer"))
        return out

    def _row(self, row: list, widths: list[int], gap: str, style: str = "", keep_last: bool = False) -> list[Line]:
        cols = self.columns
        folded = []
        for i, lines in enumerate(row):
            w = widths[i]
            if not lines:
                folded.append([])
            elif (len(lines) == 1 and lines[0][1] <= w) or (keep_last and i == len(cols) - 1):
                folded.append(lines)
            else:
                refolded = []
                for segs, lw in lines:
                    refolded.extend([(segs, lw)] if lw <= w else fold_segments(segs, w))
                folded.append(refolded)
        height = max(1, max(len(f) for f in folded))
        out = []
        last = len(cols) - 1
        for k in range(height):
            line: Line = []
            for i, f in enumerate(folded):
                w = widths[i]
                segs, lw = f[k] if k < len(f) else ([], 0)
                if i == 0 and self.first_style:
                    segs = [(t, s or self.first_style) for t, s in segs]
                elif style:
                    segs = [(t, s or style) for t, s in segs]
                pad = " " * (w - lw)
                if cols[i].right:
                    line.append((pad, ""))
                    line.extend(segs)
                else:
                    line.extend(segs)
                    if i < last:
                        line.append((pad, ""))
                if i < last:
                    line.append((gap, ""))
            out.append(_rstrip(line))
        return out


def _water_fill(widths: list[int], group: list[int], floors: list[int], budget: int) -> None:
    """Narrow the columns `group` of `widths` until the sum fits `budget`: the widest shrink
    first, none below its floor."""
    room = budget - (sum(widths) - sum(widths[i] for i in group))
    top = [widths[i] for i in group]

    def total(cap: int) -> int:
        return sum(max(f, min(t, cap)) for f, t in zip(floors, top))

    lo, hi = 0, max(top, default=0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if total(mid) <= room:
            lo = mid
        else:
            hi = mid - 1
    for i, f, t in zip(group, floors, top):
        widths[i] = max(f, min(t, lo))
    spare = room - sum(widths[i] for i in group)
    for i, t in zip(group, top):  # what the cap left over, one cell each from the left
        if spare <= 0:
            break
        if widths[i] < t:
            widths[i] += 1
            spare -= 1


class Para:
    """A paragraph of styled text, folded at the terminal width."""

    __slots__ = ("segments",)

    def __init__(self, *segments: Segment | str) -> None:
        self.segments = [(s, "") if isinstance(s, str) else s for s in segments]

    def lines(self, width: int) -> list[Line]:
        if not self.segments:
            return [[]]
        return [segs for segs, _ in fold_segments(self.segments, width)]

    def text(self, width: int, codes: dict[str, str]) -> list[str]:
        return [_render(line, codes) for line in self.lines(width)]


def _rstrip(line: Line) -> Line:
    while line and not line[-1][0].strip(" "):
        line.pop()
    if line and line[-1][0].endswith(" "):
        text, style = line[-1]
        line[-1] = (text.rstrip(" "), style)
    return line


def layout(blocks: Iterable[Table | Para], width: int) -> list[Line]:
    out: list[Line] = []
    for block in blocks:
        out.extend(block.lines(width))
    return out


def _render(line: Line, codes: dict[str, str]) -> str:
    return "".join([f"{codes[s]}{t}\x1b[0m" if t and s in codes else t for t, s in line])


def render(lines: Iterable[Line], codes: dict[str, str]) -> str:
    """`lines` as text, each segment of a style in `codes` between that escape code and a reset
    (codes are render.py's business; an empty dict gives plain text)."""
    return "".join([_render(line, codes) + "\n" for line in lines])


def text(blocks: Iterable[Table | Para], width: int, codes: dict[str, str]) -> str:
    """`render(layout(blocks, width), codes)`, without segments for long tables of plain cells."""
    return "".join([line + "\n" for block in blocks for line in block.text(width, codes)])


def plain(lines: Iterable[Line]) -> str:
    """The text of `lines`, styles dropped."""
    return "".join(["".join([t for t, _ in line]) + "\n" for line in lines])
