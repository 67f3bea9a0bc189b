"""Marshmallow schemas: they validate requests and document responses in the OpenAPI document.
Response schemas mirror the {photo}, {album}, {question} shapes of API.md."""

from __future__ import annotations

from apiflask import Schema
from typing import Any

from apiflask.fields import Boolean, Dict, Email, File, Float, Integer, List, Nested, Raw, String
from apiflask.validators import Length, OneOf, Range, Regexp
from marshmallow import pre_load


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The page schema of API.md's lists: {"items": [item...], "next_cursor": str | null}, named for the spec."""
    return type(name, (Schema,), {"items": List(Nested(item), required=True),
                                  "next_cursor": String(allow_none=True)})


class ErrorDetail(Schema):
    code = String(required=True)
    message = String(required=True)


class ErrorOut(Schema):
    error = Nested(ErrorDetail, required=True)


class CameraOut(Schema):
    make = String(allow_none=True)
    model = String(allow_none=True)


class PlaceOut(Schema):
    city = String(allow_none=True)
    region = String(allow_none=True)
    country = String(allow_none=True)
    country_code = String(allow_none=True)


class LocationOut(Schema):
    lat = Float(required=True)
    lon = Float(required=True)
    alt_m = Float(allow_none=True)
    source = String()
    place = Nested(PlaceOut, allow_none=True)


class BoxOut(Schema):
    x = Integer()
    y = Integer()
    w = Integer()
    h = Integer()
    confidence = Float()


class LabelOut(Schema):
    name = String(required=True)
    confidence = Float(required=True)
    count = Integer()
    source = String()
    boxes = List(Nested(BoxOut))
    model = String(allow_none=True)


class AnswerOut(Schema):
    question = String()
    answer = String()


class ModelOut(Schema):
    name = String()
    version = String()


class MatchOut(Schema):
    reasons = List(String())


class FacePersonOut(Schema):
    id = String(required=True)
    name = String(allow_none=True)


class PhotoFaceOut(Schema):
    id = String(required=True)
    box = Nested(BoxOut, required=True, metadata={"description": "Pixels of the upright image"})
    person = Nested(FacePersonOut, allow_none=True, metadata={"description": "Who it is (null: not grouped)"})
    thumbnail_url = String(required=True, metadata={"description": "The face crop (GET /api/faces/{id}/thumbnail)"})
    model = String(allow_none=True, metadata={"description": "The face models and their versions"})


class PhotoOut(Schema):
    id = String(required=True)
    filename = String()
    status = String(required=True)
    error = String(allow_none=True)
    content_type = String()
    bytes = Integer()
    width = Integer(allow_none=True)
    height = Integer(allow_none=True)
    taken_at = String(allow_none=True)
    uploaded_at = String()
    camera = Nested(CameraOut, allow_none=True)
    location = Nested(LocationOut, allow_none=True)
    labels = List(Nested(LabelOut))
    faces = List(Nested(PhotoFaceOut), metadata={"description": "Faces found, with the person each belongs to"})
    categories = List(String())
    answers = List(Nested(AnswerOut))
    albums = List(String())
    title = String(allow_none=True)
    description = String(allow_none=True)
    model = Nested(ModelOut, allow_none=True)
    match = Nested(MatchOut)
    # Move in, move out (issue 19)
    rating = Integer(allow_none=True, metadata={"description": "The user's 0-5 rating (XMP, PATCH)"})
    people_hint = List(String(), metadata={"description": "People named by an imported sidecar (Takeout)"})
    duplicate = Boolean(metadata={"description": "Upload only: true when these bytes were already a photo "
                                                 "of the user (200, nothing stored)"})


PhotoPage = page_of(PhotoOut, "PhotoPage")


class AlbumOut(Schema):
    id = String(required=True)
    name = String(required=True)
    description = String(allow_none=True)
    created_at = String()
    updated_at = String()
    photo_count = Integer()
    cover_photo_id = String(allow_none=True)


AlbumPage = page_of(AlbumOut, "AlbumPage")


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


QuestionPage = page_of(QuestionOut, "QuestionPage")


class RegisterIn(Schema):
    email = Email(required=True, validate=Length(min=3, max=254))
    password = String(required=True, validate=Length(min=8, max=1024))

    @pre_load
    def _trim_email(self, data: Any, **_: Any) -> Any:
        """Surrounding spaces are a typing slip, not part of the address."""
        if isinstance(data, dict) and isinstance(data.get("email"), str):
            return {**data, "email": data["email"].strip()}
        return data


