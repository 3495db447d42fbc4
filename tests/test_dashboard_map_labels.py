"""Map labels: country names in the page's language, the largest towns, and glyph files
that hold every character those labels use (a missing glyph is a blank on the map)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import basemap, data, map_labels
from geotraf.datasets import get_path

GLYPHS = Path(__file__).resolve().parents[1] / "dashboard" / "assets" / "glyphs"


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> data.RegionView:
    """The Mekong region's view, its release in a folder of this module's own."""
    releases = tmp_path_factory.mktemp("releases")
    return data.region_view(str(get_path("mekong")), str(releases))


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def _fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """Decode one protocol-buffer message into (field number, value) pairs."""
    out: list[tuple[int, int | bytes]] = []
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        if key & 7 == 0:
            value, i = _varint(buf, i)
            out.append((key >> 3, value))
        else:
            size, i = _varint(buf, i)
            out.append((key >> 3, buf[i : i + size]))
            i += size
    return out


def _glyphs(font: str) -> dict[int, dict[int, int | bytes]]:
    """Every glyph shipped for ``font``: code point → its fields."""
    found: dict[int, dict[int, int | bytes]] = {}
    for path in sorted((GLYPHS / font).glob("*.pbf")):
        (_, stack), *_ = _fields(path.read_bytes())
        assert isinstance(stack, bytes)
        fields = _fields(stack)
        assert fields[0] == (1, font.encode())
        for number, value in fields[2:]:
            assert number == 3 and isinstance(value, bytes)
            glyph = dict(_fields(value))
            found[int(glyph[1])] = glyph  # type: ignore[arg-type]
    return found


def test_glyph_bitmaps_have_maplibre_sizes() -> None:
    glyphs = _glyphs(basemap.LABEL_FONT)
    a = glyphs[ord("A")]
    width, height = int(a[3]), int(a[4])  # type: ignore[arg-type]
    assert 10 <= width <= 20 and 14 <= height <= 20  # a 24 px em
    assert len(a[2]) == (width + 6) * (height + 6)  # type: ignore[arg-type]  # 3 px border
    bitmap = a[2]
    assert isinstance(bitmap, bytes) and max(bitmap) > 191 > min(bitmap)  # edge at 191
    assert 2 not in glyphs[ord(" ")]  # a space has no bitmap


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_every_label_character_has_a_glyph(lang: str, view: data.RegionView) -> None:
    names = map_labels.country_names(view.country_names, lang)
    points = map_labels.label_points(view.country_centroids, names, map_labels.towns(view.places))
    text = "".join(f["properties"]["name"] for f in points["features"])
    text += text.upper()  # country names are drawn upper-case
    shipped = _glyphs(basemap.LABEL_FONT)
    missing = sorted({c for c in text if ord(c) not in shipped})
    assert missing == [], f"no glyph for {missing} (run scripts/make_glyphs.py)"


def test_labels_are_named_in_the_language_and_towns_ranked_by_population(
    view: data.RegionView,
) -> None:
    points = map_labels.label_points(
        view.country_centroids,
        map_labels.country_names(view.country_names, "fr"),
        map_labels.towns(view.places),
    )
    countries = {
        f["properties"]["name"] for f in points["features"] if f["properties"]["kind"] == "country"
    }
    assert {"Thaïlande", "Cambodge", "Viêt Nam"} <= countries
    towns = [f["properties"] for f in points["features"] if f["properties"]["kind"] == "town"]
    assert towns[0]["name"] == "Ho Chi Minh City" and towns[0]["rank"] == 1
    assert len(towns) == map_labels.MAX_TOWNS
    assert [t["rank"] for t in towns] == list(range(1, len(towns) + 1))


def test_country_labels_sit_inside_their_country() -> None:
    from shapely.geometry import Point

    path = str(get_path("mekong"))
    borders = data.load_region(path).borders
    points = map_labels.country_label_points(path)
    for code, geom in zip(borders["country"], borders.geometry, strict=True):
        assert geom.contains(Point(points[code])), code


def test_labelled_style_puts_glyphs_on_the_app_and_traces_under_labels(
    view: data.RegionView,
) -> None:
    import plotly.graph_objects as go

    style = map_labels.labelled_style(
        {"borders": "http://127.0.0.1:8050/basemap/borders.geojson"},
        view=view,
        base_url="http://127.0.0.1:8050/",
        lang="es",
    )
    assert style["glyphs"] == "http://127.0.0.1:8050/assets/glyphs/{fontstack}/{range}.pbf"
    assert "sprite" not in style
    fonts = {
        f
        for layer in style["layers"]
        if layer["type"] == "symbol"
        for f in layer["layout"]["text-font"]
    }
    assert fonts == {basemap.LABEL_FONT} and (GLYPHS / basemap.LABEL_FONT).is_dir()
    fig = map_labels.under_labels(go.Figure(go.Scattermap(lon=[100], lat=[15])), style)
    assert fig.data[0].below == basemap.LABELS_BELOW
    bare = map_labels.under_labels(go.Figure(go.Scattermap(lon=[100], lat=[15])), {"layers": []})
    assert bare.data[0].below is None  # a missing layer would drop the trace
