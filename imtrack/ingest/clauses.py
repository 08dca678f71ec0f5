"""Responsibility clauses (责任分工): who does a measure, and by when. Pure functions, no I/O.

A clause is a bracketed note that names agencies with a role word, wherever the document puts it:
after the sentence it covers ("…平台。（X负责）" / "…平台（X牵头，Y配合）。"), in the middle of an
item ("…环境。（X负责）加强…"), several in one item (each covers the text since the previous one).
The forms read:

* role words: X牵头 (lead), Y配合 / 参与 / 协办 / 协同配合 (partners), X负责 / 负责落实 / 指导 /
  按职责分工负责 / 分别负责 / 共同负责 (responsible: the first listed leads unless one is 牵头);
* labelled lists: 责任单位：X、Y / 牵头单位：X / 配合单位：Y / 负责部门：…, beside any other field
  (完成时限：2025年底前, 范围：…), separated by ， ； 。 or spaces, in brackets or closing the item
  without them ("…平台。责任单位：X", or on the lines below it);
* rules and carry-over: 列第一位者为牵头单位 (the default), 下同 (the agencies of the part before it
  apply to every later clause of the same top-level section), 以下均需X落实，不再列出 (likewise X);
* deadlines: 2025年底前完成, 2024年6月底前, 长期坚持 (in the grammar of domain/dates.py,
  counted from the document's date), in a clause or in a bracket of their own
  ("（2025年底前完成）", "（完成时限：2024年6月底前）");
* brackets: （…）, (…), and 〔…〕 / 【…】 (which may hold round brackets: 相关市(州)人民政府);
* names are split on 、, on "等和" (X等和各省级人民政府) and on 及/和 before 各 (X及各县政府); a
  trailing 等 is dropped; "具体任务均涉及X，不再做分工，下同" carries X like 下同; collectives
  (各有关部门, 各省级人民政府) are kept as written, and a clause of collectives only names no lead.

Brackets that are not clauses stay in the text: "（试行）", "（2023—2025年）", and an explanation
inside a sentence ("…的实施（技工院校内由人力资源社会保障行政部门负责），国务院…"): a clause ends
its sentence or stands after one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from imtrack.domain import clock
from imtrack.domain.dates import parse_due
from imtrack.errors import InvalidValue

_ROLE = r"牵头|配合|负责|协办|指导|参与|单位[:：]|部门[:：]"
# Round brackets hold no brackets; 〔…〕 and 【…】 may ("〔责任单位：…相关市(州)人民政府…〕").
CLAUSE = re.compile(
    rf"[（(](?P<inner>[^（）()]*?(?:{_ROLE})[^（）()]*)[）)]"
    rf"|[〔【](?P<square>[^〔〕【】]*?(?:{_ROLE})[^〔〕【】]*)[〕】]"
)
# A bracket that holds only a deadline: "（2025年底前完成）", "（完成时限：2024年6月底前）".
_DUE_BRACKET = re.compile(r"[（(](?P<inner>[^（）()]*?(?:前|底|末|内|完成|时限)[^（）()]*)[）)]")
_LABEL_START = r"(?:(?:牵头|责任|主责|负责|承办|主办|配合|协办|参与|协同|协助)(?:单位|部门)|(?:完成|办结)?时限)[:：]"
# A labelled list without brackets, closing an item: "…平台。责任单位：X、Y" or on the lines below it.
_TAIL = re.compile(rf"(?:(?<=[。；;.！!？?\n])|^)[ \t]*(?P<inner>{_LABEL_START}[^（）()]*)$")
LABEL_LINE = re.compile(rf"^{_LABEL_START}")
_LABEL = re.compile(r"^(?P<label>[^:：]{1,8})[:：]\s*(?P<value>.*)$")
_LEAD_LABEL = re.compile(r"^(?:牵头|责任|主责|负责|承办|主办)(?:单位|部门)$")
_PARTNER_LABEL = re.compile(r"^(?:配合|协办|参与|协同|协助)(?:单位|部门)$")
_DUE_LABEL = re.compile(r"^(?:完成|办结)?(?:时限|时间|期限)$")
_LEAD_WORDS = ("牵头负责", "牵头")
_PARTNER_WORDS = ("协同配合", "配合", "协办", "参与", "协助")
_RESPONSIBLE_WORDS = (
    "按职责分工负责", "按职责负责", "分别负责", "共同负责", "负责落实", "具体负责", "负责", "指导",
    "组织实施",
)
_RULE = re.compile(r"^(?:列|排)?(?:在)?第一(?:位|个|家)(?:者|的)?(?:为|是)牵头(?:单位|部门)$")
_CARRY = re.compile(
    r"^(?:以下|具体任务|各项任务)(?:均|都)?(?:需|由|须|涉及)(?P<names>.+?)(?:负责)?(?:落实)?$"
)
_SAME_BELOW = ("下同", "以下同", "不再列出", "不再一一列出", "不再做分工", "不再分工", "不再一一分工")
_NAME_SEP = re.compile(r"、|等和|[及和](?=各)|[,，/／]")
_DUE_VERBS = re.compile(r"(?:完成|到位|出台|建成|实现|落实|办结|见效)$")
_SENTENCE_END = "。；;.！!？?"
_NAME_MAX = 30


@dataclass(frozen=True, slots=True)
class Clause:
    """The inside of one clause, read: `agencies` as written, lead first."""

    lead: str | None
    partners: list[str]
    agencies: tuple[str, ...] = ()
    due: str | None = None  # ISO date or "ongoing"
    carry: tuple[str, ...] = ()  # agencies this clause says apply to every later clause


@dataclass(slots=True)
class Split:
    """An item's text without its clauses, and each clause with the sentence it covers."""

    text: str
    found: list[tuple[str, Clause, str]] = field(default_factory=list)  # (sentence, clause, raw)
    dues: list[str] = field(default_factory=list)  # from brackets that hold only a deadline


