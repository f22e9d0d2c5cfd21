"""Output formats built from service results: chart SVG, CSV/XLSX exports, display labels.

Nothing here reads the database or knows a request."""
