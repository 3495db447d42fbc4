"""Parse and check one cell: missing values, numbers, booleans, dates, hostile strings.

Each ``parse_*`` returns ``(value, None)`` or ``(None, Finding)``; the caller adds file,
row and column. Nothing here raises on bad data.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

#: Longest text accepted in any string field.
MAX_TEXT = 200

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Spreadsheets run a cell starting with = + @ (or - followed by a function name) as a
# formula (CSV injection, OWASP); a bare "-" or "-5" is harmless.
_PAIR = re.compile(r"^([A-Z]{3})\s*([-/,|+&]|\s)\s*([A-Z]{3})$")
_FORMULA = re.compile(r"^\s*(?:[=+@]|-\s*[A-Za-z(])")
_TAG = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>?")
_ISO3 = re.compile(r"^[A-Z]{3}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$")


@dataclass(frozen=True)
class Finding:
    """What is wrong with one cell and how to fix it."""

    message: str
    fix: str


def is_missing(cell: object) -> bool:
    """Return True for None, NaN, NA, NaT and blank strings."""
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return True
    if isinstance(cell, float | np.floating):
        return bool(math.isnan(cell))
    if isinstance(cell, str):
        return not cell.strip()
    try:
        return bool(pd.isna(cell))
    except (TypeError, ValueError):
        return False


def show(cell: object) -> str:
    """Return a cell as the text to quote in a problem."""
    return cell if isinstance(cell, str) else str(cell)


def hostile(text: str) -> Finding | None:
    """Return why ``text`` is unsafe to store and show, or None when it is fine.

    Rejected: control characters (NUL, tabs, newlines...), spreadsheet-formula prefixes,
    HTML/script tags and texts longer than :data:`MAX_TEXT` characters.

    Examples
    --------
    >>> hostile("Mae Sot") is None
    True
    >>> hostile("=HYPERLINK(1)").message
    'starts like a spreadsheet formula'
    """
    if _CONTROL.search(text):
        return Finding(
            "contains control characters",
            "remove control characters (tabs, line breaks, NUL) from the text",
        )
    invisible = next((c for c in text if unicodedata.category(c) == "Cf"), None)
    if invisible is not None:
        name = unicodedata.name(invisible, "format character")
        return Finding(
            f"contains an invisible or direction-changing character "
            f"U+{ord(invisible):04X} ({name})",
            "retype the text without it (it can make one id look like another)",
        )
    if _FORMULA.match(text):
        return Finding(
            "starts like a spreadsheet formula",
            "remove the leading '=', '+', '@' or '-' (formulas are not allowed in text fields)",
        )
    if _TAG.search(text):
        return Finding(
            "contains an HTML/script tag",
            "remove the '<...>' markup; text fields hold plain text only",
        )
    if len(text) > MAX_TEXT:
        return Finding(
            f"is {len(text)} characters long (at most {MAX_TEXT})",
            f"shorten the text to {MAX_TEXT} characters",
        )
    return None


def parse_text(cell: object) -> str:
    """Return a cell as stripped text; whole floats lose their ``.0`` (ids read as numbers)."""
    if isinstance(cell, float | np.floating) and float(cell).is_integer():
        return str(int(cell))
    if isinstance(cell, bytes):
        return cell.decode("utf-8", errors="replace").strip()
    return str(cell).strip()


def category_key(text: str) -> str:
    """Normalise a category as written by people: ``'Bus Station'`` → ``'bus_station'``."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def parse_category(text: str, allowed: tuple[str, ...]) -> tuple[str | None, Finding | None]:
    """Return the allowed value ``text`` means, or a finding listing the allowed values."""
    key = category_key(text)
    if key in allowed:
        return key, None
    choices = [a for a in allowed if a]
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.5)
    hint = f"use {close[0]!r}" if close else "use one of the allowed values"
    return None, Finding(
        f"unknown value; allowed: {', '.join(choices)}",
        hint,
    )


def parse_int(cell: object) -> tuple[int | None, Finding | None]:
    """Return a whole number, accepting ``'12'``, ``12.0`` and ``' 12 '``."""
    if isinstance(cell, bool | np.bool_):
        return None, Finding("is true/false, not a number", "give a whole number, e.g. 12")
    if isinstance(cell, int | np.integer):
        return int(cell), None
    text = str(cell).strip().replace("_", "")
    try:
        value = float(text)
    except ValueError:
        return None, Finding("is not a number", "give a whole number, e.g. 12")
    if not math.isfinite(value) or not value.is_integer():
        return None, Finding("is not a whole number", "give a whole number, e.g. 12")
    return int(value), None


