"""Charts as PNG pictures, drawn from the very SVG the pages and the API show (resvg, no
browser): the same look, on a white background, at twice the SVG's size."""

from __future__ import annotations

import resvg_py

#: 2× the SVG's own size: about 1,400 px wide, sharp across a printed A4 page.
ZOOM = 2


def png_of(svg: str, zoom: int = ZOOM) -> bytes:
    """The SVG document drawn as a PNG (fonts from the system: DejaVu Sans in the image and
    on the test machines)."""
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, background="white", zoom=zoom))
