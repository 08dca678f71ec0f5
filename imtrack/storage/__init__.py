"""Persistence: the only package that knows how a ledger is stored."""
