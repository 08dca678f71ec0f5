"""Facts about a measure computed when it is read, never stored: the flags of flags.py
(overdue, due soon, stale, done late, and the 督办 colour), its regions (regions.py) and its
commitment type (commitment.py).

`Settings` carries what the facts depend on: `today` (from imtrack.domain.clock unless given) and the
due-soon and stale windows in days, which `list`, `show` and `report` take as
`--due-soon-days` / `--stale-days`."""

from __future__ import annotations

from datetime import date
from typing import Any

from imtrack.domain import clock
from imtrack.domain.flags import (
    DEFAULT_SOON_DAYS,
    DEFAULT_STALE_DAYS,
    Flags,
    days_left,
    flags,
    last_activity,
)
from imtrack.domain.frozen import Frozen
from imtrack.domain.models import Measure
from imtrack.errors import InvalidValue
from imtrack.i18n import _
from imtrack.vocab.textnorm import fold_compact


# regions.py and commitment.py (with their data files) load on the first derive(), not with this
# module: `list` as a table needs only Settings and the flags (start-up, issue 6). Each stub
# replaces itself with the real function, so later calls cost nothing extra.
def regions_of(text: str, *, compact: bool = False) -> list[str]:  # noqa: F811 - see above
    global regions_of
    from imtrack.vocab.regions import regions_of

    return regions_of(text, compact=compact)


def commitment_of(text: str, *, compact: bool = False) -> str:  # noqa: F811 - see above
    global commitment_of
    from imtrack.vocab.commitment import commitment_of

    return commitment_of(text, compact=compact)


def today() -> date:
    return clock.now().date()


_TODAY: Any = object()  # Settings() without `today`: the clock's day


class Settings(Frozen):
    __slots__ = ("today", "soon_days", "stale_days")
    today: date
    soon_days: int
    stale_days: int

    def __init__(
        self, today: date = _TODAY, soon_days: int = DEFAULT_SOON_DAYS, stale_days: int = DEFAULT_STALE_DAYS
    ) -> None:
        for option, value in (("--due-soon-days", soon_days), ("--stale-days", stale_days)):
            if not 0 <= value <= 3660:
                raise InvalidValue(_("{option} must be between 0 and 3660 days, not {value}").format(option=option, value=value))
        init = object.__setattr__
        init(self, "today", clock.now().date() if today is _TODAY else today)
        init(self, "soon_days", soon_days)
        init(self, "stale_days", stale_days)


class Derived(Frozen):
    __slots__ = ("flags", "regions", "commitment", "days_left", "last_activity")
    flags: Flags
    regions: list[str]
    commitment: str
    days_left: int | None  # until the due date; negative when past, None without a dated deadline
    last_activity: date | None

    def __init__(
        self,
        flags: Flags,
        regions: list[str],
        commitment: str,
        days_left: int | None,
        last_activity: date | None,
    ) -> None:
        init = object.__setattr__
        init(self, "flags", flags)
        init(self, "regions", regions)
        init(self, "commitment", commitment)
        init(self, "days_left", days_left)
        init(self, "last_activity", last_activity)

    @property
    def attention(self) -> str | None:
        return self.flags.attention

    def to_dict(self) -> dict[str, Any]:
        """The JSON fields `list` and `show` add to each measure (README, "JSON output")."""
        return {
            "flags": self.flags.names(),
            "attention": self.attention,
            "regions": list(self.regions),
            "commitment": self.commitment,
            "days_left": self.days_left,
        }


def derive(measure: Measure, settings: Settings | None = None) -> Derived:
    settings = settings or Settings()
    compact = fold_compact(measure.text)  # once for both (the fold is most of their cost)
    return Derived(
        flags=flags(measure, settings.today, settings.soon_days, settings.stale_days),
        regions=regions_of(compact, compact=True),
        commitment=commitment_of(compact, compact=True),
        days_left=days_left(measure, settings.today),
        last_activity=last_activity(measure),
    )
