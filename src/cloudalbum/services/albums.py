"""Album use cases. Only the owner's albums and photos are ever touched; anything else is NotFound (404)."""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.errors import Invalid, NotFound
from ..domain.model import Album, Page, iso, new_id, utcnow
from ..ports import AlbumStore, PhotoStore
from .search import check_limit

MAX_NAME = 200
MAX_DESCRIPTION = 5000
MAX_PHOTOS_PER_CALL = 500


def _clean_name(name: str | None) -> str:
    text = (name or "").strip()
    if not text or len(text) > MAX_NAME:
        raise Invalid(f"an album name is 1 to {MAX_NAME} characters", code="validation_error")
    return text


def _clean_description(description: str | None) -> str | None:
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise Invalid(f"a description is at most {MAX_DESCRIPTION} characters", code="validation_error")
    return description


class AlbumService:
    def __init__(self, albums: AlbumStore, photos: PhotoStore) -> None:
        self.album_store = albums
        self.photo_store = photos

    def create(self, owner_id: str, name: str, description: str | None = None) -> Album:
        now = iso(utcnow())
        album = Album(id=new_id(), owner_id=owner_id, name=_clean_name(name),
                      description=_clean_description(description), created_at=now, updated_at=now)
        self.album_store.add_album(album)
        return self.get(owner_id, album.id)

    def get(self, owner_id: str, album_id: str) -> Album:
        album = self.album_store.get_album(album_id, owner_id)
        if album is None:
            raise NotFound("No such album.", code="album_not_found")
        return album

    def list(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        return self.album_store.list_albums(owner_id, limit=check_limit(limit), cursor=cursor)

    def update(self, owner_id: str, album_id: str, *, name: str | None = None, description: str | None = None,
               cover_photo_id: str | None = None, fields: set[str] | None = None) -> Album:
        """Change what is given (`fields` names the keys present, so description can be cleared with null)."""
        album = self.get(owner_id, album_id)
        given = fields if fields is not None else {k for k, v in (("name", name), ("description", description),
                                                                  ("cover_photo_id", cover_photo_id)) if v is not None}
        if "name" in given:
            album.name = _clean_name(name)
        if "description" in given:
            album.description = _clean_description(description)
        if "cover_photo_id" in given:
            if cover_photo_id is not None and not self._in_album(owner_id, album_id, cover_photo_id):
                raise Invalid("the cover must be a photo of the album", code="validation_error")
            album.cover_photo_id = cover_photo_id
        album.updated_at = iso(utcnow())
        return self.album_store.save_album(album)

    def delete(self, owner_id: str, album_id: str) -> None:
        """The album goes; its photos stay."""
        self.get(owner_id, album_id)
        self.album_store.delete_album(album_id)

    def add_photos(self, owner_id: str, album_id: str, photo_ids: Sequence[str]) -> Album:
        """Add the owner's photos (idempotent). Any id that is not the owner's photo: NotFound, nothing added."""
        self.get(owner_id, album_id)
        ids = list(dict.fromkeys(photo_ids))
        if not ids or len(ids) > MAX_PHOTOS_PER_CALL:
            raise Invalid(f"photo_ids lists 1 to {MAX_PHOTOS_PER_CALL} photo ids", code="validation_error")
        for pid in ids:
            if not isinstance(pid, str) or self.photo_store.get_photo(pid, owner_id) is None:
                raise NotFound(f"No such photo: {pid}", code="photo_not_found")
        self.album_store.add_to_album(album_id, ids)
        return self.get(owner_id, album_id)

    def remove_photo(self, owner_id: str, album_id: str, photo_id: str) -> None:
        self.get(owner_id, album_id)
        if self.photo_store.get_photo(photo_id, owner_id) is None:
            raise NotFound("No such photo.", code="photo_not_found")
        self.album_store.remove_from_album(album_id, photo_id)

    def photos(self, owner_id: str, album_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        self.get(owner_id, album_id)
        return self.album_store.album_photos(album_id, owner_id, limit=check_limit(limit), cursor=cursor)

    def _in_album(self, owner_id: str, album_id: str, photo_id: str) -> bool:
        photo = self.photo_store.get_photo(photo_id, owner_id)
        return photo is not None and album_id in photo.albums
