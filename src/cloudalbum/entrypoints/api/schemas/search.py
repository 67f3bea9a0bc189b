"""Search and map: the search parameters of API.md, the GeoJSON of the map and how q was read."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Boolean, Float, Integer, List, Nested, Raw, String
from apiflask.validators import Length, OneOf, Range

from .photos import PhotoPage


class SearchParamsQuery(Schema):
    """Search parameters of API.md (all optional, AND). Values are checked again by search_params, which
    says precisely what is wrong (bad bbox, near, dates...)."""

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
    undated = Boolean(metadata={"description": "Only photos without a taken time (the gallery's last section)"})
    text = String(validate=Length(max=500), metadata={"description": "Words read in the photo: whole words, case "
                                                      "and accents ignored, every one must be there"})


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


class SearchPage(PhotoPage):
    interpretation = Nested(InterpretationOut, required=True, metadata={"description": "What q was read as"})
