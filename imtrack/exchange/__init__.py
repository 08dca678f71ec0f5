"""Exchange with the rest of the office: ledger sheets, backups, Markdown."""
