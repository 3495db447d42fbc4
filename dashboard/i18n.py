"""English, French and Spanish interface text from Babel ``.po`` catalogs.

Catalogs live in ``dashboard/translations/<lang>/LC_MESSAGES/messages.po`` and are parsed
at run time with Babel's own reader (cached per process), so installing geotraf needs no
compile step. The language of a request comes from the ``geotraf_lang`` cookie (set by
the language links, ``/language/<code>``), else the browser's ``Accept-Language``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

#: Interface languages: code → name shown in the selector (in its own language).
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "es": "Español"}
DEFAULT_LANGUAGE = "en"
COOKIE = "geotraf_lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

Translator = Callable[[str], str]


@functools.lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> dict[str, str]:
    """Return the ``msgid → msgstr`` mapping of a language (empty for English).

    Untranslated and fuzzy entries are left out, so they fall back to English.
    """
    po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT_LANGUAGE or not po.exists():
        return {}
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in cat
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def translator(lang: str) -> Translator:
    """Return a function translating an English message into ``lang``.

    Examples
    --------
    >>> translator("fr")("Overview")
    "Vue d'ensemble"
    >>> translator("en")("Overview")
    'Overview'
    """
    table = catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)

    def translate(message: str) -> str:
        return table.get(message, message)

    return translate


def current_language() -> str:
    """Return the language of the current request (cookie, then Accept-Language)."""
    from flask import has_request_context, request

    if not has_request_context():
        return DEFAULT_LANGUAGE
    lang = request.cookies.get(COOKIE, "")
    if lang in LANGUAGES:
        return lang
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or DEFAULT_LANGUAGE


def gettext(message: str) -> str:
    """Translate ``message`` into the current request's language."""
    return translator(current_language())(message)


def label(value: str, t: Translator) -> str:
    """Return the display label of a category value such as ``forced_labour``.

    Examples
    --------
    >>> label("forced_labour", translator("en")), label("forced_labour", translator("es"))
    ('Forced labour', 'Trabajo forzoso')
    """
    text = value.replace("_", " ").capitalize()
    return t(text)
