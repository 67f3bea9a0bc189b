"""API routes: sharing (API.md "Sharing"). The owner's links and album members need a token; the public routes
under /api/s/<token> need none, are rate limited per client address, and answer only for the share's photos."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from apiflask.schemas import EmptySchema, FileSchema
from flask import redirect, request, send_file

from ...domain.sharing import Share
from ...services.sharing import SharedFile
from .auth import current_user_id, token_auth
from .context import container
from .schemas import (
    MemberIn,
    MemberOut,
    PageQuery,
    PublicShareOut,
    ShareIn,
    ShareListOut,
    ShareOut,
    ThumbnailQuery,
    UnlockIn,
    UnlockOut,
)
from .views import page_json

bp = APIBlueprint("sharing", __name__, url_prefix="/api", tag="Sharing")
SESSION_HEADER = "X-Share-Session"
GONE = {404: "Unknown, revoked or expired link (always the same answer), or a photo not in the share",
        401: "share_password_required: unlock the share first", 429: "Too many requests from this address"}
BINARY = FileSchema(type="string", format="binary")


def share_json(share: Share, token: str) -> dict[str, Any]:
    return {"id": share.id, "token": token, "url": f"/s/{token}", "album_id": share.album_id,
            "photo_ids": share.photo_ids, "created_at": share.created_at, "expires_at": share.expires_at,
            "password": bool(share.password_hash), "show_location": share.show_location,
            "allow_download": share.allow_download}


# --- the owner's links ------------------------------------------------------------------------------------


@bp.post("/shares")
@bp.auth_required(token_auth)
@bp.input(ShareIn, arg_name="body")
@bp.output(ShareOut, status_code=201)
@bp.doc(summary="Share an album or some photos by link",
        responses={404: "No such album or photo (or not yours)", 422: "Invalid body, or expires_at in the past"})
def create_share(body: dict[str, Any]) -> Any:
    share, token = container().sharing.create(current_user_id(), body)
    return share_json(share, token), 201


@bp.get("/shares")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(ShareListOut)
@bp.doc(summary="Your share links, newest first")
def list_shares(query: dict[str, Any]) -> Any:
    sharing = container().sharing
    page = sharing.list(current_user_id(), limit=query["limit"], cursor=query.get("cursor"))
    return page_json([share_json(s, sharing.token_of(s)) for s in page.items], page.next_cursor)


@bp.delete("/shares/<share_id>")
@bp.auth_required(token_auth)
@bp.output(EmptySchema, status_code=204)
@bp.doc(summary="Revoke a link: it stops working at once", responses={404: "No such share (or not yours)"})
def revoke_share(share_id: str) -> Any:
    container().sharing.revoke(current_user_id(), share_id)
    return "", 204


# --- members ----------------------------------------------------------------------------------------------


@bp.post("/albums/<album_id>/members")
@bp.auth_required(token_auth)
@bp.input(MemberIn, arg_name="body")
@bp.output(MemberOut, status_code=201)
@bp.doc(summary="Share the album with another account (again: change the role, 200)",
        responses={200: "The member's role changed", 404: "No such album (or not yours); no_such_user"})
def add_member(album_id: str, body: dict[str, Any]) -> Any:
    member, created, email = container().sharing.add_member(current_user_id(), album_id, body["email"],
                                                            body["role"], body.get("show_location", False))
    out = {"user_id": member.user_id, "email": email, "role": member.role, "show_location": member.show_location}
    return out, 201 if created else 200


@bp.delete("/albums/<album_id>/members/<user_id>")
@bp.auth_required(token_auth)
@bp.output(EmptySchema, status_code=204)
@bp.doc(summary="Stop sharing the album with a member (at once)", responses={404: "No such album or member"})
def remove_member(album_id: str, user_id: str) -> Any:
    container().sharing.remove_member(current_user_id(), album_id, user_id)
    return "", 204


# --- public routes ----------------------------------------------------------------------------------------


def _open(token: str) -> Share:
    sharing = container().sharing
    sharing.count_request(request.remote_addr)
    return sharing.open(token, request.headers.get(SESSION_HEADER))


def serve(file: SharedFile) -> Any:
    """A 302 to the signed URL of the file's own key, or the bytes streamed (embedded shape)."""
    if file.url:
        return redirect(file.url, code=302)
    resp = send_file(container().blobs.open(file.key), mimetype=file.content_type, download_name=file.filename,
                     as_attachment=False, etag=False, conditional=False, max_age=0)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/s/<token>")
@bp.output(PublicShareOut)
@bp.doc(summary="A shared album or set of photos (no account needed)", responses=GONE)
def public_share(token: str) -> Any:
    return container().sharing.view(_open(token))


@bp.post("/s/<token>/unlock")
@bp.input(UnlockIn, arg_name="body")
@bp.output(UnlockOut)
@bp.doc(summary="Unlock a password-protected share: send share_session as header X-Share-Session (24 h)",
        responses={401: "Wrong password", 404: GONE[404], 429: "Too many wrong passwords or requests"})
def unlock_share(token: str, body: dict[str, Any]) -> Any:
    sharing = container().sharing
    sharing.count_request(request.remote_addr)
    return {"share_session": sharing.unlock(token, body["password"], request.remote_addr)}


@bp.get("/s/<token>/photos/<photo_id>/thumbnail")
@bp.input(ThumbnailQuery, location="query", arg_name="query")
@bp.output(BINARY, content_type="image/jpeg", description="An upright JPEG without any metadata")
@bp.doc(summary="A shared photo's thumbnail", responses={302: "Redirect to a signed URL", **GONE})
def public_thumbnail(token: str, photo_id: str, query: dict[str, Any]) -> Any:
    sharing = container().sharing
    photo = sharing.photo(_open(token), photo_id)
    return serve(sharing.thumbnail(photo, query["size"]))


@bp.get("/s/<token>/photos/<photo_id>/original")
@bp.output(BINARY, content_type="image/jpeg", description="The image without GPS, serial numbers, maker notes")
@bp.doc(summary="A shared photo's original, its metadata stripped",
        responses={302: "Redirect to a signed URL", 403: "The owner did not allow downloads", **GONE})
def public_original(token: str, photo_id: str) -> Any:
    sharing = container().sharing
    share = _open(token)
    return serve(sharing.original(sharing.photo(share, photo_id), share))