def _names(text: str) -> list[str]:
    out = []
    for name in _NAME_SEP.split(text):
        name = name.strip().removesuffix("等").strip()
        if name:
            out.append(name)
    return out


def _strip_word(part: str, words: tuple[str, ...]) -> str | None:
    for word in words:
        if part.endswith(word) and len(part) > len(word):
            return part[: -len(word)]
    return None


def _deadline(part: str, today: date | None) -> str | None:
    text = _DUE_VERBS.sub("", part.strip()).lstrip("于在到").strip()
    if not text or not re.search(r"\d|年|月|季度|持续|长期|常态", text):
        return None
    try:
        return parse_due(text, today or clock.now().date()).stored
    except InvalidValue:
        return None


def _role_names(part: str) -> str | None:
    """The names before a partner's or a responsible unit's role word, or None."""
    names = _strip_word(part, _PARTNER_WORDS)
    if names is None:
        names = _strip_word(part, _RESPONSIBLE_WORDS)
        if names is not None and "由" in names:
            return None  # "技工院校内由…部门负责": a sentence, not a list of names
    return names


def _is_collective(name: str) -> bool:
    """各有关部门, 各省级人民政府, 国务院各部门, 有关单位: everyone of a kind, not a named unit."""
    return name.startswith(("各", "有关", "相关", "其他")) or "各" in name or name.endswith("有关部门")


def parse_clause(inner: str, today: date | None = None) -> Clause | None:
    """The agencies (and deadline) in the inside of a responsibility clause, or None if it is
    not one. `today` is the document's date, for deadlines written without a year."""
    leads: list[str] = []
    others: list[str] = []  # responsible and partners, in the order written
    carry: list[str] = []
    due: str | None = None
    last_names: list[str] = []
    pending: list[str] = []  # names before their role: "国务院各部门，各省级人民政府按职责分工负责"
    listing: bool = False  # a label opened a list: "责任单位：X，Y" goes on with Y
    for part in re.split(r"[，,；;。\s]+", inner):
        part = part.strip()
        if not part:
            continue
        listed, listing = listing, False
        if part in _SAME_BELOW:
            carry.extend(n for n in last_names if n not in carry)
            continue
        if _RULE.match(part):
            last_names = []  # "列第一位者为牵头单位，下同": the rule holds below, not the agencies
            continue
        if m := _LABEL.match(part):
            label, value = m["label"].strip(), m["value"].strip()
            value = _strip_word(value, _RESPONSIBLE_WORDS) or value  # "责任单位：X、Y按职责分工负责"
            if _LEAD_LABEL.match(label) or _PARTNER_LABEL.match(label):
                last_names = _names(value)
                others.extend(last_names)
                listing = True
            elif _DUE_LABEL.match(label):
                due = _deadline(value, today) or due
            # any other field (范围：…, 责任领导：…) is kept in the raw clause only
            continue
        if m := _CARRY.match(part):
            # the clause that says so covers its own sentence too
            others.extend(n for n in _names(m["names"]) if n not in (*leads, *others))
            carry.extend(n for n in _names(m["names"]) if n not in carry)
            last_names = []  # "…，不再做分工，下同" after it carries nothing more
            continue
        if (names := _strip_word(part, _LEAD_WORDS)) is not None:
            last_names = [*pending, *_names(names)]
            leads.extend(last_names)
        elif (names := _role_names(part)) is not None:
            last_names = [*pending, *_names(names)]
            others.extend(last_names)
        elif (when := _deadline(part, today)) is not None:
            due = when
            continue
        elif listed and not re.search(r"\d|[:：]", part):
            last_names = _names(part)
            others.extend(last_names)
            listing = True
            continue
        elif len(part) <= _NAME_MAX and not re.search(r"\d|[:：]", part):
            pending.extend(_names(part))
            continue
        else:
            return None  # "(试行)", "(2023—2025年)": ordinary brackets, not a clause
        pending = []
    if pending:
        return None  # names without a role: "（北京、上海）"
    agencies = [*leads, *others]  # as written, even a repeat
    if not agencies:
        return None
    named = [a for a in agencies if not _is_collective(a)]
    lead = (leads or named or [None])[0]
    return Clause(
        lead=lead,
        partners=_without_first(agencies, lead),
        agencies=tuple(agencies),
        due=due,
        carry=tuple(carry),
    )


