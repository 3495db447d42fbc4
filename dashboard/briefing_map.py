"""The briefing's map image: the plan map framed on its sites, rendered and annotated.

kaleido (≥ 1) drives Debian chromium offline to render the figure to PNG (the basemap
style carries its GeoJSON inline, MathJax is off); the offline basemap has no glyphs, so
site numbers, town labels, a scale bar and a north arrow are drawn on with Pillow.
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.basemap import fit_view
from dashboard.offline import CHROMIUM

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
#: Map image size in CSS pixels (scaled ×2 for print).
MAP_SIZE = (1000, 620)
#: Pixel ratio of the rendered map.
MAP_SCALE = 2
#: Towns labelled on the map (largest first, those that fit).
MAX_TOWNS = 14
#: Closest zoom of the briefing map (a plan of one or two sites still shows towns).
MAX_ZOOM = 9.0
#: Metres per CSS pixel at the equator at zoom 0 (512 px tiles, WGS84 equator).
_M_PER_PX_Z0 = 40_075_016.686 / 512


def inline_style(style: Mapping[str, Any], layers: Mapping[str, bytes]) -> dict[str, Any]:
    """Return a copy of a basemap style whose GeoJSON sources are inline, not URLs.

    Examples
    --------
    >>> s = {"version": 8, "sources": {"borders": {"type": "geojson", "data": "http://x"}},
    ...      "layers": []}
    >>> inline_style(s, {"borders": b'{"type":"FeatureCollection","features":[]}'})["sources"]
    {'borders': {'type': 'geojson', 'data': {'type': 'FeatureCollection', 'features': []}}}
    """
    out = json.loads(json.dumps(style))
    for name, source in out.get("sources", {}).items():
        if name in layers:
            source["data"] = json.loads(layers[name])
    return out


def map_png(fig: go.Figure, *, width: int = MAP_SIZE[0], height: int = MAP_SIZE[1]) -> bytes:
    """Render a figure to PNG with kaleido and the local chromium (no network).

    Raises
    ------
    RuntimeError
        When chromium cannot be started (the briefing is then made without the map).
    """
    import kaleido

    if CHROMIUM.exists():
        os.environ.setdefault("BROWSER_PATH", str(CHROMIUM))
    png: bytes = kaleido.calc_fig_sync(
        fig.to_dict(),
        opts={"format": "png", "width": width, "height": height, "scale": 2},
        kopts={"mathjax": False},
    )
    return png


def briefing_view(
    sites: pd.DataFrame, *, size: tuple[int, int] = MAP_SIZE
) -> tuple[dict[str, float], float]:
    """Return the centre and zoom that frame the chosen sites with room around them.

    Examples
    --------
    >>> s = pd.DataFrame({"lon": [101.0, 103.0], "lat": [16.0, 16.0]})
    >>> centre, zoom = briefing_view(s)
    >>> centre, round(zoom, 2)
    ({'lon': 102.0, 'lat': 16.0}, 7.72)
    """
    lon = sites["lon"].astype(float)
    lat = sites["lat"].astype(float)
    west, east = float(lon.min()), float(lon.max())
    south, north = float(lat.min()), float(lat.max())
    pad_x = max((east - west) * 0.2, 0.5)
    pad_y = max((north - south) * 0.2, 0.5)
    bounds = (west - pad_x, south - pad_y, east + pad_x, north + pad_y)
    centre, zoom = fit_view(bounds, width_px=size[0], height_px=size[1])
    return centre, min(zoom, MAX_ZOOM)


def to_pixels(
    lon: float, lat: float, *, center: Mapping[str, float], zoom: float, size: tuple[int, int]
) -> tuple[float, float]:
    """Return the CSS-pixel position of a point on a web-Mercator map (512 px tiles).

    Examples
    --------
    >>> to_pixels(100.0, 15.0, center={"lon": 100.0, "lat": 15.0}, zoom=5, size=(800, 600))
    (400.0, 300.0)
    """
    world = 512.0 * 2**zoom

    def project(lo: float, la: float) -> tuple[float, float]:
        la = max(min(la, 85.0), -85.0)
        y = math.log(math.tan(math.pi / 4 + math.radians(la) / 2))
        return (lo + 180.0) / 360.0 * world, (1 - y / math.pi) / 2 * world

    cx, cy = project(float(center["lon"]), float(center["lat"]))
    x, y = project(lon, lat)
    return x - cx + size[0] / 2, y - cy + size[1] / 2


def scale_bar(lat: float, zoom: float, *, target_px: float = 160) -> tuple[float, float]:
    """Return a round scale-bar length (km) and its length in CSS pixels at ``lat``.

    Examples
    --------
    >>> km, px = scale_bar(0.0, 5)
    >>> km, round(px)
    (200, 82)
    """
    m_per_px = _M_PER_PX_Z0 * math.cos(math.radians(lat)) / 2**zoom
    raw_km = target_px * m_per_px / 1000
    step = 10 ** math.floor(math.log10(raw_km))
    km = max(n * step for n in (1, 2, 5) if n * step <= raw_km)
    km_value = int(km) if km >= 1 else km
    return km_value, km * 1000 / m_per_px


def major_towns(region_path: str) -> pd.DataFrame:
    """Return the region's towns (``name``, ``lon``, ``lat``, ``population``), largest first."""
    from dashboard import data
    from geotraf.naming import TOWN_TYPES

    places = data.load_region(region_path).places  # public geography: no release needed
    if places is None or len(places) == 0:
        return pd.DataFrame(columns=["name", "lon", "lat", "population"])
    towns = places[places["place_type"].isin(TOWN_TYPES)] if "place_type" in places else places
    geom = towns["geometry"]
    out = pd.DataFrame(
        {
            "name": towns["name"].astype(str).to_numpy(),
            "lon": [g.x for g in geom],
            "lat": [g.y for g in geom],
            "population": pd.to_numeric(towns.get("population"), errors="coerce").to_numpy()
            if "population" in towns
            else 0,
        }
    )
    return out.sort_values("population", ascending=False, na_position="last", kind="stable")


