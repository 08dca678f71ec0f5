"""Agency names (牵头/配合单位): one canonical name per agency, from an editable alias table.

`data/agencies.toml` lists each agency's canonical name and its aliases (发改委 = 发展改革委 =
自治区发展改革委). Matching folds full-/half-width forms, case and all whitespace, and drops a
leading 内蒙古自治区 / 内蒙古 / 自治区 when the full form is not listed.

API:

* `canonical(name)` -> the canonical name, or `name` unchanged when the table does not know it
  (so a new agency still works; add it to the table to group its spellings).
* `is_known(name)`; `AgencyTable.names` (canonical names in file order).
* `load_agencies(path)` reads another table; `bundled_agencies()` is the cached bundled one.

Use it when storing a lead/partner (store the canonical name) and when filtering (`--lead 发改委`
matches 自治区发展改革委).
"""

from __future__ import annotations

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
    __slots__ = ("path", "names", "lookup")
    path: Path
    names: tuple[str, ...]  # canonical names, in file order
    lookup: dict[str, str]  # folded name or alias -> canonical name

    def __init__(self, path: Path, names: tuple[str, ...], lookup: dict[str, str]) -> None:
        init = object.__setattr__
        init(self, "path", path)
        init(self, "names", names)
        init(self, "lookup", lookup)

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


def _fail(path: Path, message: str) -> StoreError:
    return StoreError(_("agency table {path}: {message}; fix the file").format(path=path, message=message))


def load_agencies(path: Path | None = None) -> AgencyTable:
    """Read and validate an agency table (format: the comments in data/agencies.toml); what it
    builds is cached on disk until the file changes (datacache.py)."""
    from imtrack.vocab.datacache import cached

    path = path or data_file("agencies.toml")
    names, lookup = cached(path, "agencies", _build_agencies)
    return AgencyTable(path=path, names=names, lookup=lookup)


def _build_agencies(path: Path) -> tuple[tuple[str, ...], dict[str, str]]:
    """(canonical names in file order, folded name or alias -> canonical name) from the file."""
    from imtrack.resources import load_toml

    raw = load_toml(path, "agency table")
    names: list[str] = []
    lookup: dict[str, str] = {}
    for i, entry in enumerate(raw.get("agency", []), start=1):
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail(path, f"agency {i} has no name")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise _fail(path, f"aliases of {name} must be a list of strings")
        name = name.strip()
        names.append(name)
        for alias in (name, *aliases):
            key = _key(alias)
            if not key:
                continue
            if lookup.get(key, name) != name:
                raise _fail(path, f"{alias!r} is listed for both {lookup[key]} and {name}")
            lookup[key] = name
    return tuple(names), lookup


@cache
def bundled_agencies() -> AgencyTable:
    return load_agencies()


def canonical(name: str, table: AgencyTable | None = None) -> str:
    """The canonical name of an agency, or `name` unchanged if the table does not know it."""
    return (table or bundled_agencies()).canonical(name)


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
