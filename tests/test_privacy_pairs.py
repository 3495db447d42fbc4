"""The corridor model of the release on the demo region: every place pair and its transit
places (the ``pairs`` and ``routes`` tables), against the raw flows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geotraf.command_support import command_flows, load_region_and_graph
from geotraf.routing import assign

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
