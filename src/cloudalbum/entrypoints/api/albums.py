"""API routes: albums (see ../shared/API.md)."""

from __future__ import annotations

from apiflask import APIBlueprint

bp = APIBlueprint("albums", __name__, url_prefix="/api")
