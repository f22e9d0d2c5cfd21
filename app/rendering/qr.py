"""QR codes as inline SVG, drawn on the server (no script, no image request)."""

from __future__ import annotations

import segno


def qr_svg(data: str) -> str:
    """An `<svg>` element for `data`, black on white with the quiet zone scanners need."""
    code = segno.make(data, error="m")
    svg: str = code.svg_inline(scale=5, border=4, dark="#000", light="#fff")
    return svg