class LoginIn(Schema):
    email = String(required=True, validate=Length(max=1024))
    password = String(required=True, validate=Length(max=4096))


class RefreshIn(Schema):
    refresh_token = String(required=True, validate=Length(max=4096))


class TokenOut(Schema):
    access_token = String(required=True)
    refresh_token = String(required=True)
    token_type = String(required=True)
    expires_in = Integer(required=True)


class UserOut(Schema):
    id = String(required=True)
    email = String(required=True)


class MeOut(Schema):
    id = String(required=True)
    email = String(required=True)
    photo_count = Integer(required=True)
    storage_bytes = Integer(required=True)
    # issue 12 (API.md "Accounts and limits")
    quota_bytes = Integer(required=True, allow_none=True, metadata={
        "description": "The most bytes of originals the user may store (507 quota_exceeded past it); null: no quota"})
    trash_count = Integer(required=True, metadata={"description": "Photos in the trash (they count until purged)"})


class HealthOut(Schema):
    status = String(required=True)
    backend = String(required=True)
    model = String(required=True)


class PhotoListQuery(Schema):
    limit = Integer(load_default=50, validate=Range(min=1, max=200))
    cursor = String(load_default=None, allow_none=True, validate=Length(max=2000))
    status = String(load_default=None, allow_none=True,
                    validate=OneOf(["uploaded", "processing", "done", "needs_input", "failed"]))


class UploadForm(Schema):
    file = File(required=True, metadata={"description": "One photo: JPEG, PNG, WebP, HEIC/HEIF, TIFF, GIF or MPO",
                                         "minLength": 1})
    album_id = String(validate=Length(min=1, max=100), metadata={"description": "Add the photo to this album"})


class LocationIn(Schema):
    lat = Float(required=True, validate=Range(min=-90, max=90))
    lon = Float(required=True, validate=Range(min=-180, max=180))


# ISO 8601 date-time, offset optional (a camera without a zone gives a naive time, kept as given)
TAKEN_AT_PATTERN = (r"^(?!0000)\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
                    r"[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"
                    r"(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$")


class PhotoPatchIn(Schema):
    title = String(allow_none=True, validate=Length(max=500))
    description = String(allow_none=True, validate=Length(max=10_000))
    taken_at = String(allow_none=True, validate=[Length(min=1, max=40), Regexp(TAKEN_AT_PATTERN)],
                      metadata={"description": "ISO 8601; a naive time is kept as given"})
    location = Nested(LocationIn, allow_none=True)
    rating = Integer(strict=True, allow_none=True, validate=Range(min=0, max=5), metadata={"description": "0-5 stars"})


class ThumbnailQuery(Schema):
    size = String(load_default="small", validate=OneOf(["small", "large"]))


class PageQuery(Schema):
    limit = Integer(load_default=50, validate=Range(min=1, max=200))
    cursor = String(load_default=None, allow_none=True, validate=Length(max=2000))


# --- findability: search, map, albums, questions ---------------------------------------------------------


class SearchParamsQuery(Schema):
    """Search parameters of API.md (all optional, AND). Values are checked again by domain.search's parser,
    which says precisely what is wrong (bad bbox, near, dates...)."""

    q = String(validate=Length(max=500), metadata={"description": "Free text: labels, categories, places, camera, "
                                                   "title, description, answers, people's names ('dogs' finds dog)"})
    label = List(String(validate=Length(min=1, max=100)), metadata={"description": "Object label (repeatable)"})
    min_confidence = Float(validate=Range(min=0, max=1), metadata={"description": "For label; default 0.25"})
    category = String(validate=Length(max=100))
    place = String(validate=Length(max=200), metadata={"description": "City, region, country or country code"})
    date_from = String(data_key="from", validate=Length(max=10), metadata={"description": "YYYY-MM-DD (inclusive)"})
    date_to = String(data_key="to", validate=Length(max=10), metadata={"description": "YYYY-MM-DD (inclusive)"})
    bbox = String(validate=Length(max=200), metadata={"description": "min_lon,min_lat,max_lon,max_lat"})
    near = String(validate=Length(max=100), metadata={"description": "lat,lon"})
    radius_km = Float(metadata={"description": "Radius around near; default 10"})
    album_id = String(validate=Length(max=100))
    camera = String(validate=Length(max=200))
    status = String(validate=OneOf(["uploaded", "processing", "done", "needs_input", "failed"]))
    person = String(validate=Length(max=100), metadata={"description": "A person's name (as you named them)"})


