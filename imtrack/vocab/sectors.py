"""The sector vocabulary (领域) and the keyword rules that classify a measure.

The vocabulary is fixed in code because filters, completion and reports depend on it; it covers
all seven task areas of 国发〔2023〕16号, not only the seed page. The keyword rules are data
(`data/sector-rules.toml`, or a `sector-rules.toml` beside the database) so analysts can tune
them without touching code."""

from __future__ import annotations

from pathlib import Path

from imtrack.domain.frozen import Frozen
from imtrack.errors import InvalidValue, StoreError
from imtrack.i18n import _
from imtrack.resources import data_file
from imtrack.vocab.textnorm import fold


class Sector(Frozen):
    __slots__ = ("slug", "label", "aliases")
    slug: str
    label: str
    aliases: tuple[str, ...]

    def __init__(self, slug: str, label: str, aliases: tuple[str, ...] = ()) -> None:
        init = object.__setattr__
        init(self, "slug", slug)
        init(self, "label", label)
        init(self, "aliases", aliases)


SECTORS: tuple[Sector, ...] = (
    Sector("innovation", "科技创新", ("科技", "创新")),
    Sector("talent", "人才"),
    Sector("industry", "产业", ("工业", "制造业")),
    Sector("services", "服务业", ("服务", "现代服务业")),
    Sector("culture-tourism", "文化旅游", ("文旅", "文化", "旅游")),
    Sector("finance", "金融"),
    Sector("transport", "交通", ("交通运输",)),
    Sector("digital", "数字基础设施", ("数字", "新基建", "信息基础设施")),
    Sector("ecology", "生态", ("生态环境", "生态文明")),
    Sector("energy", "能源"),
    Sector("agriculture", "农牧业", ("农业", "农牧")),
    Sector("reform", "改革"),
    Sector("opening-up", "对外开放", ("开放",)),
    Sector("social", "民生与社会事业", ("民生", "社会事业")),
    Sector("other", "其他"),
)
OTHER = "other"
BY_SLUG: dict[str, Sector] = {s.slug: s for s in SECTORS}

_LOOKUP: dict[str, Sector] = {}
for _s in SECTORS:
    for _name in (_s.slug, _s.slug.replace("-", "_"), _s.slug.replace("-", ""), _s.label, *_s.aliases):
        _LOOKUP[fold(_name)] = _s


def sector_choices() -> str:
    return ", ".join(f"{s.slug} ({s.label})" for s in SECTORS)


def parse_sector(text: str) -> Sector:
    """Accept the slug, the Chinese label or a common alias, in any width or case."""
    sector = _LOOKUP.get(fold(text))
    if sector is None:
        raise InvalidValue(_("unknown sector {text!r}; use one of: {value}").format(text=text, value=sector_choices()))
    return sector


def label(slug: str) -> str:
    sector = BY_SLUG.get(slug)
    return sector.label if sector else slug


STRONG_WEIGHT = 5


class Rule(Frozen):
    __slots__ = ("sector", "strong", "keywords")
    sector: str
    strong: tuple[str, ...]
    keywords: tuple[str, ...]

    def __init__(self, sector: str, strong: tuple[str, ...], keywords: tuple[str, ...]) -> None:
        init = object.__setattr__
        init(self, "sector", sector)
        init(self, "strong", strong)
        init(self, "keywords", keywords)


class SectorRules(Frozen):
    __slots__ = ("path", "rules")
    path: Path
    rules: tuple[Rule, ...]

    def __init__(self, path: Path, rules: tuple[Rule, ...]) -> None:
        init = object.__setattr__
        init(self, "path", path)
        init(self, "rules", rules)

    def classify(self, text: str) -> str:
        """The best-scoring sector for `text`, or `other` when no phrase matches."""
        folded = fold(text)
        best, best_score = OTHER, 0
        for rule in self.rules:
            score = STRONG_WEIGHT * sum(1 for k in rule.strong if k in folded)
            score += sum(1 for k in rule.keywords if k in folded)
            if score > best_score:  # strict: ties go to the rule listed first
                best, best_score = rule.sector, score
        return best


def bundled_rules_path() -> Path:
    return data_file("sector-rules.toml")


def load_rules(path: Path | None = None) -> SectorRules:
    """Read and validate a rules file; a mistake in it names the file and the fix. What it
    builds is cached on disk until the file changes (datacache.py)."""
    from imtrack.vocab.datacache import cached

    path = path or bundled_rules_path()
    rules = cached(path, "sector-rules", _build_rules)
    return SectorRules(path=path, rules=tuple(Rule(*rule) for rule in rules))


def _build_rules(path: Path) -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """(sector, strong, keywords) for each rule of the file, in order."""
    from imtrack.resources import load_toml

    raw = load_toml(path, "sector rules")
    entries = raw.get("rule", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise StoreError(_("sector rules {path}: write each rule as a [[rule]] table (see the bundled file)").format(path=path))
    rules = []
    for i, entry in enumerate(entries, start=1):
        slug = entry.get("sector")
        if slug not in BY_SLUG:
            raise StoreError(
                _("sector rules {path}: rule {i} names unknown sector {slug!r}; use one of: {value}").format(path=path, i=i, slug=slug, value=', '.join(BY_SLUG))
            )
        phrases = {}
        for key in ("strong", "keywords"):
            value = entry.get(key, [])
            # A bare string would otherwise be iterated character by character and match everything.
            if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
                raise StoreError(
                    _('sector rules {path}: rule {i} ({slug}): {key!r} must be a list of phrases, e.g. {key} = ["铁路", "公路"]').format(path=path, i=i, slug=slug, key=key)
                )
            phrases[key] = tuple(fold(k) for k in value if k.strip())
        rules.append((slug, phrases["strong"], phrases["keywords"]))
    return tuple(rules)
