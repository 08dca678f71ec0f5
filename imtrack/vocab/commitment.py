"""Commitment type (承诺类型): what kind of promise a measure makes, from its leading policy verb.

The vocabulary is fixed here (filters and reports depend on it); the verbs that signal each
type are data, `data/commitments.toml`, whose comments give the exact rule for finding the
leading verb (skip a leading condition 在……前提下，, a framing clause 聚焦……，, adverbs 大力;
then the verb at the head; 开展……研究论证 is a study; 将……纳入 takes 纳入).

API:

* `COMMITMENTS` -- the types in display order, each `Commitment(slug, label)`:
  study 研究, support 支持, encourage 鼓励, advance 推进 (推动/推进/加快/促进…),
  implement 实施 (实施/开展/建设/完善/提升…), other 其他.
* `commitment_of(text)` -> slug, with the bundled rules; `load_rules(path)` for another file,
  and `CommitmentRules.explain(text)` -> `(slug, verb or None)` to show why.
* `parse_commitment(text)` -> `Commitment` for a user's `--commitment` value: slug, label, or
  any verb listed for the type (推动 -> advance); raises InvalidValue otherwise.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from imtrack.domain.frozen import Frozen
from imtrack.errors import InvalidValue, StoreError
from imtrack.i18n import _
from imtrack.resources import data_file
from imtrack.vocab.textnorm import fold, fold_compact


class Commitment(Frozen):
    __slots__ = ("slug", "label")
    slug: str
    label: str

    def __init__(self, slug: str, label: str) -> None:
        init = object.__setattr__
        init(self, "slug", slug)
        init(self, "label", label)


COMMITMENTS: tuple[Commitment, ...] = (
    Commitment("study", "研究"),
    Commitment("support", "支持"),
    Commitment("encourage", "鼓励"),
    Commitment("advance", "推进"),
    Commitment("implement", "实施"),
    Commitment("other", "其他"),
)
OTHER = "other"
BY_SLUG: dict[str, Commitment] = {c.slug: c for c in COMMITMENTS}

# A leading condition is what the pattern ^在[^,。;!?]{0,80}?(?:前提下|...|框架下),? matches: 在,
# at most 80 characters that end no clause, the first of these endings, and a comma after it.
# Written out with str.find: compiling the two patterns cost more than a whole `list` spends
# classifying the seed (start-up, issue 6); tests/test_commitment.py checks them against re.
_CONDITION_ENDS = ("前提下", "基础上", "条件下", "情况下", "过程中", "框架下")
_CLAUSE_ENDS = ",。;!?"


def _clause_end(s: str) -> int:
    """Where the first clause of `s` ends (the first of , 。 ; ! ?), or len(s)."""
    ends = [i for i in map(s.find, _CLAUSE_ENDS) if i != -1]
    return min(ends) if ends else len(s)


def _without_condition(s: str) -> str:
    """`s` without a leading condition clause (在……前提下，)."""
    if not s.startswith("在"):
        return s
    limit = min(81, _clause_end(s))  # where the condition's last word may start, at most
    found = [i for i in (s.find(end, 1, limit + 3) for end in _CONDITION_ENDS) if i != -1]
    if not found:
        return s
    cut = min(found) + 3
    return s[cut + 1 :] if s[cut : cut + 1] == "," else s[cut:]


def label(slug: str) -> str:
    commitment = BY_SLUG.get(slug)
    return commitment.label if commitment else slug


def commitment_choices() -> str:
    return ", ".join(f"{c.slug} ({c.label})" for c in COMMITMENTS)


class CommitmentRules(Frozen):
    __slots__ = ("path", "verbs", "adverbs", "framing", "light_verbs", "study_objects", "ba_verbs", "starts")
    path: Path
    verbs: dict[str, str]  # folded verb -> slug
    adverbs: tuple[str, ...]
    framing: tuple[str, ...]
    light_verbs: frozenset[str]
    study_objects: tuple[str, ...]
    ba_verbs: tuple[str, ...]
    starts: dict[str, tuple[int, ...]]  # first character -> verb lengths, longest first

    def __init__(
        self,
        path: Path,
        verbs: dict[str, str],
        adverbs: tuple[str, ...],
        framing: tuple[str, ...],
        light_verbs: frozenset[str],
        study_objects: tuple[str, ...],
        ba_verbs: tuple[str, ...],
        starts: dict[str, tuple[int, ...]],
    ) -> None:
        init = object.__setattr__
        init(self, "path", path)
        init(self, "verbs", verbs)
        init(self, "adverbs", adverbs)
        init(self, "framing", framing)
        init(self, "light_verbs", light_verbs)
        init(self, "study_objects", study_objects)
        init(self, "ba_verbs", ba_verbs)
        init(self, "starts", starts)

    def _verb_at(self, text: str, start: int = 0) -> str | None:
        """The longest listed verb starting at `start`."""
        for size in self.starts.get(text[start : start + 1], ()):
            word = text[start : start + size]
            if word in self.verbs:
                return word
        return None

    def explain(self, text: str, *, compact: bool = False) -> tuple[str, str | None]:
        """(slug, the leading verb that decided it, or None for `other`); `compact=True` when
        `text` is already textnorm.fold_compact()ed."""
        s = text if compact else fold_compact(text)  # NFKC turns ，into , and （ into (
        s = _without_condition(s)
        if s.startswith(self.framing):
            end = s.find(",")
            if end != -1:
                s = s[end + 1 :]
        stripped = True
        while stripped:
            stripped = False
            for adverb in self.adverbs:
                if s.startswith(adverb) and len(s) > len(adverb):
                    s, stripped = s[len(adverb) :], True
        clause = s[: _clause_end(s)]
        head = self._verb_at(s)
        if head is not None:
            if head in self.light_verbs and clause.endswith(self.study_objects):
                return "study", head
            return self.verbs[head], head
        if s.startswith(("将", "把")):
            found = [(clause.find(v), v) for v in self.ba_verbs if v in clause]
            if found:
                verb = min(found)[1]
                return self.verbs[verb], verb
        for i in range(len(s)):
            verb = self._verb_at(s, i)
            if verb is not None:
                return self.verbs[verb], verb
        return OTHER, None

    def classify(self, text: str, *, compact: bool = False) -> str:
        return self.explain(text, compact=compact)[0]


def _fail(path: Path, message: str) -> StoreError:
    return StoreError(_("commitment rules {path}: {message}; fix the file").format(path=path, message=message))


def _words(path: Path, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"{where} must be a list of strings")
    return tuple(fold_compact(v) for v in value if v.strip())


def load_rules(path: Path | None = None) -> CommitmentRules:
    """Read and validate a commitment rules file (format: data/commitments.toml); what it
    builds is cached on disk until the file changes (datacache.py)."""
    from imtrack.vocab.datacache import cached

    path = path or data_file("commitments.toml")
    return CommitmentRules(path, *cached(path, "commitments", _build_rules))


def _build_rules(path: Path) -> tuple[Any, ...]:
    """The fields of CommitmentRules after `path`, in order, from its file."""
    from imtrack.resources import load_toml

    raw = load_toml(path, "commitment rules")
    verbs: dict[str, str] = {}
    for slug, listed in raw.get("types", {}).items():
        if slug not in BY_SLUG or slug == OTHER:
            choices = ", ".join(c.slug for c in COMMITMENTS if c.slug != OTHER)
            raise _fail(path, f"unknown type {slug!r} in [types]; use one of: {choices}")
        for verb in _words(path, f"types.{slug}", listed):
            if verbs.get(verb, slug) != slug:
                raise _fail(path, f"verb {verb!r} is listed under both {verbs[verb]} and {slug}")
            verbs[verb] = slug
    skip, light, ba = raw.get("skip", {}), raw.get("light", {}), raw.get("ba", {})
    ba_verbs = _words(path, "ba.verbs", ba.get("verbs", []))
    unlisted = [v for v in ba_verbs if v not in verbs]
    if unlisted:
        raise _fail(path, f"[ba] verb {unlisted[0]!r} must also be listed under [types]")
    return (
        verbs,
        # adverbs: longest first, so that 进一步 is skipped whole rather than as a prefix of something
        tuple(sorted(_words(path, "skip.adverbs", skip.get("adverbs", [])), key=len, reverse=True)),
        _words(path, "skip.framing", skip.get("framing", [])),  # framing
        frozenset(_words(path, "light.verbs", light.get("verbs", []))),  # light_verbs
        _words(path, "light.study_objects", light.get("study_objects", [])),  # study_objects
        ba_verbs,
        {  # starts
            c: tuple(sorted({len(v) for v in verbs if v[0] == c}, reverse=True))
            for c in {v[0] for v in verbs}
        },
    )


@cache
def bundled_rules() -> CommitmentRules:
    return load_rules()


def commitment_of(text: str, rules: CommitmentRules | None = None, *, compact: bool = False) -> str:
    """The commitment type slug of a measure's text (bundled rules by default); `compact=True`
    when `text` is already textnorm.fold_compact()ed."""
    return (rules or bundled_rules()).classify(text, compact=compact)


def parse_commitment(text: str, rules: CommitmentRules | None = None) -> Commitment:
    """A user's commitment type: slug, Chinese label, or one of the type's verbs."""
    key = fold(text)
    for commitment in COMMITMENTS:
        if key in (commitment.slug, fold(commitment.label)):
            return commitment
    slug = (rules or bundled_rules()).verbs.get(fold_compact(text))
    if slug:
        return BY_SLUG[slug]
    raise InvalidValue(_("unknown commitment type {text!r}; use one of: {value}").format(text=text, value=commitment_choices()))