def plan_map_image(
    figure: go.Figure,
    sites: pd.DataFrame,
    *,
    towns: pd.DataFrame | None,
    size: tuple[int, int] = MAP_SIZE,
) -> bytes:
    """Render the plan map framed on the sites, then number the sites and label towns.

    The offline basemap has no glyphs, so MapLibre cannot draw text: the numbers, town
    names, scale bar and north arrow are drawn onto the rendered image with Pillow at
    the same web-Mercator positions MapLibre used.

    Raises
    ------
    RuntimeError
        When chromium cannot be started (the briefing is then made without the map).
    """
    fig = go.Figure(copy.deepcopy(figure.to_dict()))
    center, zoom = briefing_view(sites, size=size)
    fig.update_layout(map={"center": center, "zoom": zoom}, showlegend=False)
    png = map_png(fig, width=size[0], height=size[1])
    return annotate(png, sites, towns=towns, center=center, zoom=zoom, size=size)


def annotate(
    png: bytes,
    sites: pd.DataFrame,
    *,
    towns: pd.DataFrame | None,
    center: Mapping[str, float],
    zoom: float,
    size: tuple[int, int],
    scale: int = MAP_SCALE,
) -> bytes:
    """Return ``png`` with numbered site markers, town labels, a scale bar and north arrow.

    ``sites`` has ``rank``, ``lon``, ``lat``; ``towns`` ``name``, ``lon``, ``lat`` and
    optionally ``population`` (the largest are labelled first, and a label that would
    overlap a marker or another label is left out).
    """
    from PIL import Image, ImageDraw, ImageFont

    image = Image.open(io.BytesIO(png)).convert("RGB")
    draw = ImageDraw.Draw(image)

    def font(px: float, *, bold: bool = False) -> Any:
        path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
        if path.exists():
            return ImageFont.truetype(str(path), int(px * scale))
        return ImageFont.load_default()

    def at(lon: float, lat: float) -> tuple[float, float]:
        x, y = to_pixels(lon, lat, center=center, zoom=zoom, size=size)
        return x * scale, y * scale

    taken: list[tuple[float, float, float, float]] = []
    radius = 11 * scale
    number_font = font(12, bold=True)
    marks = []
    for r in sites.sort_values("rank", ascending=False).itertuples():
        x, y = at(float(r.lon), float(r.lat))
        marks.append((x, y))
        draw.ellipse(
            (x - radius, y - radius, x + radius, y + radius),
            fill=(255, 255, 255),
            outline=(170, 50, 0),
            width=3 * scale // 2,
        )
        draw.text((x, y), str(int(r.rank)), fill=(31, 41, 51), font=number_font, anchor="mm")
        taken.append((x - radius, y - radius, x + radius, y + radius))
    if towns is not None and len(towns):
        town_font = font(11)
        ordered = towns
        if "population" in towns:
            ordered = towns.sort_values("population", ascending=False, na_position="last")
        shown = 0
        for r in ordered.itertuples():
            if shown >= MAX_TOWNS:
                break
            x, y = at(float(r.lon), float(r.lat))
            if not (0 <= x <= size[0] * scale and 0 <= y <= size[1] * scale):
                continue
            spots = [((x + 5 * scale, y), "lm"), ((x - 5 * scale, y), "rm")]
            placed = None
            for xy, anchor in spots:  # right of the dot, else left of it
                box = draw.textbbox(xy, str(r.name), font=town_font, anchor=anchor)
                inside = box[0] >= 0 and box[2] <= size[0] * scale
                if inside and not any(_overlap(box, other) for other in taken):
                    placed = (xy, anchor, box)
                    break
            if placed is None:
                continue
            xy, anchor, box = placed
            taken.append(box)
            dot = 3 * scale
            draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=(20, 20, 20))
            draw.text(
                xy,
                str(r.name),
                fill=(20, 20, 20),
                font=town_font,
                anchor=anchor,
                stroke_width=2 * scale,
                stroke_fill=(255, 255, 255),
            )
            shown += 1
    _scale_and_north(draw, center=center, zoom=zoom, size=size, scale=scale, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _overlap(a: Sequence[float], b: Sequence[float]) -> bool:
    return not (a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1])


