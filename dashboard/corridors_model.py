"""What the Corridors page computes: modelled corridor loads under the analyst's filters.

The expensive work — building the route graph and assigning every flow
(:func:`geotraf.routing.assign`) — runs once per (region, method) per process
(:func:`corridor_network`, cached). From the assignment it keeps a sparse matrix of path
shares, flows × road segments (scipy CSR, transposed for the product). A filter is then a
boolean mask over the flows, turned into a weight vector ``w`` (people per year), and the
segment loads are one sparse product ``Mᵀw``: no re-routing, no per-flow loop.

A *segment* is one road piece drawn on the map: the two directed edges of a two-way road
are one segment whose load is the sum of both directions. The flows assigned are the
region's *released* flows (:func:`corridor_network`, ``source="release"``): every load,
headline, hotspot and what-if is post-processing of the differentially private release
(:mod:`geotraf.privacy`), values below the display threshold are shown as ``<11`` and no
flow row is ever sent.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from dashboard.years import clamp_range, years_from_query, years_query
from geotraf.privacy import DEFAULT_THRESHOLD, format_count, suppress
from geotraf.routing import METHODS as ROUTING_METHODS
from layers.schema import AGE_GROUPS, EXPLOITATION, MODES, SECTORS, SEXES

if TYPE_CHECKING:
    import networkx as nx

    from geotraf.routing import Assignment

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
#: Decimal places of the corridor geometry sent to the browser (3 ≈ 110 m).
GEOMETRY_DECIMALS = 3
#: Simplification tolerance of that geometry, degrees.
GEOMETRY_TOLERANCE = 0.002
#: Number of load classes on the map (fewer when the data has fewer distinct values).
N_CLASSES = 5
#: Sequential, colour-blind-safe classes (viridis, light to dark), lightest first.
LOAD_COLORS: tuple[str, ...] = ("#a8db34", "#35b779", "#21918c", "#31688e", "#440154")
LOAD_WIDTHS: tuple[float, ...] = (1.6, 2.6, 3.8, 5.4, 7.5)
SUPPRESSED_COLOR = "#9e9e9e"
#: Marker in the loads vector for a segment whose load is suppressed.
SUPPRESSED = -1
#: Above this many road pieces the what-if lists whole roads (by ref) instead.
MAX_ROAD_OPTIONS = 1500
#: Prefix of a what-if pick that means "every piece of this road ref".
REF = "ref:"


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


# --- the cached network ------------------------------------------------------------------


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

    @property
    def n_flows(self) -> int:
        """Number of flow rows in the region."""
        return len(self.counts)


@functools.lru_cache(maxsize=4)
def route_graph(path: str) -> nx.MultiDiGraph:
    """Build the region's route graph (once per process; treat it as read-only)."""
    import warnings

    from dashboard.data import load_region
    from geotraf.graph import build_route_graph

    region = load_region(path)
    with warnings.catch_warnings():
        # Unattached places are reported by `geotraf build`; the page shows unrouted flows.
        warnings.simplefilter("ignore")
        graph: nx.MultiDiGraph = build_route_graph(
            region.roads, region.borders, region.crossings, region.places
        )
    return graph


@functools.lru_cache(maxsize=8)
def _corridor_network(path: str, method: str, source: str, releases: str) -> CorridorNetwork:
    from dashboard.data import load_region, released_region_flows
    from geotraf.routing import assign

    region = load_region(path)
    graph = route_graph(path)
    if source == "raw":
        flows = region.flows if region.flows is not None else pd.DataFrame()
    else:
        flows = released_region_flows(path, releases)
    flows = flows.reset_index(drop=True)
    assignment = assign(graph, flows, method=method, places=region.places)
    return build_network(
        path,
        method,
        graph,
        region,
        assignment,
        synthetic=bool(getattr(region, "synthetic", False)),
    )


