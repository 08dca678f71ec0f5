"""The one place imtrack asks for the time, so tests and scripted histories can fix it.

`IMTRACK_NOW` (an ISO 8601 timestamp) overrides the system clock; it is meant for tests and for
replaying a history, and is documented as such."""

from __future__ import annotations

import os
from datetime import datetime


def now() -> datetime:
    fixed = os.environ.get("IMTRACK_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.astimezone()
    return datetime.now().astimezone()


def timestamp(moment: datetime | None = None) -> str:
    """Local time with its UTC offset, to the second: what notes and history record."""
    return (moment or now()).isoformat(timespec="seconds")
