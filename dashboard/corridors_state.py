"""The Corridors page's filter state: parsed from the URL or the controls, written back."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlencode

from dashboard.years import clamp_range, years_from_query, years_query
from geotraf.routing import METHODS as ROUTING_METHODS
from layers.schema import AGE_GROUPS, EXPLOITATION, MODES, SECTORS, SEXES

Translator = Callable[[str], str]

#: Categorical filters: state attribute → (flows column, allowed values, URL key).
CATEGORY_FILTERS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "exploitation": ("exploitation", EXPLOITATION, "exploitation"),
    "sector": ("sector", SECTORS, "sector"),
    "sex": ("sex", SEXES, "sex"),
    "age_group": ("age_group", AGE_GROUPS, "age"),
    "mode": ("mode", MODES, "mode"),
}
#: Country filters: state attribute → (flows column, URL key).
COUNTRY_FILTERS: dict[str, tuple[str, str]] = {
    "origin": ("origin_country", "origin"),
    "destination": ("destination_country", "destination"),
}
METHODS: tuple[str, ...] = tuple(ROUTING_METHODS)
DEFAULT_METHOD = "shortest"


def _codes(text: object, allowed: Sequence[str]) -> tuple[str, ...]:
    items = [s.strip() for s in str(text or "").split(",")]
    return tuple(dict.fromkeys(s for s in items if s in allowed))


def _iso3s(text: object) -> tuple[str, ...]:
    items = [s.strip().upper() for s in str(text or "").split(",")]
    return tuple(dict.fromkeys(s for s in items if len(s) == 3 and s.isalpha()))


@dataclass(frozen=True)
class CorridorState:
    """The analyst's filters; an empty tuple means "all".

    Examples
    --------
    >>> s = CorridorState.from_query({"from": "2019", "exploitation": "sexual,bogus",
    ...                               "origin": "lao", "method": "k_shortest"})
    >>> s.exploitation, s.origin, s.method
    (('sexual',), ('LAO',), 'k_shortest')
    >>> s.to_query()
    '?from=2019&exploitation=sexual&origin=LAO&method=k_shortest'
    >>> CorridorState.from_query({}) == CorridorState()
    True
    """

    year_min: int | None = None
    year_max: int | None = None
    exploitation: tuple[str, ...] = field(default_factory=tuple)
    sector: tuple[str, ...] = field(default_factory=tuple)
    sex: tuple[str, ...] = field(default_factory=tuple)
    age_group: tuple[str, ...] = field(default_factory=tuple)
    mode: tuple[str, ...] = field(default_factory=tuple)
    origin: tuple[str, ...] = field(default_factory=tuple)
    destination: tuple[str, ...] = field(default_factory=tuple)
    method: str = DEFAULT_METHOD

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> CorridorState:
        """Parse URL query parameters, ignoring values that make no sense."""
        year_min, year_max = years_from_query(query)
        values: dict[str, Any] = {"year_min": year_min, "year_max": year_max}
        for name, (_, allowed, key) in CATEGORY_FILTERS.items():
            values[name] = _codes(query.get(key), allowed)
        for name, (_, key) in COUNTRY_FILTERS.items():
            values[name] = _iso3s(query.get(key))
        method = str(query.get("method", DEFAULT_METHOD))
        values["method"] = method if method in METHODS else DEFAULT_METHOD
        return cls(**values)

    @classmethod
    def from_inputs(
        cls,
        years: Sequence[int] | None,
        choices: Mapping[str, Sequence[str] | None],
        method: str | None,
    ) -> CorridorState:
        """Build the state from the page's controls (unknown values dropped)."""
        values: dict[str, Any] = {
            "year_min": int(years[0]) if years else None,
            "year_max": int(years[1]) if years else None,
        }
        for name, (_, allowed, _) in CATEGORY_FILTERS.items():
            chosen = [c for c in (choices.get(name) or []) if c in allowed]
            # Every value ticked is the same view as no filter: keep the URL short.
            values[name] = () if len(set(chosen)) == len(allowed) else tuple(chosen)
        for name in COUNTRY_FILTERS:
            values[name] = _iso3s(",".join(choices.get(name) or []))
        values["method"] = method if method in METHODS else DEFAULT_METHOD
        return cls(**values)

    def to_query(self) -> str:
        """Return the URL query string (with ``?``) of the non-default settings."""
        params = years_query(self.year_min, self.year_max)
        for name, (_, _, key) in CATEGORY_FILTERS.items():
            if getattr(self, name):
                params[key] = ",".join(getattr(self, name))
        for name, (_, key) in COUNTRY_FILTERS.items():
            if getattr(self, name):
                params[key] = ",".join(getattr(self, name))
        if self.method != DEFAULT_METHOD:
            params["method"] = self.method
        return "?" + urlencode(params, safe=",") if params else ""

    def describe(self) -> dict[str, object]:
        """Return the filters as plain values for the audit log."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def clamp_years(state: CorridorState, years: tuple[int, int] | None) -> CorridorState:
    """Return ``state`` with its years inside the data's years (all years when unset).

    Examples
    --------
    >>> clamp_years(CorridorState(year_min=1990, year_max=2022), (2018, 2024)).year_min
    2018
    """
    year_min, year_max = clamp_range(state.year_min, state.year_max, years)
    return replace(state, year_min=year_min, year_max=year_max)
