"""The uniform error body of API.md: {"error": {"code", "message"}}."""

from __future__ import annotations

from apiflask import APIFlask


def register(app: APIFlask) -> None:
    """Placeholder: filled in by the foundation work."""
