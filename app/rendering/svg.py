"""SVG primitives the run chart is drawn with: sizes, colours and line patterns, elements
with presentation attributes only (never a `style`), numbers written short."""

from __future__ import annotations

import xml.etree.ElementTree as ET

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

WIDTH = 800
PLOT_LEFT = 72
PLOT_RIGHT = WIDTH - 28
PLOT_HEIGHT = 240
LEGEND_ROW = 20
MAX_X_LABELS = 8

INK = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#d9d9d9"
SIGNAL = "#a63d00"
TARGET = "#00507a"
CENTRE_DASH = "8 5"
TARGET_DASH = "14 4 2 4"
MEASURE_DASH = "2 3"


def fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def el(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): v for k, v in attributes.items()}
    )
    if text is not None:
        element.text = text
    return element


def diamond(x: float, y: float, size: float) -> str:
    return (
        f"M {fmt(x)} {fmt(y - size)} L {fmt(x + size)} {fmt(y)} "
        f"L {fmt(x)} {fmt(y + size)} L {fmt(x - size)} {fmt(y)} Z"
    )
