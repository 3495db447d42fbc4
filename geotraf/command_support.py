"""What the analysis commands share: the region they read, the flows they may use, the
protection statement their outputs carry, and a quiet assignment.

By default a command works on the region's *released* flows (differentially private);
``--raw`` (the data owner) uses the raw flows and every output then says RESTRICTED.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geotraf.errors import GeotrafError
from geotraf.scale import dask_client

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx
    import pandas as pd

    from geotraf.routing import Assignment
    from layers.region import Region


def load_region(region: str) -> Region:
    """Read a region by bundled name (``mekong``) or path."""
    from geotraf.datasets import resolve_region
    from layers import read_region

    return read_region(resolve_region(region))


def load_region_and_graph(region: str) -> tuple[Region, nx.MultiDiGraph]:
    """Read a region and build its route graph."""
    from geotraf.graph import build_route_graph

    reg = load_region(region)
    graph = build_route_graph(reg.roads, reg.borders, reg.crossings, reg.places)
    return reg, graph


def command_flows(
    reg: Region,
    region: str,
    *,
    nothing_to: str,
    error: type[GeotrafError] = GeotrafError,
    raw: bool = False,
    graph: nx.MultiDiGraph | None = None,
) -> pd.DataFrame:
    """Return the flows the command works on; raise ``error`` when the region has none.

    By default the region's *released* flows (:func:`geotraf.privacy.region.released_flows`,
    made once per dataset version and reused from the instance's releases folder): every
    number the command prints or writes is then post-processing of the differentially
    private release and may be shared. ``raw=True`` (``--raw``, the data owner) returns
    the raw flows; those outputs are RESTRICTED. ``graph`` (the region's route graph)
    spares rebuilding it when the release has to be made (it keys the incidents).
    """
    if reg.flows is None or len(reg.flows) == 0:
        raise error(f"region {region!r} has no flows layer: nothing to {nothing_to}")
    if raw:
        return reg.flows
    from geotraf.privacy.region import release_region, released_flows

    flows = released_flows(release_region(reg, source=region, graph=graph), reg.places)
    if len(flows) == 0:
        raise error(
            f"region {region!r}: the differentially private release holds no flows above its "
            f"threshold: nothing to {nothing_to}. Fix: use more data, or --raw (data owner)"
        )
    return flows


def command_incidents(reg: Region, region: str, *, raw: bool = False) -> Any:
    """Return the incidents the command's hotspot scores use: released, or raw (``--raw``).

    By default the release's incidents per road node
    (:func:`geotraf.privacy.incidents.released_incidents`), so the ``incident_density``
    column, the scores and the explanations are post-processing of the release; the raw
    incidents layer only for the data owner's RESTRICTED outputs.
    """
    if raw:
        return reg.incidents
    from geotraf.privacy.incidents import released_incidents
    from geotraf.privacy.region import release_region

    return released_incidents(release_region(reg, source=region))


def protection(reg: Region, region: str, *, raw: bool) -> dict[str, Any]:
    """Return the protection statement every shareable output carries.

    Examples
    --------
    >>> protection(None, "x", raw=True)["protection"]  # type: ignore[arg-type]
    'RESTRICTED — computed from raw flows, not differentially private; do not share'
    """
    if raw:
        return {"protection": RAW_NOTICE, "classification": "RESTRICTED"}
    from geotraf.privacy import protection_note
    from geotraf.privacy.region import release_region

    release = release_region(reg, source=region)
    return {
        "protection": protection_note(release.epsilon),
        "epsilon": round(release.epsilon, 6),
        "delta": release.delta,
        "release_id": release.release_id,
    }


def unrouted_rows(
    unrouted: pd.DataFrame,
    *,
    raw: bool,
    count: Callable[[float], float | None] | None = None,
) -> list[dict[str, Any]]:
    """Unrouted flows: per flow for the data owner (``--raw``), else people by reason.

    ``count``, when given, adds each raw row's ``count`` through it (e.g. a rounding rule).
    """
    from geotraf.privacy import DEFAULT_THRESHOLD

    if raw:
        return [
            {
                "flow_id": r.flow_id,
                "origin": r.origin,
                "destination": r.destination,
                "reason": r.reason,
                **({} if count is None else {"count": count(r.count)}),
            }
            for r in unrouted.itertuples()
        ]
    if len(unrouted) == 0:
        return []
    by_reason = unrouted.groupby("reason")["count"].sum()
    return [
        {"reason": str(reason), "people": round(float(n), 1)}
        for reason, n in by_reason.items()
        if n >= DEFAULT_THRESHOLD
    ]


#: What an output computed from raw flows (``--raw``) says about itself.
RAW_NOTICE = "RESTRICTED — computed from raw flows, not differentially private; do not share"


def assign_quietly(
    graph: nx.MultiDiGraph, reg: Region, flows: pd.DataFrame, *, method: str, dask: str | None
) -> Assignment:
    """Assign ``flows`` on ``graph`` (on Dask when ``dask`` is given), without progress bars."""
    from geotraf.routing import assign

    with dask_client(dask) as client:
        return assign(
            graph, flows, method=method, places=reg.places, show_progress=None, client=client
        )
