"""API routes: albums (see ../shared/API.md). Another user's album or photo is a 404, as a missing one."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from apiflask.schemas import EmptySchema

from ...domain.errors import NotFound
from ...domain.model import Album
from ...domain.sharing import AlbumMember
from ...services.sharing import member_view
from .auth import current_user_id, token_auth
from .context import container
from .schemas import (
    AlbumIn,
    AlbumListQuery,
    AlbumOut,
    AlbumPatchIn,
    AlbumPhotosIn,
    AlbumPhotosQuery,
    PhotoPage,
    SharedAlbumPage,
)
from .views import album_json, page_json, photo_json

bp = APIBlueprint("albums", __name__, url_prefix="/api", tag="Albums")

NOT_FOUND = {404: "No such album (or not yours)"}
CONTRIBUTED = "c."  # album_photos cursors of the contributed photos (base64url cursors never hold a dot)


@bp.post("/albums")
@bp.auth_required(token_auth)
@bp.input(AlbumIn, arg_name="body")
@bp.output(AlbumOut, status_code=201)
@bp.doc(summary="Create an album")
def create_album(body: dict[str, Any]) -> Any:
    album = container().albums.create(current_user_id(), body["name"], body.get("description"))
    return album_json(album), 201


@bp.get("/albums")
@bp.auth_required(token_auth)
@bp.input(AlbumListQuery, location="query", arg_name="query")
@bp.output(SharedAlbumPage)
@bp.doc(summary="Your albums, newest first; with shared_with_me=true the albums others shared with you")
def list_albums(query: dict[str, Any]) -> Any:
    if query.get("shared_with_me"):
        page = container().sharing.shared_with_me(current_user_id(), limit=query["limit"], cursor=query.get("cursor"))
        return page_json([{**album_json(a), "owner": {"email": email}, "role": role} for a, email, role in page.items],
                         page.next_cursor)
    page = container().albums.list(current_user_id(), limit=query["limit"], cursor=query.get("cursor"))
    return page_json([album_json(a) for a in page.items], page.next_cursor)


def readable_album(album_id: str) -> tuple[Album, AlbumMember | None]:
    """The user's album, or one shared with them (with the membership); 404 as a missing album otherwise."""
    uid = current_user_id()
    try:
        return container().albums.get(uid, album_id), None
    except NotFound:
        member = container().sharing.membership(uid, album_id)
        if member is None:
            raise
        return container().albums.get(member.owner_id, album_id), member


@bp.get("/albums/<album_id>")
@bp.auth_required(token_auth)
@bp.output(AlbumOut)
@bp.doc(summary="One album (yours or shared with you), with photo_count and cover_photo_id", responses=NOT_FOUND)
def get_album(album_id: str) -> Any:
    return album_json(readable_album(album_id)[0])


@bp.patch("/albums/<album_id>")
@bp.auth_required(token_auth)
@bp.input(AlbumPatchIn, arg_name="body")
@bp.output(AlbumOut)
@bp.doc(summary="Rename, describe or choose the cover", responses=NOT_FOUND)
def patch_album(album_id: str, body: dict[str, Any]) -> Any:
    album = container().albums.update(current_user_id(), album_id, name=body.get("name"),
                                      description=body.get("description"),
                                      cover_photo_id=body.get("cover_photo_id"), fields=set(body))
    return album_json(album)


@bp.delete("/albums/<album_id>")
@bp.auth_required(token_auth)
@bp.output(EmptySchema, status_code=204)
@bp.doc(summary="Delete the album (the photos stay)", responses=NOT_FOUND)
def delete_album(album_id: str) -> Any:
    container().albums.delete(current_user_id(), album_id)
    return "", 204


@bp.post("/albums/<album_id>/photos")
@bp.auth_required(token_auth)
@bp.input(AlbumPhotosIn, arg_name="body")
@bp.output(AlbumOut)
@bp.doc(summary="Add your photos to the album (idempotent)", responses={404: "No such album or photo (or not yours)"})
def add_photos(album_id: str, body: dict[str, Any]) -> Any:
    uid = current_user_id()
    album = container().sharing.contribute(uid, album_id, body["photo_ids"])  # a contributor's own photos
    return album_json(album or container().albums.add_photos(uid, album_id, body["photo_ids"]))


@bp.delete("/albums/<album_id>/photos/<photo_id>")
@bp.auth_required(token_auth)
@bp.output(EmptySchema, status_code=204)
@bp.doc(summary="Take a photo out of the album (the photo stays)", responses={404: "No such album or photo"})
def remove_photo(album_id: str, photo_id: str) -> Any:
    container().albums.remove_photo(current_user_id(), album_id, photo_id)
    return "", 204


@bp.get("/albums/<album_id>/photos")
@bp.auth_required(token_auth)
@bp.input(AlbumPhotosQuery, location="query", arg_name="query")
@bp.output(PhotoPage)
@bp.doc(summary="The album's photos, newest taken first", responses=NOT_FOUND)
def album_photos(album_id: str, query: dict[str, Any]) -> Any:
    """The owner's photos of the album, then (cursors starting with CONTRIBUTED) the photos contributors added,
    newest added first; each as the reader may see it."""
    uid, sharing, cursor = current_user_id(), container().sharing, query.get("cursor") or ""
    if cursor.startswith(CONTRIBUTED):
        album, _member = readable_album(album_id)
        page = sharing.contributed_page(album_id, limit=query["limit"], cursor=cursor[len(CONTRIBUTED):])
        view = AlbumMember(album_id=album_id, user_id=uid, owner_id=album.owner_id, role="viewer", added_at="")
        items = [photo_json(p if p.owner_id == uid else member_view(p, view)) for p in page.items]
        return page_json(items, CONTRIBUTED + page.next_cursor if page.next_cursor else None)
    member = None
    try:
        page = container().albums.photos(uid, album_id, limit=query["limit"], cursor=cursor or None)
    except NotFound:
        member = sharing.membership(uid, album_id)
        if member is None:
            raise
        page = container().albums.photos(member.owner_id, album_id, limit=query["limit"], cursor=cursor or None)
    next_cursor = page.next_cursor or (CONTRIBUTED if sharing.has_contributions(album_id) else None)
    return page_json([photo_json(member_view(p, member) if member else p) for p in page.items], next_cursor)
