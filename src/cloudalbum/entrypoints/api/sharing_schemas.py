"""Schemas of the album routes' sharing additions (issue 18), kept apart from schemas.py for an easy merge."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Integer, List, Nested, String
from apiflask.validators import Length, Range

from .schemas import AlbumOut


class AlbumListQuery(Schema):
    limit = Integer(load_default=50, validate=Range(min=1, max=200))
    cursor = String(load_default=None, allow_none=True, validate=Length(max=2000))
    shared_with_me = Boolean(load_default=False)


class OwnerOut(Schema):
    email = String(required=True)


class SharedAlbumOut(AlbumOut):
    owner = Nested(OwnerOut, metadata={"description": "shared_with_me only: whose album it is"})
    role = String(metadata={"description": "shared_with_me only: viewer or contributor"})


SharedAlbumPage = type("SharedAlbumPage", (Schema,), {"items": List(Nested(SharedAlbumOut), required=True),
                                                      "next_cursor": String(allow_none=True)})
