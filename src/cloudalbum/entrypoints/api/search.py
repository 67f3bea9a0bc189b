"""API routes: search (see ../shared/API.md)."""

from __future__ import annotations

from apiflask import APIBlueprint

bp = APIBlueprint("search", __name__, url_prefix="/api")