def _scale_and_north(
    draw: Any,
    *,
    center: Mapping[str, float],
    zoom: float,
    size: tuple[int, int],
    scale: int,
    font: Callable[..., Any],
) -> None:
    km, px = scale_bar(float(center["lat"]), zoom)
    x0, y0 = 20 * scale, (size[1] - 24) * scale
    x1 = x0 + px * scale
    draw.rectangle(
        (x0 - 8 * scale, y0 - 22 * scale, x1 + 40 * scale, y0 + 10 * scale),
        fill=(255, 255, 255),
    )
    draw.line((x0, y0, x1, y0), fill=(20, 20, 20), width=3 * scale)
    for x in (x0, x1):
        draw.line((x, y0 - 6 * scale, x, y0 + 4 * scale), fill=(20, 20, 20), width=2 * scale)
    label_font = font(11)
    draw.text((x0, y0 - 8 * scale), "0", fill=(20, 20, 20), font=label_font, anchor="ms")
    draw.text((x1, y0 - 8 * scale), f"{km} km", fill=(20, 20, 20), font=label_font, anchor="ms")
    nx, ny = (size[0] - 28) * scale, 20 * scale
    draw.polygon(
        [(nx, ny), (nx - 8 * scale, ny + 22 * scale), (nx + 8 * scale, ny + 22 * scale)],
        fill=(20, 20, 20),
    )
    draw.text((nx, ny + 36 * scale), "N", fill=(20, 20, 20), font=font(13, bold=True), anchor="mm")
