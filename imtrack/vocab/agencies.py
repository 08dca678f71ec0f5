"""Agency names (牵头/配合单位): one canonical name per agency, from an editable alias table.

`data/agencies.toml` lists each agency's canonical name and its aliases (发改委 = 发展改革委 =
自治区发展改革委). Matching folds full-/half-width forms, case and all whitespace, and drops a
leading 内蒙古自治区 / 内蒙古 / 自治区 when the full form is not listed.

API:

* `canonical(name)` -> the canonical name, or `name` unchanged when the table does not know it
  (so a new agency still works; add it to the table to group its spellings).
* `is_known(name)`; `AgencyTable.names` (canonical names in file order).
* `load_agencies(path)` reads another table; `bundled_agencies()` is the cached bundled one.

`canonical_at(name, level, place)` reads a name at a document's issuing level (national, region,
city): what `imtrack import` stores, keeping the name as written beside it.

Use it when storing a lead/partner (store the canonical name) and when filtering (`--lead 发改委`
matches 自治区发展改革委).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from imtrack.domain.frozen import Frozen
from imtrack.errors import StoreError
from imtrack.i18n import _
from imtrack.resources import data_file
from imtrack.vocab.textnorm import fold_compact

_PREFIXES = ("内蒙古自治区", "内蒙古", "自治区")


def _key(name: str) -> str:
    return fold_compact(name)


def _without_prefix(key: str) -> str | None:
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return None


class AgencyTable(Frozen):
    __slots__ = ("path", "names", "lookup", "national")
    path: Path
    names: tuple[str, ...]  # canonical names, in file order
    lookup: dict[str, str]  # folded name or alias -> canonical name
    national: frozenset[str]  # canonical names of entries marked level = "national"

    def __init__(
        self, path: Path, names: tuple[str, ...], lookup: dict[str, str], national: Iterable[str] = ()
    ) -> None:
        init = object.__setattr__
        init(self, "path", path)
        init(self, "names", names)
        init(self, "lookup", lookup)
        init(self, "national", frozenset(national))

    def find(self, name: str) -> str | None:
        key = _key(name)
        hit = self.lookup.get(key)
        if hit is None and (short := _without_prefix(key)):
            hit = self.lookup.get(short)
        return hit

    def canonical(self, name: str) -> str:
        return self.find(name) or name

    def is_known(self, name: str) -> bool:
        return self.find(name) is not None

    def at_level(self, name: str, level: str, place: str = "") -> str:
        """The canonical name of `name` as a document issued at `level` means it (see
        `canonical_at`)."""
        name = name.strip()
        if level == "national":
            for candidate in (name, f"国家{name}"):
                hit = self.lookup.get(_key(candidate))
                if hit is not None and hit in self.national:
                    return hit
            if _QUALIFIED.match(name):
                return self.canonical(name)
            return name
        if level in ("city", "province") and place:
            short = place[-1]  # 市 / 省: how the document names its own agencies (市发改委)
            known = self.find(name)
            if name.startswith(place) or (known is not None and known in self.national):
                return known or name
            if _QUALIFIED.match(name) and not name.startswith(short):
                return self.canonical(name)
            bare = name.removeprefix(short)
            regional = self.find(bare)
            if regional is not None and regional.startswith("自治区"):
                return place + regional.removeprefix("自治区")
            return place + bare if name.startswith(short) else name
        return self.canonical(name)


# A name that says whose agency it is: 国家…, 中国…, 国务院…, 内蒙古自治区…, 自治区…, or a named
# province, region, city, league or banner.
_QUALIFIED = re.compile(r"^(?:国家|中国|国务院|中央|全国|内蒙古|自治区|各|有关|[\u4e00-\u9fff]{2,6}?(?:省|自治区|市|盟|旗|县|区)(?!场|局|委|厅|办))")


def _fail(path: Path, message: str) -> StoreError:
    return StoreError(_("agency table {path}: {message}; fix the file").format(path=path, message=message))


def load_agencies(path: Path | None = None) -> AgencyTable:
    """Read and validate an agency table (format: the comments in data/agencies.toml); what it
    builds is cached on disk until the file changes (datacache.py)."""
    from imtrack.vocab.datacache import cached

    path = path or data_file("agencies.toml")
    names, lookup, national = cached(path, "agencies", _build_agencies)
    return AgencyTable(path=path, names=names, lookup=lookup, national=national)


def _build_agencies(path: Path) -> tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]:
    """(canonical names in file order, folded name or alias -> canonical name, names of the
    national entries) from the file."""
    from imtrack.resources import load_toml

    raw = load_toml(path, "agency table")
    names: list[str] = []
    lookup: dict[str, str] = {}
    national: list[str] = []
    for i, entry in enumerate(raw.get("agency", []), start=1):
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail(path, f"agency {i} has no name")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise _fail(path, f"aliases of {name} must be a list of strings")
        name = name.strip()
        level = entry.get("level", "region")
        if level not in ("national", "region"):
            raise _fail(path, f"level of {name} must be \"national\" or \"region\", not {level!r}")
        if level == "national":
            national.append(name)
        names.append(name)
        for alias in (name, *aliases):
            key = _key(alias)
            if not key:
                continue
            if lookup.get(key, name) != name:
                raise _fail(path, f"{alias!r} is listed for both {lookup[key]} and {name}")
            lookup[key] = name
    return tuple(names), lookup, tuple(national)


@cache
def bundled_agencies() -> AgencyTable:
    return load_agencies()


def canonical(name: str, table: AgencyTable | None = None) -> str:
    """The canonical name of an agency, or `name` unchanged if the table does not know it."""
    return (table or bundled_agencies()).canonical(name)


def canonical_at(name: str, level: str, place: str = "", table: AgencyTable | None = None) -> str:
    """The canonical name of an agency named in a document issued at `level`:

    * national (国务院, ministries): an entry marked national, by the name or 国家+name
      (发展改革委 -> 国家发展改革委); a name the table holds only as a region's is kept as written,
      since 发展改革委 in a State Council document is not 自治区发展改革委;
    * region (自治区): `canonical(name)`, the table's own reading;
    * city or province (`place`, e.g. 包头市, 四川省): an unqualified name the table knows as a
      region's, or one written 市… / 省…, is that place's (市发展改革委 / 发改委 -> 包头市发展改革委);
      national entries stay national; a name the table does not know is kept as written.
    """
    return (table or bundled_agencies()).at_level(name, level, place)


def is_known(name: str, table: AgencyTable | None = None) -> bool:
    return (table or bundled_agencies()).is_known(name)


def clean_partners(partners: Iterable[str], lead: str | None, table: AgencyTable | None = None) -> list[str]:
    """Partners as stored: canonical names, in the order given, without blanks, without repeats
    and without the lead (an agency that leads a measure does not also assist on it)."""
    seen = {_key(canonical(lead, table))} if lead and lead.strip() else set()
    out: list[str] = []
    for name in partners:
        name = name.strip()
        if not name:
            continue
        name = canonical(name, table)
        key = _key(name)
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def without_lead(partners: Iterable[str], lead: str | None, table: AgencyTable | None = None) -> list[str]:
    """`partners` as they are, minus any that names the same agency as `lead` (a new lead set on
    a measure whose partner list already had it)."""
    if not lead or not lead.strip():
        return list(partners)
    key = _key(canonical(lead, table))
    return [p for p in partners if _key(canonical(p, table)) != key]
