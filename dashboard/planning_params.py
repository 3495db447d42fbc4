"""A planner's request: the checkpoint plan's validated inputs (:class:`PlanParams`).

Bounds, defaults and parsing of the Planning form's values, each error a
:class:`~geotraf.errors.PlanError` that says what to change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from geotraf.errors import PlanError

METHODS: tuple[str, ...] = ("greedy", "exact")
#: Bounds of the inputs (inclusive): what a planner can ask for.
LIMITS: dict[str, tuple[float, float]] = {
    "budget": (1, 50),
    "teams": (1, 20),
    "days": (1, 60),
    "shifts": (1, 4),
    "tolerance": (0.0, 2.0),
    "seed": (0, 2**31 - 1),
    "shift_hours": (1, 24),
}
#: The default distribution line of a briefing.
DEFAULT_DISTRIBUTION = "Operation team only"


def _tomorrow() -> str:
    return (datetime.now(UTC).date() + timedelta(days=1)).isoformat()


def _parse_date(raw: Any) -> str:
    text = str(raw or "").strip()[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise PlanError(
            f"Start date: enter a date as YYYY-MM-DD (for example {_tomorrow()}), not {raw!r}."
        ) from None


def _parse_time(raw: Any) -> str:
    text = str(raw or "").strip()
    parts = text.split(":")
    ok = len(parts) == 2 and all(p.isdigit() for p in parts)
    if ok and 0 <= int(parts[0]) <= 23 and 0 <= int(parts[1]) <= 59:
        return f"{int(parts[0]):02d}:{int(parts[1]):02d}"
    raise PlanError(
        f"First shift starts: enter a time from 00:00 to 23:59 as HH:MM (for example 06:00), "
        f"not {raw!r}."
    )


@dataclass(frozen=True)
class PlanParams:
    """A planner's request: sites, teams, days, shifts, method, evasion, seed.

    Examples
    --------
    >>> p = PlanParams.from_inputs(budget=6, teams=3, days=7, shifts=2, method="exact",
    ...     tolerance=0.25, evasion_aware=True, seed=42, start_date="2027-03-01",
    ...     first_shift="6:30", shift_hours=12)
    >>> p.budget, p.method, p.seed, p.start_date, p.shift_times()
    (6, 'exact', 42, '2027-03-01', [('06:30', '18:30'), ('18:30', '06:30')])
    >>> PlanParams.from_inputs(budget=0, teams=3, days=7, shifts=2, method="greedy",
    ...                        tolerance=0.3, evasion_aware=False, seed=None)
    Traceback (most recent call last):
    ...
    geotraf.errors.PlanError: Sites to choose must be between 1 and 50, not 0.
    """

    budget: int = 8
    teams: int = 4
    days: int = 14
    shifts: int = 2
    method: str = "greedy"
    tolerance: float = 0.3
    evasion_aware: bool = False
    seed: int = 0
    start_date: str = field(default_factory=_tomorrow)
    first_shift: str = "06:00"
    shift_hours: int = 8
    distribution: str = DEFAULT_DISTRIBUTION

    def shift_times(self) -> list[tuple[str, str]]:
        """Return each shift's (start, end) as ``HH:MM`` (an end past midnight wraps).

        Examples
        --------
        >>> PlanParams(shifts=2, first_shift="06:00", shift_hours=8).shift_times()
        [('06:00', '14:00'), ('14:00', '22:00')]
        >>> PlanParams(shifts=1, first_shift="22:00", shift_hours=8).shift_times()
        [('22:00', '06:00')]
        """
        h, m = (int(p) for p in self.first_shift.split(":"))
        first = h * 60 + m
        out = []
        for s in range(self.shifts):
            start = first + s * self.shift_hours * 60
            end = start + self.shift_hours * 60
            out.append((_clock(start), _clock(end)))
        return out

    def dates(self) -> list[date]:
        """Return the calendar date of each day of the plan (from ``start_date``)."""
        first = date.fromisoformat(self.start_date)
        return [first + timedelta(days=d) for d in range(self.days)]

    @classmethod
    def from_inputs(
        cls,
        *,
        budget: Any,
        teams: Any,
        days: Any,
        shifts: Any,
        method: Any,
        tolerance: Any,
        evasion_aware: Any,
        seed: Any,
        start_date: Any = None,
        first_shift: Any = None,
        shift_hours: Any = None,
        distribution: Any = None,
    ) -> PlanParams:
        """Validate the form's values; raise :class:`PlanError` saying what to change.

        A missing seed draws a fresh one, recorded in the result so the same schedule
        can be reproduced (and exported) later. A missing start date is tomorrow (UTC),
        a missing first shift 06:00 and shift length 8 hours.
        """
        names = {
            "budget": "Sites to choose",
            "teams": "Teams per shift",
            "days": "Days",
            "shifts": "Shifts per day",
            "tolerance": "Evasion tolerance",
            "seed": "Seed",
            "shift_hours": "Shift length (hours)",
        }
        given = {
            "budget": budget,
            "teams": teams,
            "days": days,
            "shifts": shifts,
            "tolerance": tolerance,
            "seed": seed,
            "shift_hours": 8 if shift_hours in (None, "") else shift_hours,
        }
        if given["seed"] in (None, ""):
            import secrets

            given["seed"] = secrets.randbelow(10**6)
        values: dict[str, Any] = {}
        for key, raw in given.items():
            low, high = LIMITS[key]
            try:
                number = float(raw)
            except (TypeError, ValueError):
                # A number field outside its min/max reaches the server empty: say the range.
                raise PlanError(f"{names[key]}: enter a number from {low:g} to {high:g}.") from None
            if not math.isfinite(number) or not low <= number <= high:
                shown = f"{number:g}" if math.isfinite(number) else str(raw)
                raise PlanError(f"{names[key]} must be between {low:g} and {high:g}, not {shown}.")
            values[key] = number if key == "tolerance" else int(number)
        if method not in METHODS:
            raise PlanError(f"Method must be one of {', '.join(METHODS)}.")
        if values["teams"] > values["budget"]:
            raise PlanError(
                "More teams per shift than sites: lower the teams or choose more sites."
            )
        if values["shifts"] * values["shift_hours"] > 24:
            raise PlanError(
                f"{values['shifts']} shifts of {values['shift_hours']} hours do not fit in a "
                f"day: use at most {24 // values['shifts']} hours per shift or fewer shifts."
            )
        return cls(
            method=str(method),
            evasion_aware=bool(evasion_aware),
            start_date=_tomorrow() if start_date in (None, "") else _parse_date(start_date),
            first_shift="06:00" if first_shift in (None, "") else _parse_time(first_shift),
            distribution=str(distribution or "").strip()[:200] or DEFAULT_DISTRIBUTION,
            **values,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as plain values (store, audit log)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlanParams:
        """Rebuild parameters from :meth:`to_dict` output, re-validated."""
        return cls.from_inputs(
            budget=data.get("budget"),
            teams=data.get("teams"),
            days=data.get("days"),
            shifts=data.get("shifts"),
            method=data.get("method"),
            tolerance=data.get("tolerance"),
            evasion_aware=data.get("evasion_aware"),
            seed=data.get("seed"),
            start_date=data.get("start_date"),
            first_shift=data.get("first_shift"),
            shift_hours=data.get("shift_hours"),
            distribution=data.get("distribution"),
        )


def _clock(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
