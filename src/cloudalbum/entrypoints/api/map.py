"""API routes: map (see ../shared/API.md)."""

from __future__ import annotations

from apiflask import APIBlueprint

bp = APIBlueprint("map", __name__, url_prefix="/api")
