"""What every area's schemas share: the error body, pages of items and the limit/cursor query of a page."""

from __future__ import annotations

from apiflask import Schema
from apiflask.fields import Integer, List, Nested, String
from apiflask.validators import Length, Range


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """The page schema of API.md's lists: {"items": [item...], "next_cursor": str | null}, named for the spec."""
    return type(name, (Schema,), {"items": List(Nested(item), required=True),
                                  "next_cursor": String(allow_none=True)})


class ErrorDetail(Schema):
    code = String(required=True)
    message = String(required=True)


class ErrorOut(Schema):
    error = Nested(ErrorDetail, required=True)


class PageQuery(Schema):
    """limit and cursor of a list (API.md "Pagination"); a list's own query adds its filters."""

    limit = Integer(load_default=50, validate=Range(min=1, max=200))
    cursor = String(load_default=None, allow_none=True, validate=Length(max=2000))
