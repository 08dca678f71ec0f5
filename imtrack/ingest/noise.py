"""Lines that are never part of a measure, wherever they appear. Pure functions, no I/O.

`noise_reason(line)` names why a whole line is noise (for the dry run's "skipped" list), or None:
page furniture (— 3 —, 第3版, 3/12, a newspaper's date line, 责任编辑：…), newspaper jump lines
(■下转第2版, （上接第1版）), captions (图为…, 新华社记者 X 摄), datelines (本报讯, 新华社北京1月2日电),
the signature block of an official document (a date alone on its line, 此件公开发布), its
distribution block (抄送：…, …印发) and its list of attachments (附件：1. …).
`vertical_runs(lines)` finds text printed one character per line (a newspaper's column titles).
`is_byline(text, at)` tells a glyph that opens a byline ("□本报记者 王玉琢") from a bullet.
"""

from __future__ import annotations

import re

BULLETS = "■●◆▲•□★"

_FURNITURE = re.compile(
    r"""^(?:
      [-—–－]+\s*\d{1,4}\s*[-—–－]+              # — 3 —
     |第\s*\d{1,4}\s*[版页]                      # 第3版
     |\d{1,4}\s*/\s*\d{1,4}                      # 3/12
     |(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d+)?      # Page 3 of 12
     |\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:星期|周)[一二三四五六日天].{0,20}
     |(?:责任编辑|责编|编辑|校对|美编|版式设计|制图)\s*[:：].{0,30}
     |(?:上一页|下一页|返回顶部|打印本页|关闭窗口|【?打印】?|【?关闭】?)
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
_JUMP = re.compile(rf"^[{BULLETS}（(【\[]?\s*(?:下转|上接|转下|接上|转第|接第)\s*(?:第?\s*[\d一二三四五六七八九十]+\s*[版页面])[）)】\]]?$")
_CAPTION = re.compile(
    r"^(?:[（(]?\s*(?:图为|图片|上图|下图|左图|右图|图\d*[:：])"
    r"|.{0,30}(?:记者|通讯员|摄影)\s*\S{1,12}\s*摄[）)]?$)"
)
_DATELINE = re.compile(
    r"^(?:本报讯|本报[\u4e00-\u9fff]{0,8}\d{1,2}月\d{1,2}日(?:电|讯)|新华社[\u4e00-\u9fff]{0,8}\d{1,2}月\d{1,2}日电"
    r"|据新华社|（?记者\s*\S{1,12}\s*）?$)"
)
_DATE_ALONE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
# The distribution block at the foot of an official document, and its contact line.
_FOOTER = re.compile(r"^(?:抄送|主送|分送|发送)[:：]|^.{2,30}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$|^[（(]?联系人[:：]|^联系电话[:：]")
# "附件：1. 重点任务分工表" and the attachment titles listed below it.
ATTACHMENTS = re.compile(r"^附\s*件\s*[:：]")
_PUBLISHED = re.compile(r"^[（(](?:此件公开发布|此件主动公开|此件不公开|此件依申请公开|此页无正文)[）)]$")
_ISSUER = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff\s]{1,29}$")  # a name: no punctuation, no brackets
BYLINE = re.compile(r"\s*(?:本报|记者|通讯员|特约|新华社|央视|文[/／:：]|图[/／:：]|摄影?[/／:：])")


def noise_reason(line: str) -> str | None:
    """Why `line` (stripped) is not text of the document, or None if it is."""
    if _FURNITURE.match(line):
        return "page furniture"
    if _JUMP.match(line):
        return "newspaper jump line"
    if _PUBLISHED.match(line):
        return "publication note"
    if _DATE_ALONE.match(line):
        return "date line"
    if _FOOTER.match(line):
        return "distribution block"
    if ATTACHMENTS.match(line):
        return "list of attachments"
    if _DATELINE.match(line):
        return "dateline"
    if _CAPTION.match(line):
        return "caption"
    return None


def is_byline(text: str, at: int) -> bool:
    """Does a byline start at `at` (just after a glyph)?"""
    return bool(BYLINE.match(text, at))


def is_jump(text: str) -> bool:
    return bool(_JUMP.match(text.strip()))


def is_signature(line: str, following: str | None) -> bool:
    """An issuer's name on its own line just above a date line: the signature of a document."""
    return following is not None and bool(_DATE_ALONE.match(following)) and bool(_ISSUER.match(line))


def vertical_runs(lines: list[str], never_starts: tuple[str, ...]) -> set[int]:
    """Indexes of lines that belong to vertical text: 3+ one-character lines (blanks between)."""
    skip: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, "--"]):
        if not line:
            continue
        if len(line) == 1:
            # "。" or "）" alone ends a measure wrapped just before it; it cannot begin vertical text
            if run or line not in never_starts:
                run.append(i)
            continue
        if len(run) >= 3:
            skip.update(run)
        run = []
    return skip
