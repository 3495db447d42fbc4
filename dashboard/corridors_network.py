"""The cached corridor network: a region's assignment as sparse matrices, and the filter mask."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from dashboard.corridors_state import (
    CATEGORY_FILTERS,
    COUNTRY_FILTERS,
    DEFAULT_METHOD,
    CorridorState,
    clamp_years,
)

if TYPE_CHECKING:
    import networkx as nx

    from geotraf.hotspot_index import HotspotIndex
    from geotraf.routing import Assignment

#: Column of a released network's flows naming the released model a row comes from:
#: ``"pairs"`` (the place pairs, every person: the unfiltered view), ``"pairs_by_year"``
#: (the same split over the years: a view filtered by years only) or ``"flows"`` (the
#: attribute-level flows: a view filtered by category). See :func:`flow_mask`.
RELEASE_TABLE = "release_table"
#: Decimal places of the corridor geometry sent to the browser (3 ≈ 110 m).
GEOMETRY_DECIMALS = 3
#: Simplification tolerance of that geometry, degrees.
GEOMETRY_TOLERANCE = 0.002


@dataclass(frozen=True)
class Segments:
    """Road pieces drawn on the map (both directions of a road are one segment).

    ``lon``/``lat`` hold every segment's rounded vertices end to end; segment ``i`` runs
    from ``offsets[i]`` to ``offsets[i + 1]``. ``label`` indexes ``labels`` (the road's
    ref or name).
    """

    lon: np.ndarray
    lat: np.ndarray
    offsets: np.ndarray
    label: np.ndarray
    labels: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.offsets) - 1


@dataclass(frozen=True)
class CorridorNetwork:
    """One region's graph and assignment, with the sparse matrices the filters use.

    Read-only once built (cached per process).
    """

    path: str
    method: str
    graph: nx.MultiDiGraph
    region: Any
    assignment: Assignment
    attrs: pd.DataFrame
    counts: np.ndarray
    flow_edge: sp.csr_array
    flow_node: sp.csr_array
    segment_flow: sp.csr_array
    edge_segment: sp.csr_array
    edge_ids: pd.Index
    node_ids: pd.Index
    segments: Segments
    path_flow: np.ndarray
    years: tuple[int, int] | None
    synthetic: bool
    #: The releases folder of a released network ("" for the planner's raw one).
    releases: str = ""
    #: Incidents behind the density layer and hotspot scores: the release's
    #: (:func:`geotraf.privacy.incidents.released_incidents`) or, raw, the layer's.
    incidents: Any = None

    @property
    def n_flows(self) -> int:
        """Number of flow rows in the region."""
        return len(self.counts)

    @functools.cached_property
    def hotspot_index(self) -> HotspotIndex:
        """What the hotspot ranking needs of the graph and sites (built on first use)."""
        from geotraf.hotspot_index import hotspot_index

        return hotspot_index(self.graph, sites=getattr(self.region, "sites", None))


@functools.lru_cache(maxsize=8)
def _corridor_network(path: str, method: str, source: str, releases: str) -> CorridorNetwork:
    from dataclasses import replace

    from dashboard.data import (
        load_region,
        region_release,
        released_region_flows,
        released_region_pairs,
        released_region_pairs_by_year,
        route_graph,
    )
    from geotraf.privacy.incidents import released_incidents
    from geotraf.routing import assign

    region = load_region(path)
    graph = route_graph(path)
    years = None
    if source == "raw":
        flows = region.flows if region.flows is not None else pd.DataFrame()
        incidents = getattr(region, "incidents", None)
    else:
        # The released corridor models, each row tagged (see flow_mask): the place pairs
        # for the unfiltered view, the pairs by year for a view filtered by years only,
        # the attribute-level flows for a view filtered by category.
        flows = pd.concat(
            [
                released_region_flows(path, releases).assign(**{RELEASE_TABLE: "flows"}),
                released_region_pairs(path, releases).assign(**{RELEASE_TABLE: "pairs"}),
                released_region_pairs_by_year(path, releases).assign(
                    **{RELEASE_TABLE: "pairs_by_year"}
                ),
            ],
            ignore_index=True,
        )
        release = region_release(path, releases)
        incidents = released_incidents(release)
        country = release.table("country")
        years = (int(country["year"].min()), int(country["year"].max())) if len(country) else None
    flows = flows.reset_index(drop=True)
    assignment = assign(graph, flows, method=method, places=region.places)
    net = build_network(
        path,
        method,
        graph,
        region,
        assignment,
        synthetic=bool(getattr(region, "synthetic", False)),
    )
    if source == "raw":
        return replace(net, incidents=incidents)
    return replace(net, releases=releases, incidents=incidents, years=years or net.years)


def corridor_network(
    path: str,
    method: str = DEFAULT_METHOD,
    *,
    source: str = "release",
    releases: str | None = None,
) -> CorridorNetwork:
    """Assign the region's flows once and index them for fast filtering (cached).

    ``source="release"`` (the default, for every page a donor or analyst sees) assigns the
    *released* flows (:func:`geotraf.privacy.region.released_flows`), so every load,
    hotspot and what-if is post-processing of the release. ``source="raw"`` assigns the
    raw flows: only the planner's plan computation uses it, and it needs no releases
    folder. ``releases`` names the releases folder where no Flask app is at hand (a
    background job); by default it is the app's (:func:`dashboard.data.releases_for`,
    which refuses to guess one outside an app).
    """
    from dashboard.data import releases_for

    if source not in {"release", "raw"}:
        raise ValueError(f"source must be 'release' or 'raw', got {source!r}")
    if source == "raw":
        return _corridor_network(path, method, source, "")
    return _corridor_network(path, method, source, releases or releases_for(path))


corridor_network.cache_clear = _corridor_network.cache_clear  # type: ignore[attr-defined]


def build_network(
    path: str,
    method: str,
    graph: nx.MultiDiGraph,
    region: Any,
    assignment: Assignment,
    *,
    synthetic: bool = False,
) -> CorridorNetwork:
    """Index an assignment: per-flow attributes and the flows × edges/segments matrices.

    Parameters
    ----------
    path, method
        Cache key (region path, assignment method).
    graph
        The route graph the assignment was made on.
    region
        The region (its ``places`` map flow endpoints to countries).
    assignment
        From :func:`geotraf.routing.assign`; its ``flows`` index is the flow id.
    synthetic
        True when the counts are invented demo data.
    """
    from dashboard.aggregates import endpoint_areas

    flows = assignment.flows
    n = len(flows)
    places = getattr(region, "places", None)
    attrs = pd.DataFrame(index=pd.RangeIndex(n))
    attrs["year"] = (
        pd.to_numeric(flows["year"], errors="coerce").fillna(0).astype(int).to_numpy()
        if "year" in flows
        else 0
    )
    for column, allowed, _ in CATEGORY_FILTERS.values():
        values = flows[column].astype(str).to_numpy() if column in flows else ["unknown"] * n
        attrs[column] = pd.Categorical(
            values, categories=list(dict.fromkeys([*allowed, "unknown"]))
        )
    for side, (column, _) in zip(("origin", "destination"), COUNTRY_FILTERS.values(), strict=True):
        countries = (
            endpoint_areas(flows[side].astype(str), places, level="country")
            if side in flows
            else pd.Series([""] * n)
        )
        attrs[column] = pd.Categorical(countries.fillna("").astype(str).to_numpy())
    counts = pd.to_numeric(flows["count"], errors="coerce").fillna(0.0).to_numpy(float)
    if RELEASE_TABLE in flows:
        attrs[RELEASE_TABLE] = flows[RELEASE_TABLE].astype(str).to_numpy()

    # edge_load is indexed by (u, v, key); paths name edges by edge_id, in the same order.
    edge_ids = pd.Index(
        [str(d.get("edge_id", f"{u}|{v}|{k}")) for u, v, k, d in graph.edges(keys=True, data=True)]
    )
    node_ids = pd.Index(assignment.node_load.index.astype(str))
    paths = assignment.paths
    path_flow = flows.index.get_indexer(paths["flow_id"]) if len(paths) else np.zeros(0, int)
    share = paths["share"].to_numpy(float) if len(paths) else np.zeros(0)
    path_edge = _incidence(paths["edges"] if len(paths) else [], edge_ids)
    path_node = _incidence(paths["nodes"] if len(paths) else [], node_ids)
    # flows × paths, holding each path's share of its flow.
    flow_path = sp.csr_array((share, (path_flow, np.arange(len(share)))), shape=(n, len(share)))
    flow_edge = sp.csr_array(flow_path @ path_edge)
    flow_node = sp.csr_array(flow_path @ path_node)
    edge_segment, segments = _segments(graph, edge_ids)
    segment_flow = sp.csr_array((flow_edge @ edge_segment).T)
    dated = attrs["year"].to_numpy()[attrs["year"].to_numpy() > 0]
    years = (int(dated.min()), int(dated.max())) if len(dated) else None
    return CorridorNetwork(
        path=path,
        method=method,
        graph=graph,
        region=region,
        assignment=assignment,
        attrs=attrs,
        counts=counts,
        flow_edge=flow_edge,
        flow_node=flow_node,
        segment_flow=segment_flow,
        edge_segment=edge_segment,
        edge_ids=edge_ids,
        node_ids=node_ids,
        segments=segments,
        path_flow=np.asarray(path_flow),
        years=years,
        synthetic=synthetic,
    )


def _incidence(items: Sequence[Sequence[str]] | pd.Series, index: pd.Index) -> sp.csr_array:
    """0/1 matrix rows × ``index``: each row's ids counted once (as assign does)."""
    lengths = np.fromiter((len(t) for t in items), dtype=np.int64, count=len(items))
    flat = [i for t in items for i in t]
    cols = index.get_indexer(pd.Index(flat, dtype=object)) if flat else np.zeros(0, np.int64)
    rows = np.repeat(np.arange(len(lengths)), lengths)
    keep = cols >= 0
    matrix = sp.csr_array(
        (np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(len(lengths), len(index))
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _segments(graph: nx.MultiDiGraph, edge_ids: pd.Index) -> tuple[sp.csr_array, Segments]:
    """Merge each road piece's two directions into one drawn segment."""
    position = {eid: i for i, eid in enumerate(edge_ids)}
    seg_of: dict[tuple[str, str, int], int] = {}
    rows: list[int] = []
    cols: list[int] = []
    geoms: list[Any] = []
    labels: list[str] = []
    for u, v, k, d in graph.edges(keys=True, data=True):
        pos = position.get(str(d.get("edge_id", f"{u}|{v}|{k}")))
        if pos is None:
            continue
        a, b = sorted((str(u), str(v)))
        key = (a, b, round(float(d.get("length_m", 0.0) or 0.0)))
        seg = seg_of.get(key)
        if seg is None:
            seg = seg_of[key] = len(geoms)
            geom = d.get("geometry")
            if geom is None:
                nu, nv = graph.nodes[u], graph.nodes[v]
                geom = shapely.LineString([(nu["x"], nu["y"]), (nv["x"], nv["y"])])
            geoms.append(geom)
            labels.append(str(d.get("ref") or d.get("name") or d.get("road_class") or ""))
        rows.append(pos)
        cols.append(seg)
    edge_segment = sp.csr_array(
        (np.ones(len(rows)), (rows, cols)), shape=(len(edge_ids), len(geoms))
    )
    simple = shapely.simplify(np.asarray(geoms, dtype=object), GEOMETRY_TOLERANCE)
    coords = [np.round(shapely.get_coordinates(g), GEOMETRY_DECIMALS) for g in simple]
    sizes = np.fromiter((len(c) for c in coords), dtype=np.int64, count=len(coords))
    flat = np.concatenate(coords) if coords else np.zeros((0, 2))
    unique = tuple(dict.fromkeys(labels))
    lookup = {name: i for i, name in enumerate(unique)}
    segments = Segments(
        lon=flat[:, 0],
        lat=flat[:, 1],
        offsets=np.concatenate([[0], np.cumsum(sizes)]),
        label=np.array([lookup[x] for x in labels], dtype=np.int64),
        labels=unique,
    )
    return edge_segment, segments


# --- filtering ----------------------------------------------------------------------------


def filtered(net: CorridorNetwork, state: CorridorState) -> bool:
    """True when ``state`` narrows the years (inside the network's) or any category.

    Country filters do not count: a row's countries come from its places, which both
    released tables have.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> net = SimpleNamespace(years=(2018, 2024))
    >>> filtered(net, CorridorState(year_min=2018, year_max=2024, origin=("MMR",)))
    False
    >>> filtered(net, CorridorState(year_min=2020)), filtered(net, CorridorState(sex=("male",)))
    (True, True)
    """
    shown = clamp_years(state, net.years)
    if net.years is not None and (shown.year_min, shown.year_max) != tuple(net.years):
        return True
    return any(getattr(state, name) for name in CATEGORY_FILTERS)


def flow_mask(net: CorridorNetwork, state: CorridorState) -> np.ndarray:
    """Return the boolean mask of the flows inside the filters (positions of ``attrs``).

    A released network holds three released models (column :data:`RELEASE_TABLE`): an
    unfiltered state takes the place pairs (all people, routed by their transit
    places), a state filtered by years alone the pairs by year, a state filtered by a
    category (:func:`filtered`) the attribute-level flows. Each is post-processing of
    the release.
    """
    attrs = net.attrs
    keep = np.ones(net.n_flows, dtype=bool)
    pairs = RELEASE_TABLE in attrs and not filtered(net, state)
    if RELEASE_TABLE in attrs:
        by_category = any(getattr(state, name) for name in CATEGORY_FILTERS)
        model = "pairs" if pairs else "flows" if by_category else "pairs_by_year"
        keep &= attrs[RELEASE_TABLE].to_numpy() == model
    year = attrs["year"].to_numpy()
    if state.year_min is not None and not pairs:  # (the pairs cover every year)
        keep &= year >= state.year_min
    if state.year_max is not None and not pairs:
        keep &= year <= state.year_max
    for name, (column, _, _) in CATEGORY_FILTERS.items():
        chosen = getattr(state, name)
        if chosen:
            keep &= _isin(attrs[column], chosen)
    for name, (column, _) in COUNTRY_FILTERS.items():
        chosen = getattr(state, name)
        if chosen:
            keep &= _isin(attrs[column], chosen)
    return keep


def _isin(column: pd.Series, chosen: Sequence[str]) -> np.ndarray:
    cat = column.cat
    wanted = [i for i, c in enumerate(cat.categories) if c in set(chosen)]
    return np.isin(cat.codes.to_numpy(), wanted)


def year_span(net: CorridorNetwork, state: CorridorState) -> int:
    """Number of years the filter covers (loads are divided by it: people per year)."""
    state = clamp_years(state, net.years)
    if state.year_min is None or state.year_max is None:
        return 1
    return state.year_max - state.year_min + 1


def flow_weights(net: CorridorNetwork, state: CorridorState) -> np.ndarray:
    """People per year of each flow inside the filters, 0 outside."""
    return net.counts * flow_mask(net, state) / year_span(net, state)


def segment_loads(net: CorridorNetwork, state: CorridorState) -> np.ndarray:
    """Modelled people per year on every segment: ``Mᵀw``."""
    return np.asarray(net.segment_flow @ flow_weights(net, state))
