"""Overview aggregations: totals a person can add up from ``_dashboard_fixtures.FLOWS``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _dashboard_fixtures import FakeRegion, make_region

from dashboard import aggregates
from dashboard.aggregates import FlowFilter


@pytest.fixture(scope="module")
def region() -> FakeRegion:
    return make_region(Path("unused"))


def _as_dict(table: pd.DataFrame, key: str = "area") -> dict[str, object]:
    return {
        k: (None if pd.isna(v) else int(v)) for k, v in zip(table[key], table["count"], strict=True)
    }


def test_endpoints_resolve_place_iso3_and_province(region: FakeRegion) -> None:
    codes = pd.Series(["vte", "LAO", "Yangon", "nowhere"])
    countries = aggregates.endpoint_areas(codes, region.places, level="country")
    provinces = aggregates.endpoint_areas(codes, region.places, level="province")
    assert countries.tolist() == ["LAO", "LAO", "MMR", pd.NA]
    assert provinces.tolist() == ["Vientiane", pd.NA, "Yangon", pd.NA]


def test_totals_by_origin_country_add_up(region: FakeRegion) -> None:
    table = aggregates.totals_by_area(region.flows, region.places, level="country", side="origin")
    # LAO 120 + 80 + 40, MMR 200 + 30, KHM 60 + 5; largest first.
    assert _as_dict(table) == {"LAO": 240, "MMR": 230, "KHM": 65}
    assert table["area"].tolist() == ["LAO", "MMR", "KHM"]
    dest = aggregates.totals_by_area(
        region.flows, region.places, level="country", side="destination"
    )
    assert _as_dict(dest) == {"THA": 535}


def test_small_value_is_shown_suppressed_without_secondary(region: FakeRegion) -> None:
    # These tables take released values; the noise protects, so no secondary hiding.
    flows = aggregates.filter_flows(region.flows, FlowFilter(2021, 2021))
    table = aggregates.totals_by_area(flows, region.places, level="country", side="origin")
    assert _as_dict(table) == {"MMR": 200, "LAO": 80, "KHM": None}
    assert table.set_index("area")["suppressed"].to_dict() == {
        "MMR": False,
        "LAO": False,
        "KHM": True,
    }


def test_pairs_leave_out_internal_movement(region: FakeRegion) -> None:
    pairs = aggregates.totals_by_pair(region.flows, region.places, level="province")
    shown = pairs.loc[~pairs["suppressed"]]
    got = {(o, d): int(c) for o, d, c in shown[["origin", "destination", "count"]].values}
    assert len(got) == 4
    assert got[("Phnom Penh", "Bangkok")] == 60
    assert got[("Vientiane", "Bangkok")] == 200
    assert got[("Yangon", "Bangkok")] == 200
    assert got[("Yangon", "Chiang Mai")] == 30
    # Phnom Penh → Chiang Mai (5) is shown suppressed; Phnom Penh → Bangkok (60) is not.
    hidden = pairs.loc[pairs["suppressed"], ["origin", "destination"]].values.tolist()
    assert sorted(map(tuple, hidden)) == [("Phnom Penh", "Chiang Mai")]


def test_trend_by_year_shows_small_cells_suppressed(region: FakeRegion) -> None:
    table = aggregates.totals_by_year(region.flows)
    cells = {
        (int(y), e): (None if pd.isna(c) else int(c))
        for y, e, c in table[["year", "exploitation", "count"]].values
    }
    assert cells[(2020, "sexual")] == 150
    assert cells[(2019, "domestic_servitude")] == 40
    assert cells[(2021, "begging")] is None
    assert cells[(2021, "forced_labour")] == 280


def test_headline_numbers(region: FakeRegion) -> None:
    h = aggregates.headline(region.flows, region.places)
    assert (h["people"], h["children"], h["origins"], h["destinations"]) == (535, 65, 3, 1)
    assert (h["top_origin"], h["top_destination"]) == ("LAO", "THA")
    begging = aggregates.filter_flows(region.flows, FlowFilter(exploitation=("begging",)))
    small = aggregates.headline(begging, region.places)
    assert small["people"] is None and small["top_origin"] is None


def test_filter_does_not_touch_its_input(region: FakeRegion) -> None:
    before = region.flows.copy()
    out = aggregates.filter_flows(region.flows, FlowFilter(2020, 2020, ("sexual",)))
    assert out["count"].tolist() == [120, 30]
    pd.testing.assert_frame_equal(region.flows, before)
