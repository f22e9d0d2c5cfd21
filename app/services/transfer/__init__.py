"""Whole-municipality export and import (moving a municipality between installations, or
editing it offline and bringing it back).

The format (`app.models.transfer`) is built from the API's own schemas and carries
Markdown, never rendered HTML. An import obeys what the API obeys: the editors' access
(checked first), `If-Match` with the pathway's ETag, the same fields, lengths and
per-collection limits, the same cleaning of text. It never forges history: published
versions and progress notes it adds are the importer's, at the time of the import, and
those already here never change (`history`, `areas`).
"""

from app.services.transfer.export import Exported, export_municipality
from app.services.transfer.importing import check_import_access, import_municipality

__all__ = ["Exported", "check_import_access", "export_municipality", "import_municipality"]
