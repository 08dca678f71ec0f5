"""One changing command as one store transaction (storage/base.py), shared by every core
operation that changes the ledger (tracker, edits, import, exchange)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from imtrack.domain.models import Measure

if TYPE_CHECKING:
    from imtrack.storage.base import Store, Transaction


@contextmanager
def command(store: Store, *, seed: bool = True) -> Iterator[tuple[Transaction, int]]:
    """One changing command: the store's transaction and its txn id (history.py), so that
    everything the command changes is undone together. A command that ends up changing
    nothing writes nothing and uses up no txn id."""
    with store.transaction(seed=seed) as tx:
        yield tx, tx.txn


class _Rollback(Exception):
    pass


@contextmanager
def dry_run(store: Store, *, seed: bool = True) -> Iterator[tuple[Transaction, int]]:
    """The same work as `command`, then abandoned: nothing is written, not even the seed of a
    ledger that does not exist yet (`--dry-run`)."""
    try:
        with store.transaction(seed=seed) as tx:
            yield tx, tx.txn
            raise _Rollback
    except _Rollback:
        pass


def pin_sector(ledger: Transaction, measure: Measure, at: str, txn: int) -> None:
    """A person chose the sector: reclassification leaves it alone (undo unpins it again)."""
    from imtrack.domain import history

    history.record(ledger, measure, "sector_pinned", True, at, txn)
