"""Names people use: hotspots named by their place or by roads and the nearest town (not
by a list of refs), only hotspots that carry flow are ranked, and the "busiest road"
card names a road."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from _routing_fixtures import corridor_flows, corridor_region
from shapely.geometry import Point

from geotraf.hotspots import hotspots
from geotraf.routing import assign


@pytest.fixture(scope="module")
def spots() -> gpd.GeoDataFrame:
    G = corridor_region()
    sites = gpd.GeoDataFrame(
        # A high-risk site on the unused AH16 corridor: vulnerable, but nobody passes.
        {
            "site_id": ["s_j4"],
            "name": ["AH16 truck stop"],
            "site_type": ["truck_stop"],
            "risk": ["high"],
        },
        geometry=[Point(104.70, 16.50)],
        crs="EPSG:4326",
    )
    return hotspots(G, assign(G, corridor_flows()), sites=sites)


def test_only_hotspots_that_carry_flow_are_ranked(spots: gpd.GeoDataFrame) -> None:
    assert len(spots) > 0
    assert (spots["load"] > 0).all(), spots[["rank", "name", "load"]]
    assert spots["rank"].tolist() == list(range(1, len(spots) + 1))


def test_hotspots_are_named_as_people_name_places(spots: gpd.GeoDataFrame) -> None:
    names = dict(zip(spots["node"], spots["name"], strict=True))
    # The junction south of the bridge: its road and where it is from the nearest town.
    assert re.fullmatch(r"AH12 / AH16 junction, \d+ km [NESW]+ of \w+", names["j2"]), names["j2"]
    # A place keeps its name and gains its road; a crossing keeps its name, not its id.
    assert names["x:X1"] == "Friendship Bridge"
    assert all(not re.fullmatch(r"[A-Z0-9]+( / [A-Z0-9]+)*", n) for n in names.values())


def test_busiest_road_card_names_a_road(tmp_path_factory: pytest.TempPathFactory) -> None:
    from _analysis_fixtures import write_region

    from dashboard import corridors_model as cm

    folder = write_region(tmp_path_factory.mktemp("names") / "region").resolve()
    net = cm.corridor_network(str(folder), releases=str(folder.parent / "releases"))
    cards = {label: value for value, label, _ in cm.headline(net, cm.CorridorState(), t=str)}
    # Everyone goes Vientiane → AH1 → Bangkok; the access link into Bangkok is not a road.
    assert cards["busiest road"] == "AH1"
