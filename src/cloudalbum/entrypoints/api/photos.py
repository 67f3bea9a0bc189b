"""API routes: photos (see ../shared/API.md)."""

from __future__ import annotations

from apiflask import APIBlueprint

bp = APIBlueprint("photos", __name__, url_prefix="/api")
