"""imtrack: a command-line tracker for policy measures (任务台账)."""

__version__ = "0.1.0"
