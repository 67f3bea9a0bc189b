"""API routes: follow-up questions (see ../shared/API.md). Answers become searchable metadata at once."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from apiflask.schemas import EmptySchema

from .auth import current_user_id, token_auth
from .context import container
from .schemas import AnswerIn, AnswerResultOut, QuestionListQuery, QuestionPage
from .views import page_json, photo_json, question_json

bp = APIBlueprint("questions", __name__, url_prefix="/api", tag="Questions")

NOT_FOUND = {404: "No such question (or not yours)"}


@bp.get("/questions")
@bp.auth_required(token_auth)
@bp.input(QuestionListQuery, location="query", arg_name="query")
@bp.output(QuestionPage)
@bp.doc(summary="Open questions about your photos, most useful first (each says why we ask)")
def list_questions(query: dict[str, Any]) -> Any:
    page = container().questions.list_open(current_user_id(), photo_id=query.get("photo_id"),
                                           limit=query["limit"], cursor=query.get("cursor"))
    return page_json([question_json(q) for q in page.items], page.next_cursor)


@bp.post("/questions/<question_id>/answer")
@bp.auth_required(token_auth)
@bp.input(AnswerIn, arg_name="body")
@bp.output(AnswerResultOut)
@bp.doc(summary="Answer (free text or one of the choices); apply_to gives the same answer to more photos. "
                "\"Who is this?\" about a person (person_id set): a name names them on every photo; the choice "
                "\"not the same person\" with face_ids splits those faces off; \"don't ask again\" stops asking",
        responses={404: "No such question or photo (or not yours)", 409: "Already answered or dismissed",
                   422: "Not a valid answer (unknown place, bad date, not one of the choices)"})
def answer(question_id: str, body: dict[str, Any]) -> Any:
    question, photos = container().questions.answer(
        current_user_id(), question_id, answer=body.get("answer"), choice=body.get("choice"),
        apply_to=body.get("apply_to"), face_ids=body.get("face_ids"))
    return {"question": question_json(question), "photos": [photo_json(p) for p in photos]}


@bp.post("/questions/<question_id>/dismiss")
@bp.auth_required(token_auth)
@bp.output(EmptySchema, status_code=204)
@bp.doc(summary="Do not ask this again", responses=NOT_FOUND)
def dismiss(question_id: str) -> Any:
    container().questions.dismiss(current_user_id(), question_id)
    return "", 204
