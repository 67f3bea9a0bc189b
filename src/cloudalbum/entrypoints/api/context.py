"""Request-time access to the composition root the app was built with."""

from __future__ import annotations

from flask import current_app

from ...bootstrap import Container


def container() -> Container:
    """The Container given to create_app (routes reach services through it, never through globals)."""
    return current_app.extensions["cloudalbum"]
