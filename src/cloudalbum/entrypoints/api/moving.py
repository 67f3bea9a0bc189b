"""API routes: export (API.md "Move in, move out"). The zip is streamed as it is written: originals byte for
byte (stored, not recompressed) with a Takeout-style JSON sidecar each, album folders with metadata.json.
Another user's album is a 404, as a missing one, answered before the first byte."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from apiflask import APIBlueprint
from apiflask.schemas import FileSchema
from flask import Response, stream_with_context

from .auth import current_user_id, token_auth
from .context import container

bp = APIBlueprint("moving", __name__, url_prefix="/api", tag="Move in, move out")

ZIP = FileSchema(type="string", format="binary")


def _zip_response(chunks: Iterator[bytes], stem: str) -> Response:
    name = f"{stem}-{datetime.now(UTC):%Y-%m-%d}.zip"
    resp = Response(stream_with_context(chunks), mimetype="application/zip")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/export")
@bp.auth_required(token_auth)
@bp.output(ZIP, content_type="application/zip", description="A zip, streamed")
@bp.doc(summary="Export every photo: originals byte for byte, a Takeout-style JSON sidecar each "
                "(title, description, photoTakenTime, geoData, people), a folder per album with metadata.json")
def export_library() -> Any:
    exporter = container().exporter
    return _zip_response(exporter.zip_stream(exporter.library(current_user_id())), "cloudalbum-export")


@bp.get("/albums/<album_id>/export")
@bp.auth_required(token_auth)
@bp.output(ZIP, content_type="application/zip", description="A zip, streamed")
@bp.doc(summary="Export one album: its folder with metadata.json, its originals and their sidecars",
        responses={404: "No such album (or not yours)"})
def export_album(album_id: str) -> Any:
    exporter = container().exporter
    layout = exporter.album(current_user_id(), album_id)  # NotFound here, before any byte
    return _zip_response(exporter.zip_stream(layout), "cloudalbum-album")
