"""Schemas of the timeline and memories (API.md "Time, place, trips, memories")."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Date, Integer, List, Nested, String

from .photos import PhotoOut
from .search import SearchParamsQuery


class TimelineQuery(SearchParamsQuery):
    """The search parameters: the timeline of the photos a search with them would find."""


class MonthOut(Schema):
    month = String(required=True, metadata={"example": "2014-09", "description": "YYYY-MM of the local taken day"})
    count = Integer(required=True)


class TimelineOut(Schema):
    buckets = List(Nested(MonthOut), required=True, metadata={"description": "Newest month first; no empty months"})
    undated = Integer(required=True, metadata={"description": "Photos without a taken time"})


class MemoriesQuery(Schema):
    date = Date(load_default=None, metadata={"description": "YYYY-MM-DD; default today"})


class MemoryOut(Schema):
    years_ago = Integer(required=True)
    date = String(required=True, metadata={"description": "YYYY-MM-DD: the day they were taken"})
    photos = List(Nested(PhotoOut), required=True)


class MemoriesOut(Schema):
    items = List(Nested(MemoryOut), required=True, metadata={"description": "Most recent year first; none on a "
                                                                            "day without any"})
