"""The web pages (HTML + small JavaScript modules calling the public API)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static")
