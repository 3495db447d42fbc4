"""What the Corridors map and headline show: suppressed loads, classes, geometry, cards."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import numpy as np

from dashboard import i18n
from dashboard.corridors_network import (
    CorridorNetwork,
    flow_mask,
    segment_loads,
    year_span,
)
from dashboard.corridors_state import CorridorState, Translator, clamp_years
from geotraf.privacy import DEFAULT_THRESHOLD

#: Number of load classes on the map (fewer when the data has fewer distinct values).
N_CLASSES = 5
#: Sequential, colour-blind-safe classes (viridis, light to dark), lightest first.
LOAD_COLORS: tuple[str, ...] = ("#a8db34", "#35b779", "#21918c", "#31688e", "#440154")
LOAD_WIDTHS: tuple[float, ...] = (1.6, 2.6, 3.8, 5.4, 7.5)
SUPPRESSED_COLOR = "#9e9e9e"
#: Marker in the loads vector for a segment whose load is suppressed.
SUPPRESSED = -1


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
    lang: str = "en",
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
            {
                "low": lo,
                "high": hi,
                "color": c,
                "width": w,
                "label": f"{i18n.number(lo, lang)}–{i18n.number(hi, lang)}",
            }
            for (lo, hi), c, w in zip(classes, colors, widths, strict=True)
        ],
        "suppressed": {
            "color": SUPPRESSED_COLOR,
            "width": 1.0,
            "label": f"<{threshold} ({t('suppressed')})",
        },
        "unit": unit,
        "title": t("Modelled corridors"),
        "revision": canonical_query(state) or "all",
    }


def canonical_query(state: CorridorState) -> str:
    """Return ``state``'s URL query with each filter's values sorted: one per state,
    whatever order they were ticked in (the answer is stored once per state).

    Examples
    --------
    >>> canonical_query(CorridorState(exploitation=("sexual", "begging")))
    '?exploitation=begging,sexual'
    """
    sorted_values: dict[str, Any] = {
        f.name: tuple(sorted(getattr(state, f.name)))
        for f in fields(state)
        if isinstance(getattr(state, f.name), tuple)
    }
    return replace(state, **sorted_values).to_query()


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
    lang: str = "en",
) -> list[tuple[str, str, str]]:
    """Return ``(value, label, note)`` cards: people/year, routed share, flows, top road
    (numbers in ``lang``'s convention)."""
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
        (i18n.count(people, lang, threshold=threshold), unit, years),
        (
            i18n.percent(routed_share, lang),
            t("of it routed on the network"),
            t("the rest: see notes"),
        ),
        (
            i18n.number(int(mask.sum()), lang),
            t("flow rows selected"),
            t("aggregated counts, never persons"),
        ),
        (top or "—", t("busiest road"), t("by modelled load")),
    ]