def corridor_network(
    path: str, method: str = DEFAULT_METHOD, *, source: str = "release"
) -> CorridorNetwork:
    """Assign the region's flows once and index them for fast filtering (cached).

    ``source="release"`` (the default, for every page a donor or analyst sees) assigns the
    *released* flows (:func:`geotraf.privacy.region.released_flows`), so every load,
    hotspot and what-if is post-processing of the release. ``source="raw"`` assigns the
    raw flows: only the planner's plan computation uses it.
    """
    from dashboard.data import releases_for

    if source not in {"release", "raw"}:
        raise ValueError(f"source must be 'release' or 'raw', got {source!r}")
    return _corridor_network(path, method, source, releases_for(path))


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
    years = (int(attrs["year"].min()), int(attrs["year"].max())) if n else None
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


def flow_mask(net: CorridorNetwork, state: CorridorState) -> np.ndarray:
    """Return the boolean mask of the flows inside the filters (positions of ``attrs``)."""
    attrs = net.attrs
    keep = np.ones(net.n_flows, dtype=bool)
    year = attrs["year"].to_numpy()
    if state.year_min is not None:
        keep &= year >= state.year_min
    if state.year_max is not None:
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


def load_classes(
    loads: np.ndarray, *, threshold: int = DEFAULT_THRESHOLD, n: int = N_CLASSES
) -> list[tuple[float, float]]:
    """Return the map's load classes ``(low, high)`` (round limits, from the threshold up).

    Examples
    --------
    >>> load_classes(np.array([0.0, 4.0, 12.0, 40.0, 90.0, 300.0, 1200.0]), n=3)
    [(11, 50), (50, 200), (200, 1200)]
    """
    from dashboard.figures import flow_classes

    shown = loads[loads >= threshold]
    return flow_classes(list(shown), n=n, threshold=threshold)


