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


def number(value: float, lang: str, *, decimals: int = 0) -> str:
    """Format a number in the language's convention (Babel / CLDR).

    Examples
    --------
    >>> number(1604, "en"), number(12604, "fr"), number(12604, "es"), number(0.5, "fr", decimals=1)
    ('1,604', '12\u202f604', '12.604', '0,5')
    """
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, format=pattern, locale=_locale(lang)))


def count(value: object, lang: str, *, threshold: int = 11) -> str:
    """Format a count of people; missing (suppressed) or small values read ``<11``.

    Examples
    --------
    >>> count(1523.57, "fr"), count(None, "fr"), count(7, "en"), count(-3, "es")
    ('1\u202f524', '<11', '<11', '0')
    """
    from geotraf.privacy import format_count

    try:
        text = format_count(value, threshold=threshold)  # the one rule of what is shown
    except (TypeError, ValueError):
        return f"<{threshold}"
    if text.startswith("<"):
        return text
    return number(max(0, round(float(value))), lang)  # type: ignore[arg-type]


def percent(value: float, lang: str, *, decimals: int = 0) -> str:
    """Format a share as a percentage in the language's convention (whole by default).

    Examples
    --------
    >>> percent(0.792, "en"), percent(0.792, "fr"), percent(0.5843, "es", decimals=1)
    ('79%', '79\xa0%', '58,4\xa0%')
    """
    from babel import Locale
    from babel.numbers import format_percent

    locale = _locale(lang)
    pattern = Locale.parse(locale).percent_formats[None].pattern
    if decimals:  # the locale's own pattern (its spacing), with fraction digits
        pattern = pattern.replace("0", "0." + "0" * decimals, 1)
    return str(format_percent(round(float(value), 2 + decimals), format=pattern, locale=locale))


def day(value: object, lang: str) -> str:
    """Format a calendar date with its weekday: ``Mon 1 Mar 2027``, ``lun. 1 mars 2027``.

    Examples
    --------
    >>> from datetime import date
    >>> day(date(2027, 3, 1), "fr"), day(date(2027, 3, 1), "es")
    ('lun. 1 mars 2027', 'lun 1 mar 2027')
    """
    from babel.dates import format_date

    return str(format_date(value, format="EEE d MMM y", locale=_locale(lang)))  # type: ignore[arg-type]


def _locale(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def country_name(code: str, lang: str, *, default: str | None = None) -> str:
    """Return the name of an ISO 3166-1 alpha-3 country in ``lang`` (Babel / CLDR).

    English keeps ``default`` (the region's own name, e.g. "Lao PDR") when given; other
    languages take CLDR's name, falling back to ``default`` or the code.

    Examples
    --------
    >>> country_name("THA", "fr"), country_name("KHM", "es"), country_name("LAO", "en")
    ('Thaïlande', 'Camboya', 'Laos')
    >>> country_name("LAO", "en", default="Lao PDR"), country_name("XXX", "fr")
    ('Lao PDR', 'XXX')
    """
    fallback = default or code
    if lang == DEFAULT_LANGUAGE and default:
        return default
    alpha2 = _alpha2().get(str(code).upper())
    if alpha2 is None:
        return fallback
    from babel import Locale

    return str(Locale.parse(_locale(lang)).territories.get(alpha2, fallback))


@functools.cache
def _alpha2() -> dict[str, str]:
    """ISO 3166-1 alpha-3 → alpha-2, from the table the layers validate against."""
    from layers._values import iso_table

    return {alpha3: alpha2 for alpha2, (alpha3, _) in iso_table().items()}
