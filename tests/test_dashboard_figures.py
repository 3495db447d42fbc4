"""Pure figure builders: traces, legends, units, and that suppressed cells show no value."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import figures
from dashboard.arcs import arrowheads

CENTROIDS = {"LAO": (102.5, 19.0), "KHM": (105.0, 12.5), "THA": (101.0, 15.0), "MMR": (96.0, 20.0)}
NAMES = {"LAO": "Lao PDR", "KHM": "Cambodia", "THA": "Thailand", "MMR": "Myanmar"}


def _areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["THA", "MMR", "KHM"],
            "count": pd.array([535, pd.NA, pd.NA], dtype="Int64"),
            "suppressed": [False, True, True],
        }
    )


def _pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": ["LAO", "MMR", "KHM", "KHM"],
            "destination": ["THA", "THA", "THA", "LAO"],
            "count": pd.array([240, 1200, 40, pd.NA], dtype="Int64"),
            "suppressed": [False, False, False, True],
        }
    )


def _map(pairs: pd.DataFrame | None = None) -> go.Figure:
    return figures.flow_map(
        _areas(),
        _pairs() if pairs is None else pairs,
        geojson="http://127.0.0.1:8050/basemap/borders.geojson",
        featureidkey="properties.country",
        names=NAMES,
        centroids=CENTROIDS,
        style={"version": 8, "sources": {}, "layers": []},
        center={"lon": 101, "lat": 16},
        zoom=4,
        area_title="People by country of origin",
        unit="people (modelled, synthetic)",
    )


def test_arc_bends_left_of_its_direction_and_keeps_its_ends() -> None:
    lons, lats = figures.arc((100.0, 10.0), (102.0, 10.0), samples=5)
    assert (lons[0], lats[0], lons[-1], lats[-1]) == (100.0, 10.0, 102.0, 10.0)
    assert lats[2] > 10.0  # eastward arc bows north (left of travel)
    _, back_lats = figures.arc((102.0, 10.0), (100.0, 10.0), samples=5)
    assert back_lats[2] < 10.0  # the return arc bows the other way: both stay visible


def test_flow_classes_start_at_threshold_and_cover_the_largest() -> None:
    classes = figures.flow_classes([12, 40, 90, 300, 1200])
    assert classes[0][0] == 11 and classes[-1][1] == 1200
    assert all(low < high for low, high in classes)


def test_map_shades_only_unsuppressed_areas_and_lists_suppressed_in_legend() -> None:
    fig = _map()
    shaded, grey = fig.data[0], fig.data[1]
    assert shaded.type == "choroplethmap" and list(shaded.locations) == ["THA"]
    assert list(shaded.z) == [535.0]
    assert "people (modelled, synthetic)" in shaded.colorbar.title.text
    assert list(grey.locations) == ["MMR", "KHM"]
    assert grey.name == "<11 (suppressed)" and "<11" in grey.hovertemplate
    swatches = [t for t in fig.data if t.showlegend and t.legendgroup == "areas"]
    assert [(t.name, t.fillcolor) for t in swatches] == [
        ("<11 (suppressed)", grey.colorscale[0][1]),
        ("No data", "#ffffff"),
    ]


def test_arcs_widen_with_count_and_say_direction() -> None:
    fig = _map()
    lines = [t for t in fig.data if t.type == "scattermap" and t.mode == "lines" and not t.fill]
    lines = [t for t in lines if t.legendgroup == "flows"]
    widths = [t.line.width for t in lines]
    assert widths == sorted(widths) and len(set(widths)) == len(widths)
    text = " ".join(str(h) for t in lines for h in t.hovertext if h)
    assert "Myanmar → Thailand: 1,200 people (modelled, synthetic)" in text
    assert "Cambodia → Lao PDR" not in text  # suppressed: no value, so no line
    heads = [t for t in fig.data if t.legendgroup == "flows" and t.fill == "toself"]
    assert len(heads) == 1 and heads[0].name == "arrowhead: towards the destination"
    gaps = sum(1 for v in heads[0].lon if v != v)
    assert gaps + 1 == 3  # one filled triangle per drawn pair


def test_map_uses_no_glyphs_no_text_mode_and_has_a_legend() -> None:
    fig = _map()
    assert all("text" not in (getattr(t, "mode", None) or "") for t in fig.data)
    assert fig.layout.legend.bordercolor  # framed legend
    payload = json.dumps(fig.to_plotly_json(), default=str)
    assert "glyphs" not in payload and "sprite" not in payload


def test_only_the_largest_pairs_get_arcs() -> None:
    drawn = figures.drawn_pairs(_pairs(), centroids=CENTROIDS, max_pairs=2)
    assert drawn["origin"].tolist() == ["MMR", "LAO"]
    lines = figures.flow_arcs(_pairs(), names=NAMES, centroids=CENTROIDS, unit="p", max_pairs=2)
    assert sum(str(h).count("→") for t in lines[:-1] for h in t.hovertext[::14]) == 2


def test_no_pairs_draws_areas_only() -> None:
    fig = _map(pairs=_pairs().iloc[0:0])
    assert [t.type for t in fig.data] == [
        "choroplethmap",
        "choroplethmap",
        "scattermap",
        "scattermap",
    ]
    assert fig.data[-1].name == "No data"  # legend entry only


def test_trend_chart_units_and_suppressed_markers() -> None:
    table = pd.DataFrame(
        {
            "year": [2019, 2020, 2020, 2021],
            "exploitation": ["domestic_servitude", "sexual", "forced_labour", "begging"],
            "count": pd.array([40, 150, 60, pd.NA], dtype="Int64"),
            "suppressed": [False, False, False, True],
        }
    )
    fig = figures.trend_chart(table, unit="people (modelled, synthetic)")
    bars = {t.name: list(t.y) for t in fig.data if t.type == "bar"}
    assert bars == {"Sexual": [150.0], "Forced labour": [60.0], "Domestic servitude": [40.0]}
    assert fig.layout.xaxis.title.text == "year"
    assert fig.layout.yaxis.title.text == "people (modelled, synthetic)"
    marks = [t for t in fig.data if t.type == "scatter"]
    assert len(marks) == 1 and list(marks[0].x) == [2021]
    assert marks[0].hovertext == ("Begging, 2021: <11 people (modelled, synthetic)",)
    assert fig.layout.barmode == "stack"


def test_exploitation_colours_are_fixed_okabe_ito() -> None:
    assert figures.EXPLOITATION_COLORS["sexual"] == figures.OKABE_ITO[0]
    assert set(figures.EXPLOITATION_COLORS.values()) <= set(figures.OKABE_ITO)


def test_empty_states_say_what_to_do() -> None:
    fig = figures.empty_map({}, center={"lon": 0, "lat": 0}, zoom=1, message="Widen the years")
    assert fig.layout.annotations[0].text == "Widen the years"
    assert figures.empty_chart("Tick a form").layout.annotations[0].text == "Tick a form"


def test_whatif_palette_is_diverging_and_apart_from_the_corridor_classes() -> None:
    import pandas as pd

    from dashboard import corridor_figures as cf
    from dashboard.corridors_model import LOAD_COLORS

    def lab(h: str) -> tuple[float, float, float]:
        """sRGB hex → CIELAB (D65), the space where distance is perceived difference."""
        c = [int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (((v + 0.055) / 1.055) ** 2.4 if v > 0.04045 else v / 12.92 for v in c)
        x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
        y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
        f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
        return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])

    def delta_e(a: str, b: str) -> float:
        return sum((p - q) ** 2 for p, q in zip(lab(a), lab(b), strict=True)) ** 0.5

    # "Lost" was the Okabe-Ito blue #0072B2: ΔE 13 from the 100–500 corridor blue #31688e.
    assert delta_e("#0072B2", "#31688e") < 20
    for colour in (cf.GAINED_COLOR, cf.LOST_COLOR):
        assert min(delta_e(colour, c) for c in LOAD_COLORS) > 25, colour
    assert delta_e(cf.GAINED_COLOR, cf.LOST_COLOR) > 50
    pts = pd.DataFrame(
        {"id": ["X1"], "name": ["Mae Sot"], "lon": [98.5], "lat": [16.7], "action": ["close"]}
    )
    traces = cf.change_traces(([98.0, 99.0], [16.0, 17.0]), ([97.0, 98.0], [15.0, 16.0]), pts)
    lines = [tr for tr in traces if tr.mode == "lines"]
    # Each change line sits on a wider white casing drawn just before it.
    assert [tr.line.color for tr in lines] == [
        cf.CASING_COLOR,
        cf.GAINED_COLOR,
        cf.CASING_COLOR,
        cf.LOST_COLOR,
    ]
    assert lines[0].line.width > lines[1].line.width


def _one_value_map() -> Any:
    import pandas as pd

    from dashboard import figures

    areas = pd.DataFrame({"area": ["THA"], "count": pd.array([13], "Int64"), "suppressed": [False]})
    return figures.flow_map(
        areas,
        None,
        geojson={"type": "FeatureCollection", "features": []},
        featureidkey="properties.country",
        names={"THA": "Thailand"},
        centroids={},
        style={},
        center={"lon": 100, "lat": 15},
        zoom=4,
        area_title="People",
        unit="people",
    )


def test_colour_bar_with_one_value_has_distinct_ticks() -> None:
    bar = _one_value_map().data[0].colorbar
    # Was "13, 13, 13, 13, 13": ticks from a float range printed as integers.
    assert bar.tickvals is not None and len(bar.tickvals) >= 2
    assert len(set(bar.ticktext)) == len(bar.ticktext)
    assert bar.tickvals[-1] >= 13 and _one_value_map().data[0].zmax == bar.tickvals[-1]


def test_map_legend_says_what_white_means() -> None:
    names = [tr.name for tr in _one_value_map().data if tr.showlegend]
    assert "No data" in names and "<11 (suppressed)" in names


def test_legend_lists_suppressed_and_no_data_even_when_no_area_is_hidden() -> None:
    areas = pd.DataFrame(
        {"area": ["THA"], "count": pd.array([535], dtype="Int64"), "suppressed": [False]}
    )
    fig = figures.flow_map(
        areas,
        None,
        geojson={"type": "FeatureCollection", "features": []},
        featureidkey="properties.country",
        names=NAMES,
        centroids=CENTROIDS,
        style={},
        center={"lon": 100, "lat": 15},
        zoom=4,
        area_title="People",
        unit="people",
    )
    legend = [t.name for t in fig.data if t.showlegend]
    assert legend == ["<11 (suppressed)", "No data"]


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(st.floats(92, 110), st.floats(5, 27)),
    st.tuples(st.floats(92, 110), st.floats(5, 27)),
    st.sampled_from(figures.FLOW_WIDTHS),
)
def test_arrowhead_points_along_the_arc_towards_the_destination(
    start: tuple[float, float], end: tuple[float, float], width: float
) -> None:
    import math

    from hypothesis import assume

    assume(math.dist(start, end) > 0.5)
    lon, lat = arrowheads([(start, end, width)])
    tip, left, right = (lon[0], lat[0]), (lon[1], lat[1]), (lon[2], lat[2])
    base = ((left[0] + right[0]) / 2, (left[1] + right[1]) / 2)
    xs, ys = figures.arc(start, end, samples=101)
    # Nearest point of the curve to the tip and to the base: the tip lies further along.
    along = [min(range(101), key=lambda i: math.dist(p, (xs[i], ys[i]))) for p in (tip, base)]
    assert along[0] > along[1]
    assert 55 <= along[1] <= 75  # about 70 % of the way
    assert (lon[3], lat[3]) == tip  # the triangle is closed
