"""Every string the dashboard shows, in Hindi and English, from one message catalogue.

The catalogue is gettext: ``i18n/locales/<lang>/LC_MESSAGES/<domain>.po``, one domain per
page or part (``common``, ``overview``, ``map``…), read with Babel. Message ids are keys
(``overview.title``), not English sentences, so English is a translation like Hindi and a
key missing in either language is caught (``tests/i18n``). Placeholders are Python
``str.format`` fields (``{district}``), marked ``python-brace-format``.

Numbers, dates and periods in either language are in ``i18n.formats``; ``Words`` binds
both to one language for the code that draws a page or an export.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("hi", "en")
LANGUAGE_NAMES = {"hi": "हिन्दी", "en": "English"}
DEFAULT_LANGUAGE = "en"
LOCALES = {"hi": "hi_IN", "en": "en_IN"}
LOCALE_DIR = Path(__file__).resolve().parent / "locales"


class MissingMessage(KeyError):
    """A key that the catalogue of a language does not hold."""


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    """Every message of a language: key → text, from all its domains."""
    check_language(lang)
    messages: dict[str, str] = {}
    for po_file in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale=LOCALES[lang], domain=po_file.stem):
                if not message.id:
                    continue  # the header
                if message.id in messages:
                    raise ValueError(f"{po_file}: key {message.id!r} is defined twice")
                if message.string:
                    messages[str(message.id)] = str(message.string)
    return messages


def text(lang: str, key: str, /, **values: object) -> str:
    """The message ``key`` in ``lang``, its ``{placeholders}`` filled from ``values``."""
    try:
        message = catalogue(lang)[key]
    except KeyError:
        raise MissingMessage(f"no message {key!r} in the {lang!r} catalogue") from None
    return message.format(**values) if values else message


from i18n.words import Words  # noqa: E402  (Words uses text() above)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALES",
    "MissingMessage",
    "Words",
    "catalogue",
    "check_language",
    "text",
]
