"""API routes: search (see ../shared/API.md). Thin: parse, call SearchService, present."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from .auth import current_user_id, token_auth
from .context import container
from .schemas import SearchPage, SearchPageQuery
from .search_params import search_query
from .views import page_json, photo_json

bp = APIBlueprint("search", __name__, url_prefix="/api", tag="Search")


@bp.get("/search")
@bp.auth_required(token_auth)
@bp.input(SearchPageQuery, location="query", arg_name="params")
@bp.output(SearchPage)
@bp.doc(summary="Find photos: every parameter optional, all combine with AND; each hit says why it matched. "
                "q is read as a sentence (dates, 'in <place>', people, labels and their synonyms, 'without ...'): "
                "the page's interpretation says how",
        responses={422: "A parameter is not valid (bbox, near, radius_km, dates, min_confidence...)"})
def search(params: dict[str, Any]) -> Any:
    service, owner = container().search, current_user_id()
    query, reading = service.read(owner, search_query(params))
    page = service.search(owner, query, limit=params["limit"], cursor=params.get("cursor"))
    body = page_json([photo_json(hit.photo, reasons=hit.reasons) for hit in page.items], page.next_cursor)
    return {**body, "interpretation": reading.to_json()}
