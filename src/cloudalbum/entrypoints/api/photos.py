"""API routes: photos (see ../shared/API.md). Thin: parse, call PhotoService, present.

Another user's photo is answered exactly like a missing one (404) on every route: the service looks photos up
by (id, owner) only. The one other read path (issue 18): a member of an album the photo is in reads it (JSON,
thumbnail, stripped original) as the owner shared it; every write route stays the owner's.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from apiflask.schemas import EmptySchema, FileSchema
from flask import redirect, send_file

from ...domain.errors import NotFound
from ...domain.model import Photo
from ...domain.sharing import AlbumMember
from ...media.formats import EXTENSIONS
from ...services.sharing import member_view
from .auth import current_user_id, token_auth
from .context import container
from .schemas import DeleteQuery, PhotoListQuery, PhotoOut, PhotoPage, PhotoPatchIn, ThumbnailQuery, UploadForm
from .views import page_json, photo_json

bp = APIBlueprint("photos", __name__, url_prefix="/api", tag="Photos")

NOT_FOUND = {404: "No such photo (or not yours)"}
BINARY = FileSchema(type="string", format="binary")
IMAGE_TYPES = sorted(set(EXTENSIONS))

# OpenAPI responses (APIFlask's hint for `responses` cannot name a dict of mixed shapes).
UPLOAD_RESPONSES: dict[Any, Any] = {
    200: {"description": "The same bytes are already one of the user's photos: that photo, with "
                         "\"duplicate\": true (nothing stored; album_id adds it to that album)",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PhotoOut"}}}},
    400: "Broken multipart body", 404: "No such album (album_id)", 413: "Over the size limit",
    415: "Not a supported image",
    422: "Cannot be decoded, or too large in pixels or in memory to decode",
    429: "Too many uploads this hour; see Retry-After", 503: "Storage unavailable; see Retry-After",
    507: "Storage full, or over the user's quota (quota_exceeded)",
}
ORIGINAL_RESPONSES: dict[Any, Any] = {
    200: {"content": {ct: {"schema": {"type": "string", "format": "binary"}} for ct in IMAGE_TYPES}},
    302: "Redirect to a signed URL", **NOT_FOUND,
}


@bp.post("/photos")
@bp.auth_required(token_auth)
@bp.input(UploadForm, location="form_and_files", arg_name="form")
@bp.output(PhotoOut, status_code=202)
@bp.doc(summary="Upload one photo; processing continues in the background",
        responses=UPLOAD_RESPONSES)
def upload(form: dict[str, Any]) -> Any:
    file = form["file"]
    container().limits.count(current_user_id(), "upload")
    added = container().photos.add(current_user_id(), file.stream, file.filename, album_id=form.get("album_id"))
    if added.duplicate:
        return {**photo_json(added.photo), "duplicate": True}, 200
    return photo_json(added.photo), 202


@bp.get("/photos")
@bp.auth_required(token_auth)
@bp.input(PhotoListQuery, location="query", arg_name="query")
@bp.output(PhotoPage)
@bp.doc(summary="The signed-in user's photos, newest taken first")
def list_photos(query: dict[str, Any]) -> Any:
    page = container().photos.list(current_user_id(), limit=query["limit"], cursor=query.get("cursor"),
                                   status=query.get("status"))
    return page_json([photo_json(p) for p in page.items], page.next_cursor)


def readable(photo_id: str) -> tuple[Photo, AlbumMember | None]:
    """The signed-in user's photo, or one shared with them through an album (with the membership); the same
    404 as a missing photo otherwise."""
    uid = current_user_id()
    try:
        return container().photos.get(uid, photo_id), None
    except NotFound:
        return container().sharing.member_photo(uid, photo_id)


@bp.get("/photos/<photo_id>")
@bp.auth_required(token_auth)
@bp.output(PhotoOut)
@bp.doc(summary="One photo (yours, or of an album shared with you)", responses=NOT_FOUND)
def get_photo(photo_id: str) -> Any:
    photo, member = readable(photo_id)
    return photo_json(member_view(photo, member) if member else photo)


@bp.patch("/photos/<photo_id>")
@bp.auth_required(token_auth)
@bp.input(PhotoPatchIn, arg_name="body")
@bp.output(PhotoOut)
@bp.doc(summary="Edit title, description, taken_at or location; user edits are never overwritten by processing",
        responses={400: "The body is not valid JSON", 409: "Changed concurrently; try again", **NOT_FOUND})
def patch_photo(photo_id: str, body: dict[str, Any]) -> Any:
    return photo_json(container().photos.patch(current_user_id(), photo_id, body))


@bp.delete("/photos/<photo_id>")
@bp.auth_required(token_auth)
@bp.input(DeleteQuery, location="query", arg_name="params")
@bp.output(EmptySchema, status_code=204)
@bp.doc(summary="Move the photo to the trash (restore: POST /api/trash/{id}/restore); ?permanent=true deletes "
                "it at once, original, thumbnails and metadata, from the library or the trash",
        responses=NOT_FOUND)
def delete_photo(photo_id: str, params: dict[str, Any]) -> Any:
    if params["permanent"]:
        container().photos.delete(current_user_id(), photo_id)
    else:
        container().trash.move_to_trash(current_user_id(), photo_id)
    return "", 204


# A thumbnail asked for by its current version never changes: the browser keeps it a year. `private` keeps it out
# of shared caches, and `Vary: Authorization` keys the browser's copy to the session's token, so another
# session (another user signing in on the same browser) never gets it from the cache: its request reaches us
# and is checked like any other.
CACHEABLE = "private, max-age=31536000, immutable"


def _stream(key: str, mimetype: str, download_name: str, *, cacheable: bool = False) -> Any:
    resp = send_file(container().photos.open_blob(key), mimetype=mimetype, download_name=download_name,
                     as_attachment=False, etag=False, conditional=False, max_age=0)
    resp.headers["Cache-Control"] = CACHEABLE if cacheable else "private, no-store"
    if cacheable:
        resp.headers["Vary"] = "Authorization"
    return resp


@bp.get("/photos/<photo_id>/original")
@bp.auth_required(token_auth)
@bp.output(BINARY, content_type="image/jpeg", description="The original bytes, in their own image type")
@bp.doc(summary="Download the original (or 302 to a short-lived signed URL)",
        responses=ORIGINAL_RESPONSES)
def original(photo_id: str) -> Any:
    shared, member = readable(photo_id)
    if member is not None:  # a member gets the stripped copy, from its own key
        from .sharing import serve

        return serve(container().sharing.original(shared))
    photo, url = container().photos.original(current_user_id(), photo_id)
    if url:
        return redirect(url, code=302)
    return _stream(photo.original_key, photo.content_type, photo.filename)


@bp.get("/photos/<photo_id>/thumbnail")
@bp.auth_required(token_auth)
@bp.input(ThumbnailQuery, location="query", arg_name="query")
@bp.output(BINARY, content_type="image/jpeg", description="An upright JPEG without GPS")
@bp.doc(summary="A thumbnail (small or large), or 302 to a signed URL",
        responses={302: "Redirect to a signed URL", 404: "No such photo, or thumbnail not ready yet"})
def thumbnail(photo_id: str, query: dict[str, Any]) -> Any:
    shared, member = readable(photo_id)
    if member is not None:
        from .sharing import serve

        return serve(container().sharing.thumbnail(shared, query["size"]))
    photo, key, url = container().photos.thumbnail_key(current_user_id(), photo_id, query["size"])
    if url:
        return redirect(url, code=302)
    stem = photo.filename.rsplit(".", 1)[0] or "photo"
    current = query.get("v") is not None and query["v"] == photo.version
    return _stream(key, "image/jpeg", f"{stem}-{query['size']}.jpg", cacheable=current)


@bp.post("/photos/<photo_id>/reprocess")
@bp.auth_required(token_auth)
@bp.output(PhotoOut, status_code=202)
@bp.doc(summary="Process the photo again (user edits are kept)",
        responses={429: "Too many reprocess requests this hour; see Retry-After", **NOT_FOUND})
def reprocess(photo_id: str) -> Any:
    container().limits.count(current_user_id(), "reprocess")
    return photo_json(container().photos.reprocess(current_user_id(), photo_id)), 202
