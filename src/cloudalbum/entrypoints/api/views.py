"""Presenting domain objects in the JSON shapes of API.md. Internal fields (owner, storage keys, versions)
never leave the service."""

from __future__ import annotations

import dataclasses
from typing import Any

from ...domain.model import Album, Photo, Question
from ...domain.people import Face, Person

_PHOTO_INTERNAL = {"owner_id", "original_key", "thumbnail_keys", "user_fields", "rejected_labels",
                   "processed_version", "version", "orientation", "sha256", "fingerprint"}


def face_url(face_id: str) -> str:
    return f"/api/faces/{face_id}/thumbnail"


def thumbnail_url(photo: Photo, size: str) -> str:
    """The thumbnail's URL naming the photo's version: the browser may keep the answer for a year (privately),
    and any change to the photo (reprocessing rewrites its thumbnails) gives a new URL."""
    return f"/api/photos/{photo.id}/thumbnail?size={size}&v={photo.version}"


def photo_json(photo: Photo, *, reasons: list[str] | None = None) -> dict[str, Any]:
    out = {k: v for k, v in dataclasses.asdict(photo).items() if k not in _PHOTO_INTERNAL}
    out["thumbnails"] = ({size: thumbnail_url(photo, size) for size in sorted(photo.thumbnail_keys)}
                         if photo.thumbnail_keys else None)
    out["labels"] = [dataclasses.asdict(lbl) for lbl in photo.visible_labels()]
    out["faces"] = [{"id": f.id, "box": dataclasses.asdict(f.box),
                     "person": {"id": f.person_id, "name": f.person_name} if f.person_id else None,
                     "thumbnail_url": face_url(f.id), "model": f.model} for f in photo.faces]
    out["text"] = text_json(photo)
    if reasons is not None:
        out["match"] = {"reasons": reasons}
    return out


def text_json(photo: Photo) -> dict[str, Any] | None:
    """API.md's {photo}.text: the lines read with their boxes (pixels of the upright image), or null."""
    if photo.text is None:
        return None
    return {"lines": [{"text": ln.text, "confidence": ln.confidence,
                       "box": {"x": ln.x, "y": ln.y, "w": ln.w, "h": ln.h}} for ln in photo.text.lines],
            "model": photo.text.model}


def album_json(album: Album) -> dict[str, Any]:
    out = dataclasses.asdict(album)
    out.pop("owner_id", None)
    return out


def question_json(q: Question) -> dict[str, Any]:
    return {
        "id": q.id, "photo_id": q.photo_id, "kind": q.kind, "text": q.text, "choices": q.choices,
        "reason": q.reason, "created_at": q.created_at, "status": q.status,
        "related_photo_ids": q.related_photo_ids, "score": q.score,
        "person_id": q.person_id, "face_id": q.face_id,
        "face_thumbnail_url": face_url(q.face_id) if q.face_id else None,
        "suggestion": dataclasses.asdict(q.suggestion) if q.suggestion is not None else None,
    }


def person_json(person: Person) -> dict[str, Any]:
    return {
        "id": person.id, "name": person.name, "photo_count": person.photo_count, "face_count": person.face_count,
        "cover_face_id": person.cover_face_id, "cover_photo_id": person.cover_photo_id,
        "cover_thumbnail_url": face_url(person.cover_face_id) if person.cover_face_id else None,
        "created_at": person.created_at, "updated_at": person.updated_at,
    }


def face_json(face: Face) -> dict[str, Any]:
    return {"id": face.id, "photo_id": face.photo_id, "box": dataclasses.asdict(face.box),
            "person_id": face.person_id, "thumbnail_url": face_url(face.id), "created_at": face.created_at}


def page_json(items: list[dict[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {"items": items, "next_cursor": next_cursor}
