"""The web pages: one HTML shell plus small plain ES modules (static/js) that call the public API (API.md)
with the user's bearer token. No inline script or style: the Content-Security-Policy forbids them, so the
configuration the scripts need (tile URL and attribution) travels in data- attributes of <body>."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, send_from_directory

from ... import __version__

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static")


@bp.get("/")
def index() -> Response:
    settings = current_app.extensions["cloudalbum"].settings
    html = render_template(
        "index.html",
        version=__version__,
        tile_url=settings.tile_url,
        tile_attribution=settings.tile_attribution,
    )
    resp = Response(html, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/s/<token>")
def share_page(token: str) -> Response:
    """The public page of a share link (issue 18): the page itself is the same for every token; its script
    asks /api/s/<token> (which answers 404 for a bad one), so nothing about a share is rendered here."""
    html = render_template("share.html", version=__version__)
    resp = Response(html, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/favicon.ico")
def favicon() -> Response:
    return send_from_directory(bp.static_folder or "", "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.after_request
def _revalidate(resp: Response) -> Response:
    """Scripts import each other without version tags: browsers revalidate (cheap 304s) instead of guessing a
    freshness lifetime, so an upgraded server never runs with yesterday's modules."""
    resp.headers.setdefault("Cache-Control", "no-cache")
    return resp
