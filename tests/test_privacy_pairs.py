"""The corridor model of the release: every place pair (the public-key ``pairs`` table)
with its transit places (the ``routes`` table) — its ε share and ledger line, its use by
the unfiltered Corridors view and the CLI's shareable outputs, the attribute-level flows
behind a filtered view, and the demo region against the raw flows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _analysis_fixtures import write_region
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geotraf.command_support import command_flows, load_region_and_graph
from geotraf.privacy import non_negative
from geotraf.privacy.region import (
    PAIR_THRESHOLD,
    pairs_by_year,
    region_domains,
    release_region,
    released_flows,
    with_countries,
)
from geotraf.privacy.release import DEFAULT_TABLES, ReleaseConfig, make_release
from geotraf.privacy.store import ReleaseStore
from geotraf.routing import assign
from layers import read_region
from layers.schema import EXPLOITATION

pytestmark = pytest.mark.xdist_group("demo_release")


@pytest.fixture(scope="module")
def demo() -> tuple[object, object]:
    return load_region_and_graph("mekong")


def test_the_shared_corridor_model_keeps_the_transit_places_people_travel_by(
    demo: tuple[object, object],
) -> None:
    """58 % of the demo's people travel by declared transit places (``via``: Myawaddy and
    Mae Sot, Poipet and Aranyaprathet…). The released flows the CLI shares must route
    them there too: before, the release dropped ``via`` and sent them by the shortest
    road, so Mae Sot lost most of its load to Three Pagodas Pass."""
    reg, graph = demo
    released = command_flows(reg, "mekong", nothing_to="assign", graph=graph)  # type: ignore[arg-type]
    raw = reg.flows  # type: ignore[attr-defined]
    has_via = raw["via"].notna() & (raw["via"].astype(str) != "")
    raw_share = float(raw.loc[has_via, "count"].sum() / raw["count"].sum())
    assert raw_share > 0.5
    assert "via" in released.columns
    via = released["via"].notna() & (released["via"].astype(str) != "")
    got_share = float(released.loc[via, "count"].sum() / released["count"].sum())
    assert abs(got_share - raw_share) < 0.1
    kw = {"method": "shortest", "places": reg.places, "show_progress": None}  # type: ignore[attr-defined]
    raw_load = assign(graph, raw, **kw).node_load  # type: ignore[arg-type]
    got_load = assign(graph, released, **kw).node_load  # type: ignore[arg-type]
    for crossing in ("x:TH-MM-MAESOT", "x:TH-KH-ARANYAPRATHET", "x:TH-MM-3PAGODAS"):
        want = float(raw_load[crossing])
        assert want > 500
        assert abs(float(got_load.get(crossing, 0.0)) - want) / want < 0.25, crossing
    # The 20 most loaded road pieces: the released model is within a few per cent.
    top = assign(graph, raw, **kw).edge_load.nlargest(20)  # type: ignore[arg-type]
    got = assign(graph, released, **kw).edge_load.reindex(top.index).fillna(0.0)  # type: ignore[arg-type]
    assert float(np.median(np.abs(got - top) / top)) < 0.1


def test_the_default_release_spends_its_shares_on_five_tables_and_the_ledger_says_so(
    tmp_path: Path,
) -> None:
    region = read_region(write_region(tmp_path / "region"))
    store = ReleaseStore(tmp_path / "releases")
    release = release_region(region, store=store)
    spent = {name: t.epsilon for name, t in release.tables.items()}
    assert spent == pytest.approx(
        {"country": 0.3, "pairs": 0.25, "flows": 0.2, "routes": 0.05, "incidents": 0.2}
    )
    assert sum(spent.values()) == pytest.approx(1.0) == release.epsilon
    # Public keys from the geography: every declared origin (the source place and the two
    # countries) by every declared destination; δ only from the two key selections.
    pairs = release.table("pairs")
    assert len(pairs) == 3 * 3
    assert set(pairs["origin"]) == {"vte", "LAO", "THA"}
    assert release.tables["pairs"].delta == 0.0
    assert release.tables["routes"].delta > 0 and release.tables["flows"].delta > 0
    assert release.delta <= ReleaseConfig().delta
    line = store.ledger()[-1]
    assert line["split"]["pairs"]["epsilon"] == pytest.approx(0.25)
    assert line["split"]["routes"]["epsilon"] == pytest.approx(0.05)
    assert line["keys"]["pairs"] == ["origin", "destination"]
    assert line["keys"]["routes"] == ["origin_country", "destination_country", "via"]
    assert "via" in line["keys"]["flows"]


PLACES = ("bkk", "cm", "vte", "pp", "ygn", "LAO", "THA")
VIAS = (None, "cm", "vte;cm")
rows = st.tuples(
    st.sampled_from(PLACES),
    st.sampled_from(PLACES),
    st.sampled_from((2020, 2021)),
    st.integers(min_value=1, max_value=120),
    st.sampled_from(EXPLOITATION[:3]),
    st.sampled_from(VIAS),
)


@pytest.fixture(scope="module")
def places() -> tuple[Any, pd.DataFrame]:
    from types import SimpleNamespace

    frame = pd.DataFrame(
        {
            "place_id": ["bkk", "cm", "vte", "pp", "ygn"],
            "country": ["THA", "THA", "LAO", "KHM", "MMR"],
            "role": ["destination", "transit;destination", "source", "source", "source"],
        }
    )
    return SimpleNamespace(borders=None, places=frame), frame


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=st.lists(rows, min_size=1, max_size=25))
def test_the_released_pairs_are_the_release_post_processed(
    places: tuple[Any, pd.DataFrame], generated: list[tuple[Any, ...]]
) -> None:
    region, frame = places
    flows = pd.DataFrame(
        generated, columns=["origin", "destination", "year", "count", "exploitation", "via"]
    ).assign(sector="other", sex="female", age_group="adult", mode="road")
    flows = with_countries(flows, frame)
    release = make_release(flows, domains=region_domains(region, flows))
    out = released_flows(release, frame, table="pairs")
    assert (out["count"] > 0).all()
    # Every routed pair is a cell of the pairs table at the threshold or above …
    cells = release.table("pairs").set_index(["origin", "destination"])["count"]
    for o, d in zip(out["origin"], out["destination"], strict=True):
        assert cells[(o, d)] >= PAIR_THRESHOLD
    # … its transit places are released routes of its country pair (or none) …
    routes = release.table("routes")
    for row in out.itertuples():
        if row.via is not None:
            same = routes[
                (routes["origin_country"] == row.origin_country)
                & (routes["destination_country"] == row.destination_country)
            ]
            assert row.via in set(same["via"].dropna())
    # … and each country pair adds up to the country table's total for it.
    country = release.table("country")
    for (oc, dc), got in out.groupby(["origin_country", "destination_country"])["count"]:
        cell = country[(country["origin_country"] == oc) & (country["destination_country"] == dc)]
        assert got.sum() == pytest.approx(float(non_negative(pd.Series([cell["count"].sum()]))[0]))


def test_a_release_without_pairs_gives_its_attribute_level_flows(tmp_path: Path) -> None:
    region = read_region(write_region(tmp_path / "region"))
    flows, domains, _ = _input(region)
    old = tuple(t for t in DEFAULT_TABLES if t.name not in {"pairs", "routes"})
    old = tuple(
        type(t)(
            t.name, t.keys, {"country": 0.4, "flows": 0.4}.get(t.name, 0.2), t.selection, t.source
        )
        for t in old
    )
    release = make_release(flows, domains=domains, config=ReleaseConfig(tables=old))
    pd.testing.assert_frame_equal(
        released_flows(release, region.places, table="pairs"),
        released_flows(release, region.places, table="flows"),
    )


def _input(region: Any) -> tuple[pd.DataFrame, dict[str, Any], str]:
    from geotraf.privacy.region import release_input

    return release_input(region)


@pytest.fixture(scope="module")
def released_net(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dashboard import corridors_model as cm

    folder = tmp_path_factory.mktemp("pairs_net")
    region = write_region(folder / "region")
    return cm.corridor_network(str(region.resolve()), releases=str(folder / "releases"))


def test_the_unfiltered_corridors_view_routes_the_pairs_and_a_filtered_one_the_flows(
    released_net: Any,
) -> None:
    from dashboard import corridors_model as cm
    from dashboard import data
    from dashboard.corridors_network import filtered

    net = released_net
    release = data.region_release(net.path, net.releases)
    pairs = released_flows(release, net.region.places, table="pairs")
    fine = released_flows(release, net.region.places, table="flows")
    tables = net.attrs["release_table"].to_numpy()
    assert set(tables) == {"pairs", "pairs_by_year", "flows"}
    # The network's rows are the two released tables, value for value (post-processing).
    np.testing.assert_allclose(net.counts[tables == "pairs"], pairs["count"].to_numpy())
    np.testing.assert_allclose(net.counts[tables == "flows"], fine["count"].to_numpy())
    assert net.years == (2020, 2021)  # the release's years, whatever each table holds
    everyone = cm.CorridorState()
    assert set(tables[cm.flow_mask(net, everyone)]) == {"pairs"}
    # The whole year range and a country filter are still "everyone": the pairs.
    same = cm.CorridorState(year_min=2020, year_max=2021, origin=("LAO",))
    assert set(tables[cm.flow_mask(net, same)]) == {"pairs"}
    # People per year on the map: the released pairs over the release's two years.
    assert cm.flow_weights(net, everyone).sum() == pytest.approx(pairs["count"].sum() / 2)
    # A year filter alone: the pairs split over the years (every pair, 2021's share).
    by_year = pairs_by_year(release, net.region.places)
    in_2021 = cm.CorridorState(year_min=2021)
    assert filtered(net, in_2021)
    assert set(tables[cm.flow_mask(net, in_2021)]) == {"pairs_by_year"}
    want = by_year.loc[by_year["year"] == 2021, "count"].sum()
    assert cm.flow_weights(net, in_2021).sum() == pytest.approx(want)
    assert want > 0
    # A category filter: the attribute-level flows.
    assert set(tables[cm.flow_mask(net, cm.CorridorState(sex=("female",)))]) <= {"flows"}
    female = fine.loc[fine["sex"] == "female", "count"].sum()
    got = cm.flow_weights(net, cm.CorridorState(sex=("female",))).sum()
    assert got == pytest.approx(female / 2)


def test_the_cli_shares_the_pairs_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from geotraf.cli import main

    region_dir = write_region(tmp_path / "region")
    assert (
        main(
            [
                "plan",
                "--region",
                str(region_dir),
                "--budget",
                "1",
                "--method",
                "greedy",
                "--format",
                "json",
            ]
        )
        == 0
    )
    shown = json.loads(capsys.readouterr().out)
    reg = read_region(region_dir)
    pairs = released_flows(release_region(reg), reg.places, table="pairs")
    assert shown["total"] == round(float(pairs["count"].sum()), 1)
