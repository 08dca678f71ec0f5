"""What people and scripts read: tables, plain text, JSON."""
