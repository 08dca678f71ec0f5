"""The one place imtrack asks for the time, so tests and scripted histories can fix it.

`IMTRACK_NOW` (an ISO 8601 timestamp) overrides the system clock; it is meant for tests and for
replaying a history, and is documented as such."""

from __future__ import annotations

import os
from datetime import datetime

from imtrack.errors import InvalidValue
from imtrack.i18n import _


def now() -> datetime:
    fixed = os.environ.get("IMTRACK_NOW")
    if fixed:
        try:
            moment = datetime.fromisoformat(fixed)
        except ValueError:
            raise InvalidValue(
                _("IMTRACK_NOW={fixed!r} is not an ISO 8601 timestamp; use e.g. 2026-03-01T09:30:00+08:00, or unset it to use the clock").format(fixed=fixed)
            ) from None
        return moment if moment.tzinfo else moment.astimezone()
    return datetime.now().astimezone()


def timestamp(moment: datetime | None = None) -> str:
    """Local time with its UTC offset, to the second: what notes and history record."""
    return (moment or now()).isoformat(timespec="seconds")


def instant(stamp: str) -> float:
    """A stored timestamp as seconds since the epoch, for ordering records whose offsets may
    differ; an unreadable one (a hand-edited file) sorts first instead of failing."""
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except (TypeError, ValueError):
        return float("-inf")
