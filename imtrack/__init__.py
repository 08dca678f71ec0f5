"""imtrack: a command-line tracker for policy measures (任务台账)."""

__version__ = "0.1.0"

# True when run as the `imtrack` script: imtrack.cli.app then imports only the command module it runs.
commands_on_demand = False
