"""API routes: duplicate groups (API.md "Duplicates and trash"). Another user's group answers as a missing one."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from apiflask.schemas import EmptySchema

from ...domain.duplicates import DuplicateGroup, Explained
from .auth import current_user_id, token_auth
from .context import container
from .schemas import PageQuery, PhotoOut
from .schemas.duplicates import GroupPage, ResolveIn
from .views import page_json, photo_json

bp = APIBlueprint("duplicates", __name__, url_prefix="/api", tag="Duplicates")


def group_json(group: DuplicateGroup, explained: Explained) -> dict[str, Any]:
    return {"id": group.id, "kind": explained.kind, "photos": [photo_json(p) for p in explained.photos],
            "keep": explained.keep.id, "reason": explained.reason}


@bp.get("/duplicates")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="params")
@bp.output(GroupPage)
@bp.doc(summary="Groups of photos that look like duplicates, each with the photo proposed to keep and why")
def list_duplicates(params: dict[str, Any]) -> Any:
    page = container().duplicates.list_groups(current_user_id(), limit=params["limit"], cursor=params.get("cursor"))
    return page_json([group_json(g, e) for g, e in page.items], page.next_cursor)


@bp.post("/duplicates/<group_id>/resolve")
@bp.auth_required(token_auth)
@bp.input(ResolveIn, arg_name="body")
@bp.output(PhotoOut)
@bp.doc(summary="Keep one photo: the others go to the trash, their albums, answers, user labels, title, "
                "description and a location the keeper lacks are merged into it",
        responses={404: "No such group (or not yours)", 422: "keep is not one of the group's photos (nothing changed)"})
def resolve(group_id: str, body: dict[str, Any]) -> Any:
    return photo_json(container().duplicates.resolve(current_user_id(), group_id, body["keep"]))


@bp.post("/duplicates/<group_id>/dismiss")
@bp.auth_required(token_auth)
@bp.output(EmptySchema, status_code=204)
@bp.doc(summary="Not duplicates: the group goes, and these photos are never grouped together again",
        responses={404: "No such group (or not yours)"})
def dismiss(group_id: str) -> Any:
    container().duplicates.dismiss(current_user_id(), group_id)
    return "", 204
