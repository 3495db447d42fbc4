"""Properties of every output path on generated flows and filter states (hypothesis).

- Every count displayed is 0, at least the threshold (11), or shown suppressed.
- What the Overview shows is a function of the release alone: the map's values are the
  non-negative sums of released cells under the filter.
- The Corridors page's loads, headline and tables are the released flows' values, each 0,
  at least 11 or shown suppressed (with its share hidden too).
- The display rules never return a negative or a small value.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _dashboard_fixtures import dump, figure_numbers, make_region, write_provinces
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import data
from dashboard.aggregates import with_areas
from dashboard.corridors_model import CorridorState
from dashboard.overview_model import OverviewState, render_overview
from geotraf.privacy import suppress
from geotraf.privacy.region import region_domains, released_flows, with_countries
from geotraf.privacy.release import ReleaseConfig, make_release
from layers.schema import AGE_GROUPS, EXPLOITATION

PLACES = ("bkk", "cm", "vte", "pp", "ygn", "LAO", "THA")
YEARS = (2019, 2020, 2021)

rows = st.tuples(
    st.sampled_from(PLACES),
    st.sampled_from(PLACES),
    st.sampled_from(YEARS),
    st.integers(min_value=1, max_value=80),
    st.sampled_from(EXPLOITATION),
    st.sampled_from(AGE_GROUPS[:2]),
)
states = st.builds(
    OverviewState,
    year_min=st.sampled_from((None, *YEARS)),
    year_max=st.sampled_from((None, *YEARS)),
    exploitation=st.lists(st.sampled_from(EXPLOITATION), max_size=3, unique=True).map(tuple),
    level=st.sampled_from(("country", "province")),
    side=st.sampled_from(("origin", "destination")),
    arcs=st.booleans(),
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("prop") / "region"
    folder.mkdir()
    write_provinces(folder)
    region = make_region(folder)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(data, "load_region", lambda path: region)
        data.region_view.cache_clear()
        data.region_release.cache_clear()
        data.released_region_flows.cache_clear()
        view = data.region_view(str(folder), str(folder.parent / "releases"))
        data.region_view.cache_clear()
        data.region_release.cache_clear()
        data.released_region_flows.cache_clear()
    return region, view


def _view(base: Any, flows: pd.DataFrame) -> tuple[Any, Any]:
    region, view = base
    flows = with_countries(flows.assign(sector="other", sex="female", mode="road"), region.places)
    release = make_release(flows, domains=region_domains(region, flows), config=ReleaseConfig())
    released = with_areas(released_flows(release, region.places), region.places)
    return release, replace(view, flows=released, country_table=release.table("country"))


def _frame(generated: list[tuple[Any, ...]]) -> pd.DataFrame:
    columns = ["origin", "destination", "year", "count", "exploitation", "age_group"]
    return pd.DataFrame(generated, columns=columns)


def _t(s: str) -> str:
    return s


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=st.lists(rows, min_size=1, max_size=25), state=states)
def test_every_displayed_count_is_released_and_at_least_the_threshold(
    base: Any, generated: list[tuple[Any, ...]], state: OverviewState
) -> None:
    release, view = _view(base, _frame(generated))
    assert release.epsilon == pytest.approx(1.0)
    result = render_overview(view, state, base_url="http://x/", t=_t)
    drawn = figure_numbers(
        {"map": result.map_figure.to_plotly_json(), "trend": result.trend_figure.to_plotly_json()}
    )
    assert all(v == 0 or v >= 11 for v in drawn), drawn
    text = dump([result.map_figure.to_plotly_json(), result.headline])
    for number in re.findall(r"(?<![\w<.,])(\d[\d,]*) people", text):
        assert int(number.replace(",", "")) >= 11, number
    people = result.headline[0][0]
    assert (
        people == "<11" or int(people.replace(",", "")) == 0 or int(people.replace(",", "")) >= 11
    )
    # The map's values are the non-negative sums of released cells under the filter.
    shown = result.state
    if shown.level == "country" and len(result.map_figure.data):
        cells = view.country_table
        keep = (cells["year"] >= (shown.year_min or 0)) & (
            cells["year"] <= (shown.year_max or 9999)
        )
        if shown.exploitation:
            keep &= cells["exploitation"].isin(shown.exploitation)
        sums = cells.loc[keep].groupby(f"{shown.side}_country")["count"].sum().clip(lower=0)
        want = {k: float(v) for k, v in sums.items() if v >= 11}
        trace = result.map_figure.data[0]
        if trace.type == "choroplethmap" and trace.locations is not None:
            assert dict(zip(trace.locations, trace.z, strict=True)) == want


@given(values=st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=40))
def test_display_rules_never_show_a_negative_or_small_value(values: list[float]) -> None:
    out = suppress(pd.DataFrame({"count": values}))
    shown = out.loc[~out["suppressed"], "count"].astype(float).to_numpy()
    assert np.all((shown == 0) | (shown >= 11))
    hidden = np.asarray(values)[out["suppressed"].to_numpy()]
    assert np.all((hidden > 0) & (np.rint(hidden) < 11))


@pytest.fixture(scope="module")
def corridor_net(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from _analysis_fixtures import write_region

    from dashboard import corridors_model as cm

    folder = write_region(tmp_path_factory.mktemp("prop_corridors") / "region")
    return cm.corridor_network(str(folder.resolve()), releases=str(folder.parent / "releases"))


corridor_states = st.builds(
    lambda years, forms, sexes, modes: CorridorState(
        year_min=years[0],
        year_max=years[1],
        exploitation=tuple(forms),
        sex=tuple(sexes),
        mode=tuple(modes),
    ),
    st.sampled_from(((None, None), (2020, 2020), (2021, 2021), (2020, 2021))),
    st.lists(st.sampled_from(EXPLOITATION), max_size=3, unique=True),
    st.lists(st.sampled_from(("female", "male", "unknown")), max_size=2, unique=True),
    st.lists(st.sampled_from(("road", "foot", "boat")), max_size=2, unique=True),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=corridor_states)
def test_corridor_outputs_are_released_values_at_least_the_threshold(
    corridor_net: Any, state: Any
) -> None:
    from dashboard import corridors_model as cm

    payload = cm.corridor_payload(corridor_net, state, t=_t)
    assert all(v in (0, cm.SUPPRESSED) or v >= 11 for v in payload["loads"])
    # The loads are the released flows' (the network's counts), never the raw ones.
    released = cm.segment_loads(corridor_net, state)
    assert payload["loads"] == [
        0 if v <= 0 else (cm.SUPPRESSED if v < 11 else int(np.rint(v))) for v in released
    ]
    people = cm.headline(corridor_net, state, t=_t)[0][0]
    assert people == "<11" or people == "0" or int(people.replace(",", "")) >= 11
    tables = cm.analysis_tables(corridor_net, state)
    for frame in (tables.hotspots, tables.corridors):
        if len(frame):
            shown = frame.loc[~frame["suppressed"].astype(bool)]
            assert ((shown["load"] == 0) | (shown["load"] >= 11)).all()
            hidden = frame.loc[frame["suppressed"].astype(bool)]
            assert hidden["share"].isna().all() and hidden["load"].isna().all()
