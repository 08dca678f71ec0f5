"""The Typer layer: parse arguments, make one core call, render.

The interface language is installed here, before typer (and click) are imported: click binds
`gettext.gettext` when its modules load (imtrack/i18n.py)."""

from imtrack import i18n

i18n.install()
