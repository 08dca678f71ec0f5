"""The interface language: English in the code, Chinese from a gettext catalog.

IMTRACK_LANG (zh or en) wins; otherwise the POSIX locale variables decide, in their standard
order (LC_ALL, LC_MESSAGES, LANG): a value starting with "zh" (zh_CN.UTF-8) means Chinese.
The language is read on every lookup, not once, so a test (or a long-lived caller) can switch
it; a lookup is a dict access once the catalog is loaded.

Click fetches its own strings (Usage, Options, error texts) through the standard library's
`gettext.gettext`, bound at import time (`from gettext import gettext as _`). `install()`
points those two functions at this catalog, so it must run before click or typer is imported:
imtrack/cli/__init__.py calls it. The core marks its messages with `_` from here and never
imports typer or rich.

The catalog is compiled by Babel (`pybabel compile`, see README "Development") and the .mo is
committed beside its .po, so a plain `pip install .` ships it without a build hook."""

from __future__ import annotations

import gettext as _stdlib
import os
from functools import cache
from pathlib import Path

DOMAIN = "imtrack"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")


def language() -> str:
    """"zh" or "en", from IMTRACK_LANG, else LC_ALL, LC_MESSAGES, LANG."""
    chosen = os.environ.get("IMTRACK_LANG", "").strip().lower()
    if chosen:
        return "zh" if chosen.startswith("zh") else "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:  # the first one set decides, as for the C library
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


@cache
def catalog(lang: str) -> _stdlib.NullTranslations:
    """The translations of `lang` (English: none, the code's own strings)."""
    if lang == "en":
        return _stdlib.NullTranslations()
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with mo.open("rb") as fh:
            return _stdlib.GNUTranslations(fh)
    except OSError:  # an incomplete install: English rather than a crash (tests check it ships)
        return _stdlib.NullTranslations()


def gettext(message: str) -> str:
    return catalog(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(language()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction that is translated later, where it is shown."""
    return message


_installed = False


def install() -> None:
    """Make `gettext.gettext` and `gettext.ngettext` (what click binds) look in our catalog."""
    global _installed
    if not _installed:
        _stdlib.gettext = gettext
        _stdlib.ngettext = ngettext
        _installed = True
