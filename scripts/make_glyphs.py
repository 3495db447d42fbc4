"""Write the map label glyphs: signed-distance-field glyph ranges served by the app itself.

MapLibre draws text only from glyph files (protocol-buffer "glyph ranges" of 256 code
points, each glyph a signed distance field). The dashboard's maps must stay offline, so
instead of a glyph server the app serves these files from ``dashboard/assets/glyphs/``.
This script renders them from a TrueType font with Pillow (FreeType) and scipy's exact
Euclidean distance transform, in MapLibre's own convention (24 px em, 3 px border,
radius 8, cutoff 0.25: the glyph edge is byte 191).

Only the ranges the labels need are written: Basic Latin and Latin-1 (0-255), Latin
Extended-A (256-511) and Latin Extended Additional (7680-7935, Vietnamese town names).

Run from the repository root (DejaVu Sans ships with Debian's ``fonts-dejavu-core``)::

    .venv/bin/python scripts/make_glyphs.py
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "dashboard" / "assets" / "glyphs"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
#: The fontstack name the map styles ask for (``text-font``).
FONTSTACK = "DejaVu Sans Book"
RANGES: tuple[int, ...] = (0, 256, 7680)
#: MapLibre's glyph convention: 24 px em, 3 px border around each bitmap.
SIZE = 24
BORDER = 3
RADIUS = 8.0
CUTOFF = 0.25
#: Supersampling of the outline before the distance transform (sub-pixel edges).
SCALE = 4


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, wire: int, payload: bytes | int) -> bytes:
    key = _varint((number << 3) | wire)
    if wire == 0:
        assert isinstance(payload, int)
        return key + _varint(payload)
    assert isinstance(payload, bytes)
    return key + _varint(len(payload)) + payload


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 31)


def encode_glyph(
    code: int, bitmap: bytes, *, width: int, height: int, left: int, top: int, advance: int
) -> bytes:
    """Return one ``glyph`` message (id, bitmap, width, height, left, top, advance).

    Examples
    --------
    >>> encode_glyph(32, b"", width=0, height=0, left=0, top=-26, advance=8).hex()
    '082018002000280030333808'
    """
    parts = [_field(1, 0, code)]
    if bitmap:
        parts.append(_field(2, 2, bitmap))
    parts += [
        _field(3, 0, width),
        _field(4, 0, height),
        _field(5, 0, _zigzag(left)),
        _field(6, 0, _zigzag(top)),
        _field(7, 0, advance),
    ]
    return b"".join(parts)


def encode_range(name: str, start: int, glyphs: Iterable[bytes]) -> bytes:
    """Return a ``glyphs`` message holding one fontstack's range ``start``-``start+255``."""
    stack = _field(1, 2, name.encode()) + _field(2, 2, f"{start}-{start + 255}".encode())
    stack += b"".join(_field(3, 2, g) for g in glyphs)
    return _field(1, 2, stack)


def sdf(mask: np.ndarray) -> np.ndarray:
    """Return the signed-distance bytes of a supersampled glyph mask, at 1/SCALE size.

    ``mask`` is True inside the glyph; its shape is a multiple of ``SCALE``.
    """
    from scipy.ndimage import distance_transform_edt

    outside = distance_transform_edt(~mask)  # distance to the glyph, for outside pixels
    inside = distance_transform_edt(mask)  # distance to the background, inside
    signed = (outside - inside) / SCALE
    h, w = mask.shape[0] // SCALE, mask.shape[1] // SCALE
    centre = SCALE // 2
    sampled = signed[centre::SCALE, centre::SCALE][:h, :w]
    values = 255.0 - 255.0 * (sampled / RADIUS + CUTOFF)
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def render_glyph(font: object, big: object, code: int) -> bytes:
    """Render one code point as a MapLibre glyph message."""
    from PIL import Image, ImageDraw

    char = chr(code)
    advance = round(font.getlength(char))  # type: ignore[attr-defined]
    left, top, right, bottom = font.getbbox(char, anchor="ls")  # type: ignore[attr-defined]
    width, height = max(0, right - left), max(0, bottom - top)
    if width == 0 or height == 0:
        return encode_glyph(code, b"", width=0, height=0, left=0, top=-26, advance=advance)
    pad = BORDER * SCALE
    canvas = Image.new("L", ((width * SCALE) + 2 * pad, (height * SCALE) + 2 * pad), 0)
    ImageDraw.Draw(canvas).text(
        (pad - left * SCALE, pad - top * SCALE), char, font=big, fill=255, anchor="ls"
    )
    bitmap = sdf(np.asarray(canvas) >= 128)
    # MapLibre places a glyph's top ``top`` px below the 24 px line's ascender (-top is
    # its height above the baseline minus the line's ascent, as its own local glyphs do).
    return encode_glyph(
        code,
        bitmap.tobytes(),
        width=width,
        height=height,
        left=left,
        top=-top - 26,
        advance=advance,
    )


def main(argv: list[str] | None = None) -> int:
    """Write the glyph ranges of ``--font`` under ``--out/<fontstack>/``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", type=Path, default=FONT)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    from fontTools.ttLib import TTFont
    from PIL import ImageFont

    cmap = TTFont(str(args.font)).getBestCmap()
    font = ImageFont.truetype(str(args.font), SIZE)
    big = ImageFont.truetype(str(args.font), SIZE * SCALE)
    folder = args.out / FONTSTACK
    folder.mkdir(parents=True, exist_ok=True)
    for start in RANGES:
        codes = [c for c in range(start, start + 256) if c in cmap]
        payload = encode_range(FONTSTACK, start, (render_glyph(font, big, c) for c in codes))
        target = folder / f"{start}-{start + 255}.pbf"
        target.write_bytes(payload)
        print(f"{target.relative_to(ROOT)}: {len(codes)} glyphs, {len(payload):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
