"""Machine-readable output. Plain json, no Rich, so `--format json` stays fast and pipe-safe.

Field names are part of imtrack's interface (README, "JSON output"): add fields, never rename."""

from __future__ import annotations

import sys
from typing import IO, Any

from imtrack.domain.models import Measure, Status
from imtrack.storage import jsoncodec
from imtrack.vocab.sectors import label as sector_label


def measure_record(measure: Measure) -> dict[str, Any]:
    record = measure.to_dict()
    record["sector_label"] = sector_label(measure.sector)
    try:
        record["status_label"] = Status(measure.status).label
    except ValueError:
        record["status_label"] = measure.status
    return record


def dumps(data: Any) -> str:
    return jsoncodec.dumps_pretty(data)


def write_json(data: Any, stream: IO[str] | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(dumps(data) + "\n")


def ledger_record(measure: Measure, settings: Any = None) -> dict[str, Any]:
    """measure_record plus the facts derived at read time (derived.py): `flags`, `attention`,
    `regions`, `commitment`, `days_left`. What `list` and `show` print as JSON."""
    from imtrack.domain.derived import derive

    record = measure_record(measure)
    record.update(derive(measure, settings).to_dict())
    return record
