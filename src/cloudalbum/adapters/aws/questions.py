"""DynamoDB follow-up questions (the QuestionStore port): one item each, the question as JSON in `doc`; open
ones in the owner's GSI2 partition by rank, every one in its photo's GSI3 partition (docs/dynamodb.md)."""

from __future__ import annotations

import json
from typing import Any

from ...domain.model import Page, Question, QuestionStatus, question_from_dict, to_dict
from . import cursors as C
from . import keys as K
from .table import S, Table, av_key, cancellation_codes, s

HIDDEN = {"#h": "photo_trashed"}  # an open question of a trashed photo: out of the open list until a restore


def question_item(q: Question) -> dict[str, Any]:
    item: dict[str, Any] = {
        **av_key(K.question_key(q.id)), "owner_id": S(q.owner_id), "photo_id": S(q.photo_id),
        "doc": S(json.dumps(to_dict(q), separators=(",", ":"), ensure_ascii=False)),
        "GSI3PK": S(K.photo_questions_pk(q.photo_id)), "GSI3SK": S(f"{q.created_at}#{q.id}"),
    }
    if q.status == QuestionStatus.OPEN.value:
        item["GSI2PK"] = S(K.open_questions_pk(q.owner_id))
        item["GSI2SK"] = S(K.question_rank(q))
    return item


def question_of(item: dict[str, Any]) -> Question:
    return question_from_dict(json.loads(item["doc"]["S"]))


class DynamoQuestions:
    def __init__(self, table: Table) -> None:
        self.table, self.client = table, table.client

    def add_question(self, question: Question) -> None:
        """Put, with a check in the same transaction that its photo is not in the trash; a question asked about
        a trashed photo (a worker racing the trash) is put hidden, as hide_of_photo leaves the others."""
        item = question_item(question)
        put = {"TableName": self.table.name, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}
        check = {"TableName": self.table.name, "Key": av_key(K.photo_key(question.photo_id)),
                 "ConditionExpression": "attribute_not_exists(trashed_at)"}
        try:
            self.client.transact_write_items(TransactItems=[{"Put": put}, {"ConditionCheck": check}])
            return
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = cancellation_codes(exc)
            if codes[:1] == ["ConditionalCheckFailed"]:
                raise self.client.exceptions.ConditionalCheckFailedException(
                    {"Error": {"Code": "ConditionalCheckFailedException", "Message": "question exists"}},
                    "PutItem") from exc
            if codes[1:2] != ["ConditionalCheckFailed"]:
                raise self.table.unavailable(exc) from exc
        hidden = {k: v for k, v in item.items() if k not in ("GSI2PK", "GSI2SK")}
        self.client.put_item(TableName=self.table.name, Item={**hidden, HIDDEN["#h"]: {"BOOL": True}},
                             ConditionExpression="attribute_not_exists(PK)")

    def get_question(self, question_id: str, owner_id: str) -> Question | None:
        item = self.table.get(K.question_key(question_id))
        if item is None or s(item, "owner_id") != owner_id:
            return None
        return question_of(item)

    def save_question(self, question: Question) -> None:
        """Overwrite, unless the question is gone (deleted with its photo): as SQLite's UPDATE, never resurrects
        it (a worker closing a question of a photo deleted meanwhile, issue 12 item 8). A question hidden with
        its trashed photo stays out of the open list."""
        item = question_item(question)
        try:
            self.client.put_item(TableName=self.table.name, Item=item,
                                 ConditionExpression="attribute_exists(PK) AND attribute_not_exists(#h)",
                                 ExpressionAttributeNames=HIDDEN)
            return
        except self.client.exceptions.ConditionalCheckFailedException:
            pass
        hidden = {k: v for k, v in item.items() if k not in ("GSI2PK", "GSI2SK")}
        try:
            self.client.put_item(TableName=self.table.name, Item={**hidden, HIDDEN["#h"]: {"BOOL": True}},
                                 ConditionExpression="attribute_exists(#h)", ExpressionAttributeNames=HIDDEN)
        except self.client.exceptions.ConditionalCheckFailedException:
            pass

    def hide_of_photo(self, photo_id: str, *, hidden: bool) -> None:
        """A photo moved to the trash (hidden) or back: its open questions leave the owner's open list (the
        sparse GSI2) or return to it. The photo's few questions are read through GSI3."""
        for q in self.questions_for_photo(photo_id):
            values: dict[str, Any]
            if q.status != QuestionStatus.OPEN.value:
                continue
            if hidden:
                update, values = "REMOVE GSI2PK, GSI2SK SET #h = :t", {":t": {"BOOL": True}}
            else:
                update = "SET GSI2PK = :pk, GSI2SK = :sk REMOVE #h"
                values = {":pk": S(K.open_questions_pk(q.owner_id)), ":sk": S(K.question_rank(q))}
            try:
                self.client.update_item(TableName=self.table.name, Key=av_key(K.question_key(q.id)),
                                        UpdateExpression=update, ConditionExpression="attribute_exists(PK)",
                                        ExpressionAttributeNames=HIDDEN, ExpressionAttributeValues=values)
            except self.client.exceptions.ConditionalCheckFailedException:
                pass  # deleted meanwhile

    def open_questions(self, owner_id: str, *, photo_id: str | None = None, limit: int = 50,
                       cursor: str | None = None) -> Page:
        """Highest score first (then oldest); with photo_id, from the photo's few questions."""
        limit = max(1, limit)
        after = C.decode_position(cursor) if cursor else None
        if photo_id is not None:
            ranked = sorted(((K.question_rank(q), q) for q in self.questions_for_photo(photo_id)
                             if q.owner_id == owner_id and q.status == QuestionStatus.OPEN.value),
                            key=lambda t: t[0], reverse=True)
            rows = [(rank, q) for rank, q in ranked if after is None or rank < after][:limit + 1]
        else:
            items, next_cursor = self.table.gsi_page("GSI2", K.open_questions_pk(owner_id), limit=limit,
                                                     cursor=cursor)
            return Page([question_of(it) for it in items], next_cursor)
        more, rows = len(rows) > limit, rows[:limit]
        return Page([q for _, q in rows], C.encode_cursor(rows[-1][0]) if more else None)

    def questions_for_photo(self, photo_id: str) -> list[Question]:
        """Every question about the photo (any status), oldest first."""
        return [question_of(it) for it in self.table.query(index="GSI3", pk_name="GSI3PK",
                                                           pk=K.photo_questions_pk(photo_id), sk_name="GSI3SK")]

    def delete_of_photo(self, photo_id: str) -> None:
        """delete_photo's part: every question about the photo."""
        keys = [K.question_key(q.id) for q in self.questions_for_photo(photo_id)]
        self.table.batch_write(deletes=keys)
