"""The year range every page filters on: its URL keys, parsing and clamping.

The pages share the same ``from``/``to`` query keys so that a link keeps its years when
the user moves between pages; this module is the one place that reads and writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Years = tuple[int | None, int | None]


def int_or_none(value: object) -> int | None:
    """Return ``value`` as an int, or None when it is not a whole number.

    Examples
    --------
    >>> int_or_none("2019"), int_or_none("soon"), int_or_none(None)
    (2019, None, None)
    """
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def years_from_query(query: Mapping[str, Any]) -> Years:
    """Return ``(year_min, year_max)`` from the ``from``/``to`` query keys (None if unset).

    Examples
    --------
    >>> years_from_query({"from": "2019", "to": "x"})
    (2019, None)
    """
    return int_or_none(query.get("from")), int_or_none(query.get("to"))


def years_query(year_min: int | None, year_max: int | None) -> dict[str, str]:
    """Return the query parameters of a year range (only the ends that are set).

    Examples
    --------
    >>> years_query(2019, None)
    {'from': '2019'}
    """
    params: dict[str, str] = {}
    if year_min is not None:
        params["from"] = str(year_min)
    if year_max is not None:
        params["to"] = str(year_max)
    return params


def clamp_range(year_min: int | None, year_max: int | None, years: tuple[int, int] | None) -> Years:
    """Return the range inside the data's ``years`` (both None when the data has none).

    An unset end becomes the data's end; a reversed range is put in order.

    Examples
    --------
    >>> clamp_range(1990, None, (2015, 2023))
    (2015, 2023)
    >>> clamp_range(2030, 2016, (2015, 2023))
    (2016, 2023)
    >>> clamp_range(2019, 2020, None)
    (None, None)
    """
    if years is None:
        return None, None
    low, high = years
    y0 = low if year_min is None else min(max(year_min, low), high)
    y1 = high if year_max is None else min(max(year_max, low), high)
    return min(y0, y1), max(y0, y1)
