"""Security headers on every response, a Content-Security-Policy on HTML pages, no caching of API JSON.

The CSP allows only same-origin scripts, styles and connections; images may also come from data:/blob: URLs
and from the map tile host of settings.tile_url (the web pages follow this policy: no inline script or style).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from apiflask import APIFlask
from flask import Response, request

from ...config import Settings

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Over HTTPS only (a browser ignores it over HTTP, and sending it there would be a lie): a year, subdomains too.
HSTS = "max-age=31536000; includeSubDomains"


DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
            "base-uri 'none'; form-action 'self'")


def tile_origin(tile_url: str) -> str | None:
    """'https://tile.openstreetmap.org' from a tile URL template; None when it has no usable host."""
    parts = urlsplit(tile_url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    if "{s}." in tile_url:  # subdomain-rotating templates such as https://{s}.tile.example.org
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def content_security_policy(settings: Settings, blob_origin: str | None = None) -> str:
    """blob_origin: where signed blob URLs point (S3), which the pages fetch after the API's 302."""
    img = ["'self'", "data:", "blob:"]
    connect = ["'self'"]
    origin = tile_origin(settings.tile_url)
    if origin:
        img.append(origin)
    if blob_origin:
        img.append(blob_origin)
        connect.append(blob_origin)
    directives = {
        "default-src": "'self'",
        "img-src": " ".join(img),
        "script-src": "'self'",
        "style-src": "'self'",
        "connect-src": " ".join(connect),
        "font-src": "'self'",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
    }
    return "; ".join(f"{k} {v}" for k, v in directives.items())


def register(app: APIFlask) -> None:
    container = app.extensions["cloudalbum"]
    settings: Settings = container.settings
    blob_origin = getattr(container.blobs, "url_origin", None) if settings.backend == "aws" else None
    csp = content_security_policy(settings, blob_origin() if blob_origin else None)
    # The interactive docs page (/api/docs) is APIFlask's template, which starts Swagger UI with an inline
    # script: it gets its own policy, same-origin only but with inline script and style allowed.
    docs_path = getattr(app, "docs_path", None) or "/api/docs"

    @app.after_request
    def _security_headers(resp: Response) -> Response:
        for name, value in BASE_HEADERS.items():
            resp.headers.setdefault(name, value)
        if request.scheme == "https":  # directly, or X-Forwarded-Proto from a trusted proxy (proxy.py)
            resp.headers["Strict-Transport-Security"] = HSTS
        if resp.mimetype == "text/html" and request.path != docs_path:
            resp.headers.setdefault("Content-Security-Policy", csp)
        elif resp.mimetype == "text/html":
            resp.headers.setdefault("Content-Security-Policy", DOCS_CSP)
        if request.path.startswith("/api/") and resp.mimetype == "application/json":
            resp.headers["Cache-Control"] = "no-store"
        return resp
