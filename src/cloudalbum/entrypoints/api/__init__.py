"""The Flask (APIFlask) app factory: the HTTP entry point. Views are thin: parse, call a service, present."""

from __future__ import annotations

from apiflask import APIFlask

from ... import __version__
from ...bootstrap import Container

UPLOAD_OVERHEAD_BYTES = 64 * 1024  # multipart framing around the file


def create_app(container: Container) -> APIFlask:
    app = APIFlask(
        "cloudalbum",
        title="cloudalbum API",
        version=__version__,
        spec_path="/api/openapi.json",
        docs_path="/api/docs",
        static_folder=None,  # type: ignore[arg-type]  # Flask takes None (no static route); APIFlask's hint says str
    )
    app.config["MAX_CONTENT_LENGTH"] = container.settings.max_upload_bytes + UPLOAD_OVERHEAD_BYTES
    app.config["SYNC_LOCAL_SPEC"] = False
    app.extensions["cloudalbum"] = container

    from ..web import pages
    from . import (
        albums,
        auth,
        batches,
        duplicates,
        errors,
        health,
        map,
        moving,
        people,
        photos,
        questions,
        search,
        security_headers,
        sharing,
        timeline,
        tracks,
        trash,
        trips,
    )

    errors.register(app)
    security_headers.register(app)
    for module in (health, auth, batches, photos, search, albums, map, questions, people, sharing, moving,
                   timeline, tracks, trash, trips, duplicates):
        app.register_blueprint(module.bp)
    app.register_blueprint(pages.bp)
    from ...domain.client_address import parse_trusted_proxies
    from .proxy import ClientAddressMiddleware

    trusted = parse_trusted_proxies(container.settings.trusted_proxies)
    app.wsgi_app = ClientAddressMiddleware(app.wsgi_app, trusted)  # type: ignore[method-assign]
    return app
