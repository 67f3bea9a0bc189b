"""Photos: the {photo} shape of API.md, its upload form, edits and list queries."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Dict, File, Float, Integer, List, Nested, String
from apiflask.validators import Length, OneOf, Range, Regexp

from .common import PageQuery


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
    source = String(metadata={"description": "exif, user, inferred (from photos taken before and after) or track"})
    place = Nested(PlaceOut, allow_none=True)
    confidence = Float(allow_none=True, metadata={"description": "0..1 for an inferred place, else null"})


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


class TextBoxOut(Schema):
    x = Float()
    y = Float()
    w = Float()
    h = Float()


class TextLineOut(Schema):
    text = String(required=True)
    confidence = Float(required=True, metadata={"description": "0..1, the recognizer's mean character score"})
    box = Nested(TextBoxOut, required=True, metadata={"description": "Pixels of the upright image"})


class PhotoTextOut(Schema):
    lines = List(Nested(TextLineOut), required=True, metadata={"description": "In reading order; [] = none"})
    model = String(required=True, metadata={"description": "The text reader's models and their versions"})


class PhotoOut(Schema):
    id = String(required=True)
    filename = String()
    status = String(required=True)
    error = String(allow_none=True)
    content_type = String()
    bytes = Integer()
    width = Integer(allow_none=True)
    height = Integer(allow_none=True)
    taken_at = String(allow_none=True, metadata={
        "description": "The camera's (or the user's) wall time as given, with its UTC offset when one is known"})
    taken_offset_source = String(allow_none=True, metadata={
        "description": "Where processing found taken_at's offset: exif (OffsetTimeOriginal), gps_time (the GPS "
                       "time stamp), gps_zone (the time zone at the GPS position), account (the account's time "
                       "zone); null for a naive time, a time the user set, or one that came with its offset"})
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
    text = Nested(PhotoTextOut, allow_none=True, metadata={"description": "Text read in the photo; null: not read"})
    match = Nested(MatchOut)
    # Move in, move out (issue 19)
    rating = Integer(allow_none=True, metadata={"description": "The user's 0-5 rating (XMP, PATCH)"})
    people_hint = List(String(), metadata={"description": "People named by an imported sidecar (Takeout)"})
    thumbnails = Dict(keys=String(), values=String(), allow_none=True,
                      metadata={"description": "size -> versioned thumbnail URL (cacheable); null before processing"})
    duplicate = Boolean(metadata={"description": "Upload only: true when these bytes were already a photo "
                                                 "of the user (200, nothing stored)"})
    trashed_at = String(allow_none=True, metadata={"description": "When the photo was moved to the trash "
                                                                  "(GET /api/trash); null in the library"})


class PhotoPage(Schema):
    """A page of photos (a class, not page_of, so that SearchPage can extend it)."""

    items = List(Nested(PhotoOut), required=True)
    next_cursor = String(allow_none=True)


class PhotoListQuery(PageQuery):
    status = String(load_default=None, allow_none=True,
                    validate=OneOf(["uploaded", "processing", "done", "needs_input", "failed"]))


class DeleteQuery(Schema):
    permanent = Boolean(load_default=False, metadata={"description": "Delete at once (from the library or the "
                                                                     "trash) instead of moving to the trash"})


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
    v = Integer(load_default=None, strict=False, validate=Range(min=0), metadata={
        "description": "The photo's version (from {photo}.thumbnails): when current, the answer is cacheable"})
