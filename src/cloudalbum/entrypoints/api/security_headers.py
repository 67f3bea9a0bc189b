"""Security headers on every response."""

from __future__ import annotations

from apiflask import APIFlask


def register(app: APIFlask) -> None:
    """Placeholder: filled in by the foundation work."""
