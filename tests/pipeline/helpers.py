"""Helpers for the pipeline tests (not fixtures)."""

from __future__ import annotations

from typing import Any

from support import PHOTOS, needs_corpus


def photo_bytes(rel: str) -> bytes:
    return (needs_corpus() / rel).read_bytes()


def add_photo(container: Any, data: bytes, *, filename: str = "photo.jpg", owner_id: str | None = None) -> Any:
    """Record a photo the way an upload leaves it (original stored, status uploaded), without HTTP."""
    from cloudalbum.domain.model import Photo, User, iso, new_id, utcnow

    if owner_id is None:
        owner_id = new_id()
        container.store.users.add_user(User(id=owner_id, email=f"{owner_id}@example.com", password_hash="x",
                                      created_at=iso(utcnow())))
    pid = new_id()
    key = f"originals/{owner_id}/{pid}"
    container.blobs.put(key, data, content_type="image/jpeg")
    photo = Photo(id=pid, owner_id=owner_id, filename=filename, content_type="image/jpeg", bytes=len(data),
                  original_key=key, uploaded_at=iso(utcnow()))
    container.store.photos.add_photo(photo)
    return photo


def corpus_files(*folders: str) -> list[str]:
    """Relative paths of the corpus photos in folders (empty when the corpus is missing: tests then skip)."""
    if not (PHOTOS / "MANIFEST.csv").exists():
        return []
    out: list[str] = []
    for folder in folders:
        out += sorted(f"{folder}/{p.name}" for p in (PHOTOS / folder).iterdir() if p.is_file())
    return out
