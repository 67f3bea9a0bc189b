"""People: persons, their faces and the face grouping setting."""

from __future__ import annotations

from typing import Any

from apiflask import Schema
from apiflask.fields import Boolean, Integer, List, Nested, String
from apiflask.validators import Length
from marshmallow import ValidationError, validates_schema

from .common import page_of
from .photos import BoxOut


class PersonOut(Schema):
    id = String(required=True)
    name = String(allow_none=True, metadata={"description": "null until you name the person"})
    photo_count = Integer(required=True)
    face_count = Integer(required=True)
    cover_face_id = String(allow_none=True)
    cover_photo_id = String(allow_none=True)
    cover_thumbnail_url = String(allow_none=True, metadata={"description": "The cover face's crop"})
    created_at = String()
    updated_at = String()


class PersonItemOut(PersonOut):
    """PersonOut in a page. Its own name because the spec meets GET /api/people (the page) before the routes
    that return PersonOut whole, and apispec would otherwise register PersonOut twice (as PersonOut1)."""


PersonPage = page_of(PersonItemOut, "PersonPage")


class FaceOut(Schema):
    id = String(required=True)
    photo_id = String(required=True)
    box = Nested(BoxOut, required=True)
    person_id = String(allow_none=True)
    thumbnail_url = String(required=True)
    created_at = String()


FacePage = page_of(FaceOut, "FacePage")


class PersonPatchIn(Schema):
    name = String(required=True, allow_none=True, validate=Length(max=100),
                  metadata={"description": "The name; null or empty removes it. A name another person has merges "
                                           "the two (the other person is kept)"})


class PersonMergeIn(Schema):
    person_ids = List(String(validate=Length(min=1, max=100)), required=True, validate=Length(min=1, max=50),
                      metadata={"description": "People who are this same person: their faces join this one"})


class FaceSettingsOut(Schema):
    face_grouping = Boolean(required=True, metadata={"description": "Faces are found and grouped into people"})
    timezone = String(allow_none=True, metadata={
        "description": "Your time zone (IANA), for photo times without a UTC offset (a GPS track's default)"})


class FaceSettingsIn(Schema):
    face_grouping = Boolean(metadata={"description": "false deletes every face, person and face crop of yours at "
                                                     "once"})
    timezone = String(allow_none=True, validate=Length(max=64), metadata={
        "description": "An IANA time zone such as Europe/Rome; null or \"\" clears it"})

    @validates_schema
    def one_setting(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Give face_grouping or timezone.")
