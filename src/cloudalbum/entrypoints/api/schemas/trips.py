"""Schemas of trips (API.md "Time, place, trips, memories")."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Integer, List, Nested, String
from apiflask.validators import Length

from .common import PageQuery


class TripOut(Schema):
    id = String(required=True)
    title = String(required=True, metadata={"example": "Tuscany, April 2013",
                                            "description": "Made from its places and months, or the name you gave"})
    start = String(required=True, metadata={"description": "taken_at of its first photo away from home"})
    end = String(required=True, metadata={"description": "taken_at of its last photo away from home"})
    places = List(String(), required=True, metadata={"example": ["Rome, Italy"],
                                                     "description": "Most photographed first"})
    photo_count = Integer(required=True)
    cover_photo_id = String(allow_none=True)


class TripPage(Schema):
    items = List(Nested(TripOut), required=True)
    next_cursor = String(allow_none=True)


class TripsQuery(PageQuery):
    """A page of trips, newest first."""


class TripPhotosQuery(PageQuery):
    """A page of a trip's photos, oldest first."""


class TripAlbumIn(Schema):
    name = String(load_default=None, allow_none=True, validate=Length(min=1, max=200),
                  metadata={"description": "Default: the trip's title"})
