"""The records and rules of a ledger: measures, statuses, dates, flags, history, filters."""
