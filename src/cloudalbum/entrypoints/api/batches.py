"""API routes: batch edit and its undo (API.md "Batch edit"). Thin: parse, call BatchService, present."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from .auth import current_user_id, token_auth
from .context import container
from .schemas.batches import BatchIn, BatchOut, UndoOut

bp = APIBlueprint("batches", __name__, url_prefix="/api", tag="Batch edit")


@bp.post("/photos/batch")
@bp.auth_required(token_auth)
@bp.input(BatchIn, arg_name="body")
@bp.output(BatchOut)
@bp.doc(summary="Change many photos at once (by ids or by camera); all or nothing on ownership",
        responses={404: "A photo or the album is not yours (nothing changed)",
                   409: "A photo kept changing; try again",
                   422: "A bad value, or more than 1000 photos of that camera (nothing changed)"})
def batch_edit(body: dict[str, Any]) -> Any:
    result = container().batches.edit(current_user_id(), body)
    return {"batch_id": result.batch_id, "updated": result.updated, "photo_ids": result.photo_ids}


@bp.post("/batches/<batch_id>/undo")
@bp.auth_required(token_auth)
@bp.output(UndoOut)
@bp.doc(summary="Undo a batch: every field it changed is back as it was, and nothing else",
        responses={404: "No such batch (or not yours, or expired)", 409: "Already undone"})
def undo_batch(batch_id: str) -> Any:
    return {"restored": container().batches.undo(current_user_id(), batch_id)}
