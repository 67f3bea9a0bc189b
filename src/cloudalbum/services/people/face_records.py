"""What every part of the people service shares about face records: their ids, where their crops are stored,
and how a person's faces are read (a page at a time, however many there are)."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Iterator

from ...domain.model import Box
from ...domain.people import Face, Person
from ...ports import BlobStore, FaceStore

log = logging.getLogger("cloudalbum.people")
FACE_PAGE = 200


def face_id_for(photo_id: str, model: str, box: Box) -> str:
    """A face id derived from what was found, so a redelivered message writes the same face (and the same crop
    key) instead of a second one. Unguessable because photo ids are."""
    digest = hashlib.sha256(f"{photo_id}|{model}|{box.x},{box.y},{box.w},{box.h}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=").replace("-", "a").replace("_", "b")


def all_faces(face_store: FaceStore, person: Person) -> Iterator[Face]:
    """Every face of the person, oldest first."""
    cursor: str | None = None
    while True:
        page = face_store.faces_of_person(person.id, person.owner_id, limit=FACE_PAGE, cursor=cursor)
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return


def photo_ids_of(face_store: FaceStore, person: Person) -> list[str]:
    """The photos the person is in, each once."""
    return list(dict.fromkeys(f.photo_id for f in all_faces(face_store, person)))


def delete_crop(blobs: BlobStore, key: str) -> None:
    """Best effort: a crop left behind is found by the maintenance sweep with the photo's other blobs."""
    try:
        blobs.delete(key)
    except Exception as exc:
        log.warning("could not delete face crop %s: %s", key, exc)
