#!/usr/bin/env python3
"""The reference for `imtrack list` and `imtrack report` on a terminal: a program that imports
typer and prints the seed's 34 measures (the same columns and texts as `imtrack list`) as a Rich
table, and nothing else. What any Typer + Rich tracker pays to show this table; imtrack should
cost at most 1.2x this (bench/bench.py, ui_rows).

    python bench/rich_reference.py ROWS.json    # ROWS.json: `imtrack list --format json` output
"""

import json
import sys

import typer  # noqa: F401  (the start-up every Typer CLI pays)
from rich.console import Console
from rich.table import Table


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        records = json.load(fh)
    table = Table()
    for name in ("ID", "Sector", "Status", "Measure", "Last note"):
        table.add_column(name, overflow="fold", no_wrap=name != "Measure")
    for r in records:
        note = r.get("latest_note_at") or (r["notes"][-1]["at"] if r.get("notes") else None)
        table.add_row(str(r["id"]), r["sector_label"], r["status_label"], r["text"], (note or "-")[:10])
    Console(markup=False, highlight=False, emoji=False).print(table)


if __name__ == "__main__":
    main()
