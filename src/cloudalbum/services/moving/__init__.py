"""Move in, move out (API.md "Move in, move out"): import folders and archives with their sidecars
(importing.py), export a library or an album as a streamed zip in Google Takeout's layout (exporting.py)."""

from .exporting import ExportService, takeout_json
from .importing import ImportReport, ImportService, all_albums

__all__ = ["ExportService", "ImportReport", "ImportService", "all_albums", "takeout_json"]