def _without_first(names: list[str], lead: str | None) -> list[str]:
    out = list(names)
    if lead in out:
        out.remove(lead)
    return out


def due_only(inner: str, today: date | None = None) -> Clause | None:
    """A bracket that names no one but sets a deadline ("2025年底前完成", "完成时限：2024年6月底前")."""
    m = _LABEL.match(inner.strip())
    if m and _DUE_LABEL.match(m["label"].strip()):
        due = _deadline(m["value"], today)
    else:
        due = _deadline(inner, today) if re.search(r"前|底|末|内|完成", inner) else None
    return Clause(lead=None, partners=[], due=due) if due else None


def _stands_alone(text: str, start: int, end: int) -> bool:
    """A clause ends its sentence (end of text, or 。；… after it) or stands after one."""
    before = text[:start].rstrip(" ")
    after = text[end:].lstrip(" ")
    return not after or after[0] in _SENTENCE_END + "\n" or not before or before[-1] in _SENTENCE_END + "\n"


def find_clauses(text: str, today: date | None = None) -> list[tuple[re.Match[str], Clause]]:
    """Every responsibility clause in `text`, in order."""
    out = []
    for m in CLAUSE.finditer(text):
        if not _stands_alone(text, m.start(), m.end()):
            continue
        clause = parse_clause(m["inner"] or m["square"], today)
        if clause is not None:
            out.append((m, clause))
    for m in _DUE_BRACKET.finditer(text):
        inside = any(c.start() <= m.start() < c.end() for c, _ in out)
        clause = None if inside or not _stands_alone(text, m.start(), m.end()) else due_only(m["inner"], today)
        if clause is not None:
            out.append((m, clause))
    out.sort(key=lambda found: found[0].start())
    tail = _TAIL.search(text, out[-1][0].end() if out else 0)
    if tail is not None and (clause := parse_clause(tail["inner"], today)) is not None:
        out.append((tail, clause))
    return out


def split_clauses(text: str, today: date | None = None) -> Split:
    """`text` without its clauses, and each clause with the sentence it covers: the text since
    the previous clause (or the item's start), including the 。 that follows a clause set before
    its sentence's end ("…基地（X负责）。")."""
    pieces: list[str] = []
    found: list[tuple[str, Clause, str]] = []
    dues: list[str] = []
    pos = 0
    covered = ""  # text since the last clause that names agencies
    for m, clause in find_clauses(text, today):
        sentence = text[pos : m.start()]
        end = m.end()
        rest = text[end:]
        if rest[:1] and rest[0] in _SENTENCE_END and not (sentence.rstrip()[-1:] in _SENTENCE_END):
            sentence += rest[0]
            end += 1
        pieces.append(sentence.rstrip(" "))
        covered += sentence.rstrip(" ")
        if clause.agencies:
            found.append((covered.strip(), clause, m.group(0)))
            covered = ""
        elif clause.due:
            dues.append(clause.due)  # a deadline alone covers no sentence of its own
        pos = end
    pieces.append(text[pos:])
    return Split(text="".join(pieces).strip(), found=found, dues=dues)


def split_clause(text: str) -> tuple[str, Clause | None]:
    """`text` without its trailing responsibility clause, and the clause."""
    split = split_clauses(text)
    if not split.found or not _ends_with_clause(text):
        return text, None
    return split.text, split.found[-1][1]


def _ends_with_clause(text: str, named: bool = False) -> bool:
    found = [(m, c) for m, c in find_clauses(text) if c.agencies or not named]
    if not found:
        return False
    tail = text[found[-1][0].end() :].strip()
    return tail == "" or (len(tail) == 1 and tail in _SENTENCE_END)


def ends_with_clause(text: str, named: bool = False) -> bool:
    """Does `text` end with a clause (optionally followed by 。)? `named`: one that names agencies,
    not a deadline alone."""
    return _ends_with_clause(text, named)
