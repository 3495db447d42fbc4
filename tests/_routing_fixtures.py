"""Route graphs built by hand for the routing, hotspot and scenario tests.

They follow docs/contracts.md "Route graph" so the tests do not depend on the graph
builder: random graphs for comparisons with NetworkX and a small two-country corridor
region whose numbers can be checked by hand.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from shapely.geometry import LineString


def random_road_graph(
    seed: int, *, n: int = 80, m: int = 320, integer: bool = False, parallel: int = 10
) -> nx.MultiDiGraph:
    """A random directed road-like graph with string node ids and contract edge attrs.

    ``integer=True`` draws travel times from 1..4 so that ties are frequent; otherwise
    they are random floats (shortest paths unique with probability one). ``parallel``
    extra edges duplicate existing (u, v) pairs with other times.
    """
    rng = np.random.default_rng(seed)
    base = nx.gnm_random_graph(n, m, seed=seed, directed=True)
    G = nx.MultiDiGraph(crs="EPSG:4326", name=f"random-{seed}")
    for i in range(n):
        G.add_node(
            f"j{i:03d}",
            x=float(rng.uniform(100, 105)),
            y=float(rng.uniform(10, 20)),
            kind="junction",
            country="THA",
            name="",
        )
    pairs = list(base.edges)
    extra = [pairs[i] for i in rng.choice(len(pairs), size=min(parallel, len(pairs)))]
    for u, v in pairs + extra:
        t = float(rng.integers(1, 5)) if integer else float(rng.uniform(10.0, 100.0))
        a, b = f"j{u:03d}", f"j{v:03d}"
        key = G.add_edge(a, b, travel_time_s=t, length_m=t * 20.0, ref="", crossing_id="")
        G.edges[a, b, key]["edge_id"] = f"{a}|{b}|{key}"
    return G


def _add_road(
    G: nx.MultiDiGraph,
    u: str,
    v: str,
    *,
    time_s: float,
    ref: str,
    road_class: str = "trunk",
    crossing_id: str = "",
    road_id: str = "",
) -> None:
    """Add a two-way road piece (two directed edges) with contract attributes."""
    for a, b in ((u, v), (v, u)):
        ca, cb = G.nodes[a]["country"], G.nodes[b]["country"]
        border = ca != cb
        geometry = LineString(
            [(G.nodes[a]["x"], G.nodes[a]["y"]), (G.nodes[b]["x"], G.nodes[b]["y"])]
        )
        key = G.add_edge(
            a,
            b,
            length_m=time_s * 20.0,
            travel_time_s=time_s,
            road_class=road_class,
            ref=ref,
            name=ref,
            road_id=road_id or (f"{ref}-{u}-{v}" if ref else ""),
            country=f"{ca}|{cb}" if border else ca,
            border=border,
            crossing_id=crossing_id if border else "",
            informal=False,
            geometry=geometry,
        )
        G.edges[a, b, key]["edge_id"] = f"{a}|{b}|{key}"


def corridor_region() -> nx.MultiDiGraph:
    """Two countries (LAO → THA) joined by two corridors with one crossing each.

    ::

        p:VTE --60-- j1 --600 AH12-- x:X1 --600 AH12-- j2 --60-- p:BKK
                      \\                               /
                      1800 AH16                     1200 AH16
                        \\                          /
                         j3 --300-- x:X2 --300-- j4

    Fastest VTE → BKK: via X1 in 60 + 600 + 600 + 60 = 1320 s. Without X1: via X2 in
    60 + 1800 + 300 + 300 + 1200 + 60 = 3720 s (2400 s more). The bus station ``p:BUS``
    hangs off j2; ``p:ISL`` is an island (no road); ``FAR`` was left unattached.
    """
    G = nx.MultiDiGraph(crs="EPSG:4326", name="corridor", unattached=["FAR"])

    def place(
        pid: str,
        x: float,
        y: float,
        country: str,
        role: str,
        ptype: str,
        population: int,
        admin1: str,
    ) -> None:
        G.add_node(
            f"p:{pid}",
            x=x,
            y=y,
            kind="place",
            country=country,
            name=pid.title(),
            place_id=pid,
            place_type=ptype,
            role=role,
            population=population,
            admin1=admin1,
        )

    def junction(nid: str, x: float, y: float, country: str) -> None:
        G.add_node(nid, x=x, y=y, kind="junction", country=country, name="")

    place("VTE", 102.60, 17.97, "LAO", "source", "city", 900_000, "LA-VT")
    place("PAK", 102.40, 18.30, "LAO", "source", "village", 5_000, "LA-VT")
    place("BKK", 100.50, 13.75, "THA", "destination", "city", 10_000_000, "TH-10")
    place("UDN", 102.80, 17.40, "THA", "destination;transit", "city", 400_000, "TH-41")
    place("BUS", 102.00, 17.00, "THA", "transit", "bus_station", 0, "TH-41")
    place("ISL", 99.00, 9.50, "THA", "destination", "village", 1_000, "TH-84")
    junction("j1", 102.55, 17.90, "LAO")
    junction("j2", 102.00, 17.10, "THA")
    junction("j3", 104.70, 16.60, "LAO")
    junction("j4", 104.70, 16.50, "THA")
    for cid, name, x, y in (
        ("X1", "Friendship Bridge", 102.70, 17.88),
        ("X2", "Savannakhet-Mukdahan", 104.72, 16.55),
    ):
        G.add_node(
            f"x:{cid}",
            x=x,
            y=y,
            kind="crossing",
            country="THA",
            name=name,
            crossing_id=cid,
            status="official",
        )
    _add_road(G, "p:VTE", "j1", time_s=60, ref="", road_class="access")
    _add_road(G, "p:PAK", "j1", time_s=120, ref="", road_class="access")
    _add_road(G, "j1", "x:X1", time_s=600, ref="AH12", crossing_id="X1", road_id="r12a")
    _add_road(G, "x:X1", "j2", time_s=600, ref="AH12", road_id="r12b")
    _add_road(G, "j1", "j3", time_s=1800, ref="AH16", road_id="r16a")
    _add_road(G, "j3", "x:X2", time_s=300, ref="AH16", crossing_id="X2", road_id="r16b")
    _add_road(G, "x:X2", "j4", time_s=300, ref="AH16", road_id="r16c")
    _add_road(G, "j4", "j2", time_s=1200, ref="AH16", road_id="r16d")
    _add_road(G, "j2", "p:BKK", time_s=60, ref="", road_class="access")
    _add_road(G, "j2", "p:BUS", time_s=30, ref="", road_class="access")
    _add_road(G, "x:X1", "p:UDN", time_s=90, ref="", road_class="access")
    return G


def corridor_flows() -> pd.DataFrame:
    """Flows of the corridor region; flow_id = index (10, 11, ...)."""
    return pd.DataFrame(
        {
            "origin": ["VTE", "LAO", "PAK", "VTE", "FAR", "NOWHERE", "VTE"],
            "destination": ["BKK", "THA", "BKK", "ISL", "BKK", "BKK", "BKK"],
            "via": ["", "", "", "", "", "", "BUS"],
            "year": [2021, 2022, 2022, 2021, 2021, 2021, 2020],
            "count": [100, 30, 5, 7, 12, 3, 20],
        },
        index=pd.RangeIndex(10, 17),
    )
