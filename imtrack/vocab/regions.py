"""Regions: which of Inner Mongolia's 12 leagues and cities (盟市) a measure is about.

The 12 names are fixed here (filters and reports depend on them); which place names belong to
which of them is data, `data/places.toml` (see the comments there for the matching rule and
the decisions about ambiguous names).

API:

* `REGIONS` -- the 12, in the official order (cities first, then leagues), as `Region(name,
  slug)`; canonical names are cities without 市 (包头) and leagues with 盟 (兴安盟, 阿拉善盟).
* `regions_of(text)` -> the canonical names the text mentions, in order of first mention,
  using the bundled gazetteer. `load_gazetteer(path)` reads another file;
  `Gazetteer.regions_of()` and `Gazetteer.mentions()` (which names matched, for explaining).
* `parse_region(text)` -> `Region` for a user's `--region` value: the name, with or without
  市/盟, the slug, or an alias from the gazetteer (呼市, 锡盟); raises InvalidValue otherwise.
* `sort_key(name)` orders region names as `REGIONS` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from imtrack.domain.frozen import Frozen
from imtrack.errors import InvalidValue, StoreError
from imtrack.i18n import _
from imtrack.resources import data_file
from imtrack.vocab.textnorm import fold_compact


class Region(Frozen):
    __slots__ = ("name", "slug")
    name: str
    slug: str

    def __init__(self, name: str, slug: str) -> None:
        init = object.__setattr__
        init(self, "name", name)
        init(self, "slug", slug)

    @property
    def is_league(self) -> bool:
        return self.name.endswith("盟")


REGIONS: tuple[Region, ...] = (
    Region("呼和浩特", "hohhot"),
    Region("包头", "baotou"),
    Region("乌海", "wuhai"),
    Region("赤峰", "chifeng"),
    Region("通辽", "tongliao"),
    Region("鄂尔多斯", "ordos"),
    Region("呼伦贝尔", "hulunbuir"),
    Region("巴彦淖尔", "bayannur"),
    Region("乌兰察布", "ulanqab"),
    Region("兴安盟", "hinggan"),
    Region("锡林郭勒盟", "xilingol"),
    Region("阿拉善盟", "alxa"),
)
BY_NAME: dict[str, Region] = {r.name: r for r in REGIONS}
_ORDER = {r.name: i for i, r in enumerate(REGIONS)}


def sort_key(name: str) -> int:
    return _ORDER.get(name, len(_ORDER))


def region_choices() -> str:
    return ", ".join(f"{r.slug} ({r.name})" for r in REGIONS)


class Gazetteer(Frozen):
    __slots__ = ("path", "names", "aliases", "starts")
    path: Path
    # folded name -> the regions it stands for; () for a [not_places] phrase
    names: dict[str, tuple[str, ...]]
    aliases: dict[str, str]  # folded alias of a 盟市 itself -> canonical name
    # first character -> lengths of the names starting with it, longest first: most characters
    # start no name, so the scan costs one dict lookup per character (10k measures in ~0.1 s)
    starts: dict[str, tuple[int, ...]]

    def __init__(
        self,
        path: Path,
        names: dict[str, tuple[str, ...]],
        aliases: dict[str, str],
        starts: dict[str, tuple[int, ...]],
    ) -> None:
        init = object.__setattr__
        init(self, "path", path)
        init(self, "names", names)
        init(self, "aliases", aliases)
        init(self, "starts", starts)

    def mentions(self, text: str, *, compact: bool = False) -> list[tuple[str, tuple[str, ...]]]:
        """Each place name found, left to right, longest match first, with its regions.
        `compact=True`: `text` is already textnorm.fold_compact()ed (derive folds it once for
        the regions and the commitment type: folding is most of the cost at 10,000 measures)."""
        folded = text if compact else fold_compact(text)
        found = []
        i = 0
        while i < len(folded):
            for size in self.starts.get(folded[i], ()):
                regions = self.names.get(folded[i : i + size])
                if regions is not None:
                    found.append((folded[i : i + size], regions))
                    i += size
                    break
            else:
                i += 1
        return found

    def regions_of(self, text: str, *, compact: bool = False) -> list[str]:
        """Canonical 盟市 names mentioned in `text`, in order of first mention."""
        seen: dict[str, None] = {}
        for _span, regions in self.mentions(text, compact=compact):
            for region in regions:
                seen.setdefault(region, None)
        return list(seen)


def _fail(path: Path, message: str) -> StoreError:
    return StoreError(_("gazetteer {path}: {message}; fix the file").format(path=path, message=message))


def _strings(path: Path, where: str, value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"{where} must be a list of strings")
    return [v for v in value if v.strip()]


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read and validate a gazetteer file (format: the comments in data/places.toml); what it
    builds is cached on disk until the file changes (datacache.py)."""
    from imtrack.vocab.datacache import cached

    path = path or data_file("places.toml")
    return Gazetteer(path, *cached(path, "gazetteer", _build_gazetteer))


