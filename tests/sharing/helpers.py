"""Shared set-up of the sharing tests: photos that look processed (thumbnails, a place, a face) without running
the detector, and a fetch that follows the AWS shape's 302 to a signed URL."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from cloudalbum.domain.blob_keys import thumbnail_key
from cloudalbum.domain.model import Box, FaceRef, Location, Place
from cloudalbum.media.thumbnails import make_thumbnails
from support import unique_copy

from .leaks import dirty_file


def processed_photo(user: Any, container: Any, data: bytes | None = None, filename: str = "gps.jpg") -> str:
    """Upload a photo with GPS, serials and a maker note, then give it what processing would: thumbnails, a
    location with its place, a named face. Returns its id."""
    data = data or unique_copy(dirty_file("JPEG", size=(320, 240)))  # identical bytes would be one photo
    r = user.upload(data, filename)
    assert r.status_code == 202, r.get_data(as_text=True)
    pid = r.get_json()["id"]
    c = container
    photo = c.store.photos.get_photo(pid, user.id)
    with Image.open(io.BytesIO(data)) as image:
        thumbs = make_thumbnails(image.convert("RGB"))
    for size, (_img, jpeg) in thumbs.items():
        key = thumbnail_key(user.id, pid, size)
        c.blobs.put(key, jpeg, content_type="image/jpeg")
        photo.thumbnail_keys[size] = key
    photo.status = "done"
    photo.taken_at = "2024-05-01T10:11:12"
    photo.location = Location(lat=48.8584, lon=2.2945, place=Place(city="Paris", region="Île-de-France",
                                                                  country="France", country_code="FR"))
    photo.faces = [FaceRef(id="face1", box=Box(1, 2, 30, 30, 0.9), person_id="p1", person_name="Grandma")]
    c.store.photos.save_photo(photo)
    return pid


def fetch(resp: Any) -> bytes:
    """The body of a file route: the bytes (embedded) or what its signed URL serves (AWS, a 302)."""
    if resp.status_code == 302:
        import requests

        got = requests.get(resp.headers["Location"], timeout=10)
        assert got.status_code == 200
        return got.content
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_data()
