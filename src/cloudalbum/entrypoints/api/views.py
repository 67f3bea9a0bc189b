"""Presenting domain objects in the JSON shapes of API.md. Internal fields (owner, storage keys, versions)
never leave the service."""

from __future__ import annotations

import dataclasses
from typing import Any

from ...domain.model import Album, Photo, Question

_PHOTO_INTERNAL = {"owner_id", "original_key", "thumbnail_keys", "user_fields", "rejected_labels",
                   "processed_version", "version", "orientation"}


def photo_json(photo: Photo, *, reasons: list[str] | None = None) -> dict[str, Any]:
    out = {k: v for k, v in dataclasses.asdict(photo).items() if k not in _PHOTO_INTERNAL}
    out["labels"] = [dataclasses.asdict(lbl) for lbl in photo.visible_labels()]
    if reasons is not None:
        out["match"] = {"reasons": reasons}
    return out


def album_json(album: Album) -> dict[str, Any]:
    out = dataclasses.asdict(album)
    out.pop("owner_id", None)
    return out


def question_json(q: Question) -> dict[str, Any]:
    return {
        "id": q.id, "photo_id": q.photo_id, "kind": q.kind, "text": q.text, "choices": q.choices,
        "reason": q.reason, "created_at": q.created_at, "status": q.status,
        "related_photo_ids": q.related_photo_ids, "score": q.score,
    }


def page_json(items: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