def protection_notes(path: str, *, t: Translator, threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """Return the on-screen statement of the protection behind the page's numbers."""
    from dashboard.data import region_release, releases_for
    from geotraf.privacy import protection_note

    release = region_release(path, releases_for(path))
    stated = protection_note(release.epsilon, threshold=threshold)
    return [
        stated[0].upper()
        + stated[1:]
        + ". "
        + t("Loads are modelled by routing the released flows, not the raw data.")
    ]


def unit_label(synthetic: bool, t: Translator) -> str:
    """Return the unit of corridor loads, e.g. ``people/year (modelled)``."""
    return t("people/year (modelled, synthetic)") if synthetic else t("people/year (modelled)")


def corridor_payload(
    net: CorridorNetwork,
    state: CorridorState,
    *,
    t: Translator,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """Return what the browser needs to redraw the corridors for ``state``.

    One rounded load per segment (``-1`` where suppressed, ``0`` where unused) and the
    classes (limits, colours, widths, legend labels); the geometry was sent once
    (:func:`geometry_payload`).
    """
    loads = segment_loads(net, state)
    classes = load_classes(loads, threshold=threshold)
    colors = LOAD_COLORS[-len(classes) :] if classes else ()
    widths = LOAD_WIDTHS[-len(classes) :] if classes else ()
    rounded = np.rint(loads).astype(np.int64)
    rounded[(loads > 0) & (loads < threshold)] = SUPPRESSED
    rounded[loads <= 0] = 0
    unit = unit_label(net.synthetic, t)
    return {
        "loads": rounded.tolist(),
        "classes": [
            {"low": lo, "high": hi, "color": c, "width": w, "label": f"{lo:,}–{hi:,}"}
            for (lo, hi), c, w in zip(classes, colors, widths, strict=True)
        ],
        "suppressed": {
            "color": SUPPRESSED_COLOR,
            "width": 1.0,
            "label": f"<{threshold} ({t('suppressed')})",
        },
        "unit": unit,
        "title": t("Modelled corridors"),
        "revision": state.to_query() or "all",
    }


def geometry_payload(net: CorridorNetwork) -> dict[str, Any]:
    """Return the segments' rounded geometry and labels, sent once per page load."""
    seg = net.segments
    return {
        "lon": seg.lon.tolist(),
        "lat": seg.lat.tolist(),
        "offsets": seg.offsets.tolist(),
        "label": seg.label.tolist(),
        "labels": list(seg.labels),
    }


def headline(
    net: CorridorNetwork,
    state: CorridorState,
    *,
    t: Translator,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[tuple[str, str, str]]:
    """Return ``(value, label, note)`` cards: people/year, routed share, flows, top road."""
    mask = flow_mask(net, state)
    span = year_span(net, state)
    people = float(net.counts[mask].sum()) / span
    unrouted = net.assignment.unrouted
    lost_ids = set(unrouted["flow_id"]) if len(unrouted) else set()
    lost_mask = mask & net.assignment.flows.index.isin(list(lost_ids))
    lost = float(net.counts[lost_mask].sum()) / span
    routed_share = (people - lost) / people if people > 0 else 0.0
    loads = segment_loads(net, state)
    top = ""
    # A road is what has a ref in the roads layer: access links carry a place's name.
    roads = getattr(net.region, "roads", None)
    refs = set() if roads is None or "ref" not in roads else set(roads["ref"].dropna().astype(str))
    is_road = np.array([lab in refs for lab in net.segments.labels], dtype=bool)
    road_loads = np.where(is_road[net.segments.label], loads, 0.0) if refs else loads
    if road_loads.size and road_loads.max() >= threshold:
        top = net.segments.labels[int(net.segments.label[int(np.argmax(road_loads))])]
    clamped = clamp_years(state, net.years)
    years = (
        f"{clamped.year_min}–{clamped.year_max}"
        if clamped.year_min is not None and clamped.year_max is not None
        else ""
    )
    unit = unit_label(net.synthetic, t)
    return [
        (format_count(people, threshold=threshold), unit, years),
        (f"{routed_share:.0%}", t("of it routed on the network"), t("the rest: see notes")),
        (f"{int(mask.sum()):,}", t("flow rows selected"), t("aggregated counts, never persons")),
        (top or "—", t("busiest road"), t("by modelled load")),
    ]


# --- hotspots and corridors for the filtered flows ------------------------------------------


def filtered_assignment(net: CorridorNetwork, state: CorridorState) -> Assignment:
    """Return the assignment restricted to the filtered flows, in people per year.

    Nothing is re-routed: paths are selected, their weights scaled, and the loads taken
    from the cached matrices.
    """
    mask = flow_mask(net, state)
    scale = 1.0 / year_span(net, state)
    a = net.assignment
    weights = net.counts * mask * scale
    path_keep = mask[net.path_flow] if len(net.path_flow) else np.zeros(0, dtype=bool)
    paths = a.paths.loc[path_keep].copy()
    paths["weight"] = paths["weight"] * scale
    flows = a.flows.loc[mask].copy()
    flows["count"] = flows["count"] * scale
    kept_ids = set(flows.index)
    unrouted = a.unrouted[a.unrouted["flow_id"].isin(kept_ids)].copy()
    unrouted["count"] = unrouted["count"] * scale
    return replace(
        a,
        paths=paths,
        flows=flows,
        unrouted=unrouted,
        edge_load=pd.Series(net.flow_edge.T @ weights, index=a.edge_load.index),
        node_load=pd.Series(net.flow_node.T @ weights, index=a.node_load.index),
    )


@dataclass(frozen=True)
class Tables:
    """The filtered view's top hotspots and corridors, counts suppressed."""

    hotspots: pd.DataFrame
    corridors: pd.DataFrame
    unrouted: pd.DataFrame


@functools.lru_cache(maxsize=32)
def _tables_cached(path: str, method: str, state: CorridorState, top: int) -> Tables:
    return analysis_tables(corridor_network(path, method), state, top=top)


def cached_tables(net: CorridorNetwork, state: CorridorState, *, top: int = 15) -> Tables:
    """Return :func:`analysis_tables` for a cached network (memoised per filter state)."""
    return _tables_cached(net.path, net.method, state, top)


def analysis_tables(
    net: CorridorNetwork,
    state: CorridorState,
    *,
    top: int = 15,
    threshold: int = DEFAULT_THRESHOLD,
) -> Tables:
    """Rank hotspots and corridors of the filtered flows; suppress every small count.

    Calls :func:`geotraf.hotspots.hotspots` and :func:`geotraf.hotspots.corridors` on
    :func:`filtered_assignment`; ``load`` (and the ``share`` that would reveal it) is
    suppressed below ``threshold`` people per year.
    """
    from geotraf.hotspots import corridors, hotspots

    sub = filtered_assignment(net, state)
    region = net.region
    if sub.routed <= 0:
        empty = pd.DataFrame(columns=["load", "share", "suppressed"])
        return Tables(empty, empty, _unrouted_table(sub, threshold=threshold))
    spots = hotspots(
        net.graph,
        sub,
        incidents=getattr(region, "incidents", None),
        sites=getattr(region, "sites", None),
        top=top,
    )
    safe_spots = suppress(pd.DataFrame(spots), count_col="load", threshold=threshold)
    safe_spots["share"] = safe_spots["share"].mask(safe_spots["suppressed"])
    safe_spots["lon"] = spots.geometry.x.to_numpy()
    safe_spots["lat"] = spots.geometry.y.to_numpy()
    safe_spots = safe_spots.drop(columns="geometry")
    runs = corridors(net.graph, sub)
    safe_runs = suppress(
        pd.DataFrame(runs).drop(columns="geometry"), count_col="load", threshold=threshold
    )
    safe_runs["share"] = safe_runs["share"].mask(safe_runs["suppressed"])
    return Tables(
        safe_spots.reset_index(drop=True),
        safe_runs.head(top).reset_index(drop=True),
        _unrouted_table(sub, threshold=threshold),
    )


def _unrouted_table(sub: Assignment, *, threshold: int) -> pd.DataFrame:
    """People per year left unrouted, by reason (suppressed)."""
    if len(sub.unrouted) == 0:
        return pd.DataFrame(columns=["reason", "count", "suppressed"])
    by_reason = sub.unrouted.groupby("reason", as_index=False)["count"].sum()
    return suppress(by_reason, threshold=threshold)


@functools.lru_cache(maxsize=8)
def incident_layer(path: str, since: str | None) -> pd.DataFrame:
    """Network-constrained incident density at the nodes (``lon``, ``lat``, ``density``).

    Calls :func:`geotraf.hotspots.incident_density` (cached per region and start date);
    nodes without incidents nearby are left out.
    """
    from dashboard.data import load_region
    from geotraf.hotspots import incident_density

    incidents = getattr(load_region(path), "incidents", None)
    if incidents is None or len(incidents) == 0:
        return pd.DataFrame(columns=["lon", "lat", "density"])
    graph = route_graph(path)
    density = incident_density(graph, incidents, since=since)
    density = density[density > 0]
    return pd.DataFrame(
        {
            "lon": [round(float(graph.nodes[n]["x"]), 4) for n in density.index],
            "lat": [round(float(graph.nodes[n]["y"]), 4) for n in density.index],
            "density": density.round(3).to_numpy(),
        }
    )


# --- what if: close or watch, see where the flow goes --------------------------------------


def whatif_options(graph: nx.MultiDiGraph) -> list[dict[str, str]]:
    """Return the crossings and roads a scenario can close or watch (label, value).

    Crossings first (by name), then roads (by ref and name).
    """
    crossings: dict[str, str] = {}
    for _, d in graph.nodes(data=True):
        if d.get("kind") == "crossing" and d.get("crossing_id"):
            status = str(d.get("status", "") or "")
            crossings[str(d["crossing_id"])] = f"{d.get('name') or d['crossing_id']}" + (
                f" ({status})" if status else ""
            )
    roads: dict[str, str] = {}
    for *_, d in graph.edges(data=True):
        rid = str(d.get("road_id", "") or "")
        if rid and rid not in roads:
            ref = str(d.get("ref", "") or "")
            name = str(d.get("name", "") or "")
            roads[rid] = " · ".join(p for p in (ref, name) if p) or rid
    out = [
        {"label": f"Crossing: {label}", "value": cid}
        for cid, label in sorted(crossings.items(), key=lambda kv: kv[1])
    ]
    if len(roads) > MAX_ROAD_OPTIONS:
        # A large network lists whole roads by ref, not every piece (small page payload).
        refs = sorted({label.split(" · ")[0] for label in roads.values()})
        return out + [
            {"label": f"Road: {ref} (whole road)", "value": f"{REF}{ref}"} for ref in refs
        ]
    out += [
        {"label": f"Road: {label}", "value": rid}
        for rid, label in sorted(roads.items(), key=lambda kv: kv[1])
    ]
    return out


def expand_targets(graph: nx.MultiDiGraph, values: Sequence[str]) -> list[str]:
    """Turn what-if picks into crossing and road ids (``ref:AH1`` → every AH1 road id).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", road_id="r1", ref="AH1")
    >>> _ = G.add_edge("b", "c", road_id="r2", ref="AH1")
    >>> expand_targets(G, ["X1", "ref:AH1"])
    ['X1', 'r1', 'r2']
    """
    wanted = {v[len(REF) :] for v in values if v.startswith(REF)}
    out = [v for v in values if not v.startswith(REF)]
    if wanted:
        ids = {
            str(d["road_id"])
            for *_, d in graph.edges(data=True)
            if d.get("road_id") and str(d.get("ref", "")) in wanted
        }
        out += sorted(ids)
    return out


@dataclass(frozen=True)
class WhatIf:
    """A scenario's displacement, ready to show (counts suppressed, people per year)."""

    summary: list[tuple[str, str, str]]
    moved: pd.DataFrame
    corridors: pd.DataFrame
    gained: np.ndarray
    lost: np.ndarray
    closed_points: pd.DataFrame
    notes: list[str]


def what_if(
    net: CorridorNetwork,
    state: CorridorState,
    *,
    close: Sequence[str] = (),
    watch: Sequence[str] = (),
    factor: float = 3.0,
    t: Translator,
    threshold: int = DEFAULT_THRESHOLD,
    top: int = 12,
) -> WhatIf:
    """Close and/or watch crossings or roads for the filtered flows and compare.

    Calls :func:`geotraf.scenarios.displacement` on the filtered flows (people per year)
    with the page's assignment method, then aggregates for display: moved flows by
    origin → destination, road refs that gained or lost load, and the segments whose
    load changed by at least ``threshold`` (``gained``/``lost`` are segment indices).
    """
    from geotraf.scenarios import displacement

    mask = flow_mask(net, state)
    scale = 1.0 / year_span(net, state)
    flows = net.assignment.flows.loc[mask].drop(
        columns=["origin_node", "destination_node"], errors="ignore"
    )
    flows = flows.assign(count=flows["count"] * scale)
    result = displacement(
        net.graph,
        flows,
        close=expand_targets(net.graph, close),
        watch=expand_targets(net.graph, watch),
        factor=factor,
        method=net.method,
        places=getattr(net.region, "places", None),
    )
    diff_edges = (
        result.scenario.edge_load.reindex(net.assignment.edge_load.index, fill_value=0.0).to_numpy()
        - result.base.edge_load.reindex(net.assignment.edge_load.index, fill_value=0.0).to_numpy()
    )
    diff = np.asarray(net.edge_segment.T @ diff_edges)
    gained = np.flatnonzero(diff >= threshold)
    lost = np.flatnonzero(diff <= -threshold)
    moved = _moved_table(result.moved, net.graph, threshold=threshold, top=top)
    # Changes below the threshold are neither shown nor hinted at: a table of "<11" rows
    # says nothing and a change could reveal a small flow.
    changes = result.corridors[result.corridors["change"].abs() >= threshold].copy()
    change_table = _change_table(changes, threshold=threshold, top=top)
    summary = result.summary()
    moved_people = float(result.moved["count"].sum()) if len(result.moved) else 0.0
    newly = float(result.newly_unrouted["count"].sum()) if len(result.newly_unrouted) else 0.0
    unit = unit_label(net.synthetic, t)
    cards = [
        (format_count(moved_people, threshold=threshold), t("moved to other routes"), unit),
        (
            f"+{summary['mean_added_time_min']:.0f} min",
            t("added travel time"),
            t("mean, weighted by people"),
        ),
        (
            format_count(newly, threshold=threshold) if newly else "0",
            t("left without a route"),
            unit,
        ),
    ]
    notes = []
    if not len(result.moved) and not newly:
        notes.append(t("No modelled flow changes route: nothing in the filter uses these."))
    return WhatIf(
        summary=cards,
        moved=moved,
        corridors=change_table,
        gained=gained,
        lost=lost,
        closed_points=_target_points(
            net.graph,
            expand_targets(net.graph, [*close, *watch]),
            closed=set(expand_targets(net.graph, close)),
        ),
        notes=notes,
    )


def _pair_name(graph: nx.MultiDiGraph, code: object) -> str:
    node = f"p:{code}"
    if node in graph and graph.nodes[node].get("name"):
        return str(graph.nodes[node]["name"])
    return str(code)


def _crossing_names(graph: nx.MultiDiGraph, ids: Sequence[str]) -> str:
    names = []
    for cid in ids:
        node = f"x:{cid}"
        names.append(str(graph.nodes[node].get("name") or cid) if node in graph else str(cid))
    return " / ".join(names) or "—"


def _moved_table(
    moved: pd.DataFrame, graph: nx.MultiDiGraph, *, threshold: int, top: int
) -> pd.DataFrame:
    columns = ["pair", "crossing_before", "crossing_after", "count", "added_min", "suppressed"]
    if len(moved) == 0:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "pair": [
                f"{_pair_name(graph, o)} → {_pair_name(graph, d)}"
                for o, d in zip(moved["origin"], moved["destination"], strict=True)
            ],
            "crossing_before": [_crossing_names(graph, c) for c in moved["old_crossings"]],
            "crossing_after": [_crossing_names(graph, c) for c in moved["new_crossings"]],
            "count": moved["count"].to_numpy(float),
            "minutes": moved["added_time_s"].to_numpy(float) / 60.0 * moved["count"].to_numpy(),
        }
    )
    grouped = frame.groupby(["pair", "crossing_before", "crossing_after"], as_index=False)[
        ["count", "minutes"]
    ].sum()
    grouped["added_min"] = grouped["minutes"] / grouped["count"].where(grouped["count"] > 0)
    # A group below the threshold is not listed: its town pair is never named.
    grouped = grouped.loc[grouped["count"] >= threshold]
    grouped = grouped.sort_values("count", ascending=False, kind="stable").head(top)
    safe = suppress(grouped.drop(columns="minutes"), threshold=threshold)
    return safe[columns].reset_index(drop=True)


def _change_table(changes: pd.DataFrame, *, threshold: int, top: int) -> pd.DataFrame:
    columns = ["ref", "base", "scenario", "change", "suppressed"]
    if len(changes) == 0:
        return pd.DataFrame(columns=columns)
    order = changes["change"].abs().sort_values(ascending=False, kind="stable").index
    frame = changes.loc[order[:top]].reset_index(drop=True)
    hidden = np.zeros(len(frame), dtype=bool)
    for col in ("base", "scenario", "change"):
        v = frame[col].abs().to_numpy(float)
        hidden |= (v > 0) & (v < threshold)
    out = frame.copy()
    for col in ("base", "scenario", "change"):
        out[col] = out[col].astype("Float64").round(0).mask(hidden)
    out["suppressed"] = hidden
    return out[columns]


def _target_points(
    graph: nx.MultiDiGraph, targets: Sequence[str], *, closed: set[str]
) -> pd.DataFrame:
    """Where the closed/watched elements are: a crossing's node, a road's midpoint."""
    rows = []
    wanted = set(targets)
    for _, d in graph.nodes(data=True):
        cid = str(d.get("crossing_id", "") or "")
        if d.get("kind") == "crossing" and cid in wanted:
            rows.append((cid, str(d.get("name") or cid), float(d["x"]), float(d["y"])))
            wanted.discard(cid)
    for *_, d in graph.edges(data=True):
        rid = str(d.get("road_id", "") or "")
        if rid in wanted and d.get("geometry") is not None:
            mid = d["geometry"].interpolate(0.5, normalized=True)
            rows.append((rid, str(d.get("ref") or rid), float(mid.x), float(mid.y)))
            wanted.discard(rid)
    frame = pd.DataFrame(rows, columns=["id", "name", "lon", "lat"])
    frame["action"] = ["close" if i in closed else "watch" for i in frame["id"]]
    return frame


def segment_lines(segments: Segments, which: np.ndarray) -> tuple[list[float], list[float]]:
    """Return lon/lat lists of the chosen segments, separated by NaN (one trace)."""
    lons: list[float] = []
    lats: list[float] = []
    for s in which:
        a, b = int(segments.offsets[s]), int(segments.offsets[s + 1])
        lons += [*segments.lon[a:b].tolist(), math.nan]
        lats += [*segments.lat[a:b].tolist(), math.nan]
    return lons, lats