def _build_gazetteer(path: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, str], dict[str, tuple[int, ...]]]:
    """The gazetteer's tables (names, aliases, starts) from its file."""
    from imtrack.resources import load_toml

    raw = load_toml(path, "gazetteer")

    names: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    aliases: dict[str, str] = {}

    def claim(name: str, regions: tuple[str, ...], by: str) -> None:
        key = fold_compact(name)
        if key in names and names[key] != regions:
            raise _fail(path, f"{name!r} is listed under both {owner[key]} and {by}")
        names[key] = regions
        owner[key] = by

    listed = []
    for entry in raw.get("region", []):
        name = entry.get("name")
        if name not in BY_NAME:
            raise _fail(path, f"region {name!r} is not one of the 12 盟市: {region_choices()}")
        listed.append(name)
        claim(name, (name,), name)
        for alias in _strings(path, f"aliases of {name}", entry.get("aliases", [])):
            claim(alias, (name,), name)
            aliases[fold_compact(alias)] = name
        for place in _strings(path, f"places of {name}", entry.get("places", [])):
            claim(place, (name,), name)
    duplicated = {n for n in listed if listed.count(n) > 1}
    if duplicated:
        raise _fail(path, f"region {min(duplicated)} is listed twice")
    for name in BY_NAME:
        if name not in listed:
            claim(name, (name,), name)  # a 盟市's own name always counts, even if not listed
    for entry in raw.get("group", []):
        group = entry.get("name")
        if not isinstance(group, str) or not group.strip():
            raise _fail(path, "every [[group]] needs a name")
        members = _strings(path, f"regions of group {group}", entry.get("regions", []))
        unknown = [m for m in members if m not in BY_NAME]
        if unknown or not members:
            raise _fail(
                path,
                f"group {group} names {unknown or 'no regions'}; use the 12 names: {region_choices()}",
            )
        claim(group, tuple(dict.fromkeys(members)), f"group {group}")
    for phrase in _strings(
        path, "not_places.phrases", raw.get("not_places", {}).get("phrases", [])
    ):
        claim(phrase, (), "not_places")
    starts: dict[str, set[int]] = {}
    for key in names:
        starts.setdefault(key[0], set()).add(len(key))
    return names, aliases, {c: tuple(sorted(sizes, reverse=True)) for c, sizes in starts.items()}


@cache
def bundled_gazetteer() -> Gazetteer:
    return load_gazetteer()


def regions_of(text: str, gazetteer: Gazetteer | None = None, *, compact: bool = False) -> list[str]:
    """The 盟市 a text mentions, in order of first mention (bundled gazetteer by default);
    `compact=True` when `text` is already textnorm.fold_compact()ed."""
    return (gazetteer or bundled_gazetteer()).regions_of(text, compact=compact)


def parse_region(text: str, gazetteer: Gazetteer | None = None) -> Region:
    """A user's region: canonical name, with or without 市/盟, slug, or a 盟市 alias."""
    key = fold_compact(text)
    for region in REGIONS:
        forms = {region.name, region.slug, region.name.removesuffix("盟"), region.name + "市"}
        if key in {fold_compact(f) for f in forms}:
            return region
    alias = (gazetteer or bundled_gazetteer()).aliases.get(key)
    if alias:
        return BY_NAME[alias]
    raise InvalidValue(_("unknown region {text!r}; use one of: {value}").format(text=text, value=region_choices()))


def sorted_regions(names: Iterable[str]) -> list[str]:
    """Region names in the official order of REGIONS (unknown names last, alphabetically)."""
    return sorted(set(names), key=lambda n: (sort_key(n), n))
