"""API routes: questions (see ../shared/API.md)."""

from __future__ import annotations

from apiflask import APIBlueprint

bp = APIBlueprint("questions", __name__, url_prefix="/api")
