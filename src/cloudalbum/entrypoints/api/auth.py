"""API routes: auth (see ../shared/API.md)."""

from __future__ import annotations

from apiflask import APIBlueprint

bp = APIBlueprint("auth", __name__, url_prefix="/api")
