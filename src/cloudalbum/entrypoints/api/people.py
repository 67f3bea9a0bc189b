"""API routes: people (faces grouped into people, named once) and the owner's face setting. Thin: parse, call
PeopleService, present. Another user's person or face is answered exactly like a missing one (404)."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from apiflask.schemas import EmptySchema
from flask import redirect, send_file

from .auth import current_user_id, token_auth
from .context import container
from .photos import BINARY
from .schemas import (
    FacePage,
    FaceSettingsIn,
    FaceSettingsOut,
    PageQuery,
    PersonMergeIn,
    PersonOut,
    PersonPage,
    PersonPatchIn,
    PhotoPage,
)
from .views import face_json, page_json, person_json, photo_json

bp = APIBlueprint("people", __name__, url_prefix="/api", tag="People")

NOT_FOUND = {404: "No such person (or not yours)"}


def _page_args(query: dict[str, Any]) -> dict[str, Any]:
    return {"limit": query["limit"], "cursor": query.get("cursor")}


@bp.get("/people")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(PersonPage)
@bp.doc(summary="The people in your photos, most photos first (name, photo count, cover face)")
def list_people(query: dict[str, Any]) -> Any:
    page = container().people.list(current_user_id(), **_page_args(query))
    return page_json([person_json(p) for p in page.items], page.next_cursor)


@bp.get("/people/<person_id>")
@bp.auth_required(token_auth)
@bp.output(PersonOut)
@bp.doc(summary="One person", responses=NOT_FOUND)
def get_person(person_id: str) -> Any:
    return person_json(container().people.get(current_user_id(), person_id))


@bp.get("/people/<person_id>/photos")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(PhotoPage)
@bp.doc(summary="The photos this person is in, newest taken first", responses=NOT_FOUND)
def person_photos(person_id: str, query: dict[str, Any]) -> Any:
    page = container().people.photos(current_user_id(), person_id, **_page_args(query))
    return page_json([photo_json(hit.photo, reasons=hit.reasons) for hit in page.items], page.next_cursor)


@bp.get("/people/<person_id>/faces")
@bp.auth_required(token_auth)
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(FacePage)
@bp.doc(summary="This person's faces, oldest first (to find one that is someone else)", responses=NOT_FOUND)
def person_faces(person_id: str, query: dict[str, Any]) -> Any:
    page = container().people.faces(current_user_id(), person_id, **_page_args(query))
    return page_json([face_json(f) for f in page.items], page.next_cursor)


@bp.patch("/people/<person_id>")
@bp.auth_required(token_auth)
@bp.input(PersonPatchIn, arg_name="body")
@bp.output(PersonOut)
@bp.doc(summary="Name a person (every photo of them, now and later, is found by the name). A name another "
                "person already has merges the two; the answer is the person kept",
        responses={409: "Changed concurrently; try again", 422: "Not a valid name", **NOT_FOUND})
def rename_person(person_id: str, body: dict[str, Any]) -> Any:
    return person_json(container().people.rename(current_user_id(), person_id, body.get("name")))


@bp.post("/people/<person_id>/merge")
@bp.auth_required(token_auth)
@bp.input(PersonMergeIn, arg_name="body")
@bp.output(PersonOut)
@bp.doc(summary="These people are one: their faces join this person, who keeps its name",
        responses={404: "No such person (this one or one of person_ids)", 422: "No other person given"})
def merge_people(person_id: str, body: dict[str, Any]) -> Any:
    return person_json(container().people.merge(current_user_id(), person_id, body["person_ids"]))


@bp.delete("/people/<person_id>/faces/<face_id>")
@bp.auth_required(token_auth)
@bp.output(EmptySchema, status_code=204)
@bp.doc(summary="This face is not this person: it leaves for good and joins whoever it resembles (or a new "
                "person)", responses={404: "No such person, or the face is not in it"})
def remove_face(person_id: str, face_id: str) -> Any:
    container().people.remove_face(current_user_id(), person_id, face_id)
    return "", 204


@bp.get("/faces/<face_id>/thumbnail")
@bp.auth_required(token_auth)
@bp.output(BINARY, content_type="image/jpeg", description="A square JPEG of the face, without metadata")
@bp.doc(summary="A face crop (or 302 to a signed URL)",
        responses={302: "Redirect to a signed URL", 404: "No such face (or not yours)"})
def face_thumbnail(face_id: str) -> Any:
    key, url = container().people.face_crop(current_user_id(), face_id)
    if url:
        return redirect(url, code=302)
    resp = send_file(container().photos.open_blob(key), mimetype="image/jpeg", download_name=f"face-{face_id}.jpg",
                     as_attachment=False, etag=False, conditional=False, max_age=0)
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/me/settings")
@bp.auth_required(token_auth)
@bp.output(FaceSettingsOut)
@bp.doc(summary="Your settings (face grouping, time zone)")
def get_settings() -> Any:
    return _settings(current_user_id())


def _settings(uid: str) -> dict[str, Any]:
    return {"face_grouping": container().people.enabled_for(uid), "timezone": container().accounts.timezone(uid)}


@bp.patch("/me/settings")
@bp.auth_required(token_auth)
@bp.input(FaceSettingsIn, arg_name="body")
@bp.output(FaceSettingsOut)
@bp.doc(summary="Turn face grouping on or off (off deletes all your face data: faces, people, face crops); set "
                "your time zone (IANA)",
        responses={422: "face_grouping is not a boolean, timezone not an IANA zone, or neither is given",
                   429: "Too many face scans started this hour; see Retry-After"})
def patch_settings(body: dict[str, Any]) -> Any:
    uid = current_user_id()
    if "timezone" in body:  # first: an unknown zone is a 422 before face grouping changes
        container().accounts.set_timezone(uid, body["timezone"])
    if "face_grouping" in body:
        container().people.set_enabled(uid, body["face_grouping"])
    return _settings(uid)
