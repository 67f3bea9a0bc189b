"""API routes: the timeline (API.md "Time, place, trips, memories"). Thin: parse, call SearchService, present."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from .auth import current_user_id, token_auth
from .context import container
from .schemas.timeline import TimelineOut, TimelineQuery
from .search_params import search_query

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
