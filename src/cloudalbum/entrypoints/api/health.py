"""API routes: health (see ../shared/API.md)."""

from __future__ import annotations

from apiflask import APIBlueprint

bp = APIBlueprint("health", __name__, url_prefix="/api")
