"""Questions: the {question} shape of API.md, its list query and answers."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Float, List, Nested, String
from apiflask.validators import Length

from .common import PageQuery, page_of
from .photos import PhotoOut, PlaceOut


class SuggestionOut(Schema):
    lat = Float(required=True)
    lon = Float(required=True)
    place = Nested(PlaceOut, allow_none=True)
    confidence = Float(required=True, metadata={"description": "0..1: how sure the estimate is"})
    reason = String(required=True, metadata={"description": "Why this place: the photos it was inferred from"})


class QuestionOut(Schema):
    id = String(required=True)
    photo_id = String(required=True)
    kind = String(required=True)
    text = String(required=True)
    choices = List(String(), allow_none=True)
    reason = String(required=True)
    created_at = String()
    status = String()
    related_photo_ids = List(String())
    score = Float()
    person_id = String(allow_none=True, metadata={"description": "\"Who is this?\" about a group of faces: the person"})
    face_id = String(allow_none=True, metadata={"description": "The face shown (its crop: face_thumbnail_url)"})
    face_thumbnail_url = String(allow_none=True)
    suggestion = Nested(SuggestionOut, allow_none=True, metadata={
        "description": "A location question's proposed place: answer the choice \"yes\" to accept it, or name "
                       "another place"})


QuestionPage = page_of(QuestionOut, "QuestionPage")


class QuestionListQuery(PageQuery):
    photo_id = String(validate=Length(max=100))


class AnswerIn(Schema):
    answer = String(validate=Length(min=1, max=500))
    choice = String(validate=Length(min=1, max=500))
    apply_to = List(String(validate=Length(min=1, max=100)), validate=Length(max=500),
                    metadata={"description": "More of your photos the same answer applies to"})
    face_ids = List(String(validate=Length(min=1, max=100)), validate=Length(max=200),
                    metadata={"description": "With the choice \"not the same person\" on a \"Who is this?\" "
                                             "question: the faces that are someone else"})


class AnswerResultOut(Schema):
    question = Nested(QuestionOut, required=True)
    photos = List(Nested(PhotoOut), required=True)
