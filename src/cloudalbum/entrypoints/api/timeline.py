"""API routes: the timeline and memories (API.md "Time, place, trips, memories"). Thin: parse, call the service."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from .auth import current_user_id, token_auth
from .context import container
from .schemas.timeline import MemoriesOut, MemoriesQuery, TimelineOut, TimelineQuery
from .search_params import search_query
from .views import photo_json

bp = APIBlueprint("timeline", __name__, url_prefix="/api", tag="Timeline")


@bp.get("/timeline")
@bp.auth_required(token_auth)
@bp.input(TimelineQuery, location="query", arg_name="params")
@bp.output(TimelineOut)
@bp.doc(summary="Photos per month of their local taken day, newest month first (a scrubber's marks); the search "
                "parameters narrow it to the photos a search would find",
        responses={422: "A parameter is not valid (as for GET /api/search)"})
def timeline(params: dict[str, Any]) -> Any:
    service, owner = container().search, current_user_id()
    query, _reading = service.read(owner, search_query(params))
    t = service.timeline(owner, query)
    return {"buckets": [{"month": b.month, "count": b.count} for b in t.buckets], "undated": t.undated}


@bp.get("/memories")
@bp.auth_required(token_auth)
@bp.input(MemoriesQuery, location="query", arg_name="params")
@bp.output(MemoriesOut)
@bp.doc(summary="On this day: photos taken on the date's month and day in earlier years, by year",
        responses={422: "date is not a YYYY-MM-DD date"})
def memories(params: dict[str, Any]) -> Any:
    service = container().search
    day = params["date"] or service.today()
    items = service.memories(current_user_id(), day.isoformat())
    return {"items": [{"years_ago": m.years_ago, "date": m.date, "photos": [photo_json(p) for p in m.photos]}
                      for m in items]}