class SearchPageQuery(SearchParamsQuery):
    limit = Integer(load_default=50, validate=Range(min=1, max=200))
    cursor = String(load_default=None, allow_none=True, validate=Length(max=2000))


class MapQuery(SearchParamsQuery):
    limit = Integer(load_default=10_000, validate=Range(min=1, max=10_000))


class PointOut(Schema):
    type = String(required=True, metadata={"example": "Point"})
    coordinates = List(Float(), required=True, metadata={"description": "[lon, lat]"})


class MarkerPropertiesOut(Schema):
    id = String(required=True)
    thumbnail_url = String(required=True)
    taken_at = String(allow_none=True)
    labels = List(String())


class FeatureOut(Schema):
    type = String(required=True, metadata={"example": "Feature"})
    geometry = Nested(PointOut, required=True)
    properties = Nested(MarkerPropertiesOut, required=True)


class FeatureCollectionOut(Schema):
    type = String(required=True, metadata={"example": "FeatureCollection"})
    features = List(Nested(FeatureOut), required=True)


class AlbumIn(Schema):
    name = String(required=True, validate=Length(min=1, max=200))
    description = String(allow_none=True, validate=Length(max=5000))


class AlbumPatchIn(Schema):
    name = String(validate=Length(min=1, max=200))
    description = String(allow_none=True, validate=Length(max=5000))
    cover_photo_id = String(allow_none=True, validate=Length(max=100))


class AlbumPhotosIn(Schema):
    photo_ids = List(String(validate=Length(min=1, max=100)), required=True, validate=Length(min=1, max=500))


class AlbumPhotosQuery(Schema):
    limit = Integer(load_default=50, validate=Range(min=1, max=200))
    cursor = String(load_default=None, allow_none=True, validate=Length(max=2000))


class QuestionListQuery(Schema):
    limit = Integer(load_default=50, validate=Range(min=1, max=200))
    cursor = String(load_default=None, allow_none=True, validate=Length(max=2000))
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

# --- people -------------------------------------------------------------------------------------------------


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


class FaceSettingsIn(Schema):
    face_grouping = Boolean(required=True, metadata={"description": "false deletes every face, person and face "
                                                                      "crop of yours at once"})


# --- accounts and limits (issue 12): password change, account deletion ------------------------------------


class PasswordChangeIn(Schema):
    current_password = String(required=True, validate=Length(max=4096))
    new_password = String(required=True, validate=Length(min=8, max=1024))


class AccountDeleteIn(Schema):
    password = String(required=True, validate=Length(max=4096))


# --- search that reads a sentence (issue 17): how q was read ---------------------------------------------

class InterpretationPartOut(Schema):
    kind = String(required=True, metadata={"description": "labels, any_labels, not_labels, categories, place, "
                                                         "date, people or words"})
    value = Raw(required=True, metadata={"description": "A name, a list of names, or [from, to] for a date"})
    phrase = String(required=True, metadata={"description": "The words of q it was read from"})


class InterpretationOut(Schema):
    labels = List(String(), required=True, metadata={"description": "Labels every match has"})
    not_labels = List(String(), required=True, metadata={"description": "Labels no match has (at min_confidence)"})
    categories = List(String(), required=True)
    place = String(required=True, allow_none=True)
    date_from = String(data_key="from", attribute="from", required=True, allow_none=True,
                       metadata={"description": "YYYY-MM-DD"})
    date_to = String(data_key="to", attribute="to", required=True, allow_none=True,
                     metadata={"description": "YYYY-MM-DD"})
    people = List(String(), required=True, metadata={"description": "Named people on every match"})
    text = List(String(), required=True, metadata={"description": "Words to find in the photo (text=)"})
    words = List(String(), required=True, metadata={"description": "Leftover words: each matches somewhere"})
    any_labels = List(List(String()), required=True,
                      metadata={"description": "Hypernyms ('pets'): at least one label of each group"})
    parts = List(Nested(InterpretationPartOut), required=True, metadata={"description": "Each reading, in q's order"})


class SearchPage(PhotoPage):  # type: ignore[misc, valid-type]
    interpretation = Nested(InterpretationOut, required=True, metadata={"description": "What q was read as"})


__all__ = [name for name in dir() if name.endswith(("Out", "Page", "Query", "In"))] + ["Boolean", "Dict"]
