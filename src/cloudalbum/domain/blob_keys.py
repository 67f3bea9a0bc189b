"""Where each blob lives. Every key is made here, from ids the server made, never from a name a client sent.

Two trees, each per owner then per photo:

* `originals/<owner>/<photo>`: the upload, byte for byte.
* `thumbnails/<owner>/<photo>/...`: everything derived from it (the thumbnails, the face crops, the stripped
  copy a share serves). A photo's derived blobs are one prefix, so they go with the photo, and processing the
  photo again makes them again.

Deleting an owner's blobs is deleting the two owner prefixes; the maintenance sweep finds a blob's photo from
its key alone. (The DynamoDB item keys are not blob keys: adapters/aws/keys.py.)
"""

from __future__ import annotations

ORIGINALS = "originals/"
DERIVED = "thumbnails/"


def original_key(owner_id: str, photo_id: str) -> str:
    """Where an original lives: server-made, never derived from anything the client named."""
    return f"{ORIGINALS}{owner_id}/{photo_id}"


def thumbnails_prefix(owner_id: str, photo_id: str) -> str:
    """Where a photo's derived blobs live (thumbnails, face crops, the shared copy)."""
    return f"{DERIVED}{owner_id}/{photo_id}/"


def thumbnail_key(owner_id: str, photo_id: str, size: str) -> str:
    return f"{thumbnails_prefix(owner_id, photo_id)}{size}.jpg"


def face_crop_key(owner_id: str, photo_id: str, face_id: str) -> str:
    """Beside the photo's thumbnails, so the maintenance sweep treats a leftover crop like a thumbnail."""
    return f"{thumbnails_prefix(owner_id, photo_id)}face-{face_id}.jpg"


def shared_original_key(owner_id: str, photo_id: str) -> str:
    """The stripped copy of an original: under the photo's derived-blob prefix, so it goes with the photo."""
    return f"{thumbnails_prefix(owner_id, photo_id)}shared-original"


def owner_prefixes(owner_id: str) -> tuple[str, str]:
    """Every blob of the owner is under one of these (thumbnails/ holds the face crops too)."""
    return f"{ORIGINALS}{owner_id}/", f"{DERIVED}{owner_id}/"


def photo_id_of_original(key: str) -> str | None:
    """The photo id of an originals/<owner>/<photo> key (None for anything else)."""
    parts = key.split("/")
    return parts[2] if len(parts) == 3 and parts[0] + "/" == ORIGINALS and parts[2] else None


def photo_id_of_blob(key: str) -> str | None:
    """The photo an originals/<owner>/<photo> or thumbnails/<owner>/<photo>/<name> key belongs to."""
    parts = key.split("/")
    if len(parts) == 4 and parts[0] + "/" == DERIVED and parts[2]:
        return parts[2]
    return photo_id_of_original(key)
