"""Progress bars for long work (importing a large document, exporting, copying a database):
Rich's bar on stderr, only when stderr is a terminal, gone when the work is done. Anywhere else
(a pipe, a file, a test) nothing is drawn and Rich is not imported, so scripts and the machine
formats pay nothing.

    from imtrack.output.progress import track
    for measure in track(measures, _("Exporting"), total=len(measures)):
        ...

or, for work that reports its own steps:

    with progress(_("Copying"), total=n) as advance:
        for batch in batches:
            copy(batch)
            advance(len(batch))
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

# Below this many steps the work is over before a bar would be read: draw none.
MIN_STEPS = 200


def on_terminal() -> bool:
    """Whether stderr is a terminal a bar can be drawn on (not TERM=dumb)."""
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A bar for `total` steps (None: unknown, a pulsing bar); yields advance(steps=1)."""
    if not on_terminal() or (total is not None and total < MIN_STEPS):
        yield lambda steps=1: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from imtrack.output.display import visible

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr, markup=False, highlight=False, emoji=False),
        transient=True,
    )
    with bar:
        task = bar.add_task(visible(description, keep_newlines=False), total=total)
        yield lambda steps=1: bar.advance(task, steps)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterable[T]:
    """`items`, with a bar advancing as each is taken; `items` itself where no bar is drawn."""
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if not on_terminal() or (total is not None and total < MIN_STEPS):
        return items
    return _tracked(items, description, total)


def _tracked(items: Iterable[T], description: str, total: int | None) -> Iterator[T]:
    with progress(description, total) as advance:
        for item in items:
            yield item
            advance(1)
