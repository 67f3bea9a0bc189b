"""Duplicates (API.md "Duplicates and trash"): {group}, its page, and the body of a resolve."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import List, Nested, String
from apiflask.validators import Length, OneOf

from ....domain.duplicates import KINDS
from .common import page_of
from .photos import PhotoOut


class GroupOut(Schema):
    id = String(required=True)
    kind = String(required=True, validate=OneOf(KINDS))
    photos = List(Nested(PhotoOut), required=True)
    keep = String(required=True, metadata={"description": "The id of the photo proposed to keep"})
    reason = String(required=True, metadata={"description": "Why they look like duplicates, and why that one"})


GroupPage = page_of(GroupOut, "GroupPage")


class ResolveIn(Schema):
    keep = String(required=True, validate=Length(min=1, max=200),
                  metadata={"description": "The id of the photo to keep: one of the group's photos"})