def parse_year(cell: object) -> tuple[int | None, Finding | None]:
    """Return a year, with a fix that shows a year (not a count) when it is not one."""
    value, finding = parse_int(cell)
    if finding is not None:
        return None, Finding(finding.message, "give a year as four digits, e.g. 2023")
    return value, None


def parse_float(cell: object) -> tuple[float | None, Finding | None]:
    """Return a finite number, accepting text with a decimal point."""
    if isinstance(cell, bool | np.bool_):
        return None, Finding("is true/false, not a number", "give a number, e.g. 80")
    try:
        value = float(str(cell).strip()) if isinstance(cell, str) else float(cell)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None, Finding("is not a number", "give a number with a decimal point, e.g. 80.5")
    if not math.isfinite(value):
        return None, Finding("is not a finite number", "give a number, e.g. 80")
    return value, None


def parse_bool(cell: object) -> tuple[bool | None, Finding | None]:
    """Return a boolean from true/false, yes/no, 1/0 (any case)."""
    if isinstance(cell, bool | np.bool_):
        return bool(cell), None
    if isinstance(cell, int | np.integer | float | np.floating) and cell in (0, 1):
        return bool(cell), None
    word = str(cell).strip().lower()
    if word in TRUE_WORDS:
        return True, None
    if word in FALSE_WORDS:
        return False, None
    return None, Finding(
        "is not true or false", "write true or false (yes/no and 1/0 are accepted too)"
    )


def parse_date(cell: object) -> tuple[pd.Timestamp | None, Finding | None]:
    """Return a date from ISO ``YYYY-MM-DD`` text or a date/datetime value."""
    if isinstance(cell, pd.Timestamp | dt.date | np.datetime64):
        return pd.Timestamp(cell).normalize(), None
    text = str(cell).strip()
    bad = Finding("is not a date", "write dates as YYYY-MM-DD, e.g. 2024-03-15")
    if not _DATE.match(text):
        return None, bad
    try:
        return pd.Timestamp(text[:10]).normalize(), None
    except ValueError:
        return None, Finding("is not a real date", "write an existing date as YYYY-MM-DD")


@cache
def iso_table() -> dict[str, tuple[str, str]]:
    """Return ISO 3166-1 alpha-2 → (alpha-3, name) from the bundled ``iso3166.csv``."""
    text = resources.files("layers").joinpath("iso3166.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return {row["alpha2"]: (row["alpha3"], row["name"]) for row in csv.DictReader(lines)}


@cache
def iso3_codes() -> frozenset[str]:
    """Return every ISO 3166-1 alpha-3 code in the bundled table."""
    return frozenset(a3 for a3, _ in iso_table().values())


def parse_iso3(text: str) -> tuple[str | None, Finding | None]:
    """Return an upper-case ISO 3166-1 alpha-3 code, suggesting one for alpha-2 input."""
    code = text.strip().upper()
    if _ISO3.match(code) and code in iso3_codes():
        return code, None
    if code in iso_table():
        alpha3, name = iso_table()[code]
        return None, Finding(
            "is an ISO alpha-2 code; geotraf uses alpha-3", f"use {alpha3!r} ({name})"
        )
    pair = _PAIR.match(code)
    if pair is not None:
        first, second = pair.group(1), pair.group(3)
        return None, Finding(
            f"is two codes joined by {pair.group(2)!r}",
            f"separate the two codes with ';', e.g. {first};{second}",
        )
    by_name = {name.casefold(): a3 for a3, name in iso_table().values()}
    if text.strip().casefold() in by_name:
        alpha3 = by_name[text.strip().casefold()]
        return None, Finding("is a country name, not a code", f"use {alpha3!r}")
    # A near miss is only suggested for a three-letter typo (THX → THA), never for a word.
    close = (
        difflib.get_close_matches(code, sorted(iso3_codes()), n=1, cutoff=0.6)
        if _ISO3.match(code)
        else []
    )
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return None, Finding(
        "is not an ISO 3166-1 alpha-3 country code",
        f"use the country's three capital letters (ISO 3166-1 alpha-3), e.g. FRA for France{hint}",
    )
