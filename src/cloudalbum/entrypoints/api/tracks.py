"""API routes: GPS tracks (see ../shared/API.md, "Time, place, trips, memories")."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from .auth import current_user_id, token_auth
from .context import container
from .schemas.tracks import TrackForm, TrackOut

bp = APIBlueprint("tracks", __name__, url_prefix="/api", tag="Places")


@bp.post("/tracks")
@bp.auth_required(token_auth)
@bp.input(TrackForm, location="form_and_files", arg_name="form")
@bp.output(TrackOut)
@bp.doc(summary="Upload a GPX track: your photos taken during it without a place of their own get one "
                "(gaps over 10 minutes leave them alone; GPS and your own places are never changed)",
        responses={400: "Not a GPX file, or no timed point in it (nothing changes)",
                   413: "Over the size or point limit (nothing changes)", 422: "Unknown time zone"})
def upload_track(form: dict[str, Any]) -> Any:
    result = container().tracks.upload(current_user_id(), form["file"].stream, tz=form.get("tz"))
    return {"points": result.points, "photos_located": result.photos_located}
