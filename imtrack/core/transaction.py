"""One changing command as one store transaction and one history txn, shared by every core
operation that changes the ledger (tracker, edits, import, exchange)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from imtrack.domain.ledger import Ledger
from imtrack.domain.models import Measure
from imtrack.storage.store import Store


@contextmanager
def command(store: Store) -> Iterator[tuple[Ledger, int]]:
    """One changing command: a locked store transaction and one history txn (history.py), so
    everything the command changes is undone together. A command that ends up changing nothing
    gives the txn id back and writes nothing."""
    from imtrack.domain import history

    with store.transaction() as ledger:
        meta, meta_dirty = dict(ledger.meta), ledger.meta_dirty
        txn = history.begin(ledger)
        yield ledger, txn
        if not ledger.dirty:
            ledger.meta, ledger.meta_dirty = meta, meta_dirty


def pin_sector(ledger: Ledger, measure: Measure, at: str, txn: int) -> None:
    """A person chose the sector: reclassification leaves it alone (undo unpins it again)."""
    from imtrack.domain import history

    history.record(ledger, measure, "sector_pinned", True, at, txn)
