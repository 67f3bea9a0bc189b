"""API routes: the trash (API.md "Duplicates and trash"). A photo in another user's trash, or not in the trash,
is answered as a missing one (404)."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from apiflask.schemas import EmptySchema

from ...domain.model import Page
from .auth import current_user_id, token_auth
from .context import container
from .schemas import PageQuery, PhotoOut, PhotoPage
from .views import page_json, photo_json

bp = APIBlueprint("trash", __name__, url_prefix="/api", tag="Trash")


@bp.get("/trash")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="params")
@bp.output(PhotoPage)
@bp.doc(summary="The photos in the trash, newest trashed first (each with trashed_at)")
def list_trash(params: dict[str, Any]) -> Any:
    page: Page = container().trash.list(current_user_id(), limit=params["limit"], cursor=params.get("cursor"))
    return page_json([photo_json(p) for p in page.items], page.next_cursor)


@bp.post("/trash/<photo_id>/restore")
@bp.auth_required(token_auth)
@bp.output(PhotoOut)
@bp.doc(summary="Bring the photo back to the library with its albums, answers and questions",
        responses={404: "Not in the user's trash"})
def restore(photo_id: str) -> Any:
    return photo_json(container().trash.restore(current_user_id(), photo_id))


@bp.delete("/trash")
@bp.auth_required(token_auth)
@bp.output(EmptySchema, status_code=204)
@bp.doc(summary="Empty the trash: every photo in it is deleted for good and its storage freed")
def empty_trash() -> Any:
    container().trash.empty(current_user_id())
    return "", 204
