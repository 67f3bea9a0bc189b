"""Albums: the {album} shape of API.md and its edits."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Integer, List, String
from apiflask.validators import Length

from .common import PageQuery, page_of


class AlbumOut(Schema):
    id = String(required=True)
    name = String(required=True)
    description = String(allow_none=True)
    created_at = String()
    updated_at = String()
    photo_count = Integer()
    cover_photo_id = String(allow_none=True)


AlbumPage = page_of(AlbumOut, "AlbumPage")


class AlbumIn(Schema):
    name = String(required=True, validate=Length(min=1, max=200))
    description = String(allow_none=True, validate=Length(max=5000))


class AlbumPatchIn(Schema):
    name = String(validate=Length(min=1, max=200))
    description = String(allow_none=True, validate=Length(max=5000))
    cover_photo_id = String(allow_none=True, validate=Length(max=100))


class AlbumPhotosIn(Schema):
    photo_ids = List(String(validate=Length(min=1, max=100)), required=True, validate=Length(min=1, max=500))


class AlbumPhotosQuery(PageQuery):
    """A page of an album's photos."""
