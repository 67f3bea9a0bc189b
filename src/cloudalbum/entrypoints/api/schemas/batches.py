"""Batch edit (API.md "Batch edit"): the request of POST /api/photos/batch and the answers."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Integer, List, Nested, String
from apiflask.validators import Length, Range, Regexp

from ....domain.batches import MAX_BATCH_PHOTOS, MAX_SHIFT_S
from .photos import TAKEN_AT_PATTERN, LocationIn


class CameraIn(Schema):
    make = String(allow_none=True, validate=Length(max=200))
    model = String(allow_none=True, validate=Length(max=200))


class BatchSetIn(Schema):
    title = String(allow_none=True, validate=Length(max=500))
    description = String(allow_none=True, validate=Length(max=10_000))
    taken_at = String(allow_none=True, validate=[Length(min=1, max=40), Regexp(TAKEN_AT_PATTERN)])
    location = Nested(LocationIn, allow_none=True)
    place = String(validate=Length(min=1, max=200),
                   metadata={"description": "A place name ('Dublin', 'Paris, France') placed offline, instead of "
                                            "location; 422 unknown_place when it is not known"})


class BatchIn(Schema):
    photo_ids = List(String(validate=Length(min=1, max=100)), validate=Length(min=1, max=MAX_BATCH_PHOTOS))
    camera = Nested(CameraIn, metadata={"description": "Every photo of this camera (case-insensitive; a part "
                                                       "left out or null matches any)"})
    set = Nested(BatchSetIn)
    shift_taken_at_s = Integer(strict=True, validate=Range(min=-MAX_SHIFT_S, max=MAX_SHIFT_S),
                               metadata={"description": "Seconds every selected photo's time moves by"})
    add_labels = List(String(validate=Length(min=1, max=100)), validate=Length(max=50))
    remove_labels = List(String(validate=Length(min=1, max=100)), validate=Length(max=50))
    add_to_album = String(validate=Length(min=1, max=100))


class BatchOut(Schema):
    batch_id = String(required=True)
    updated = Integer(required=True, metadata={"description": "Photos the batch changed"})
    photo_ids = List(String(), required=True, metadata={"description": "The photos selected"})


class UndoOut(Schema):
    restored = Integer(required=True)
