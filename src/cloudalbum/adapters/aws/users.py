"""DynamoDB users and their sign-in (the UserStore port): the user item and its email item (unique emails),
sessions and refresh tokens (expired by TTL), and the throttling counters (docs/dynamodb.md)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from ...domain.errors import Conflict, NotFound
from ...domain.model import User, to_dict
from ...ports import RefreshToken, Session
from . import keys as K
from .table import N, S, Table, av_key, cancellation_codes, item_key, n, s

TTL_SLACK_S = 24 * 3600  # items outlive their expiry by a day before DynamoDB's TTL may remove them


def epoch_of(value: str) -> int:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())


class DynamoUsers:
    """Users (unique email by a second item in one transaction), sessions, refresh tokens, throttling."""

    def __init__(self, table: Table) -> None:
        self.table, self.client = table, table.client

    def add_user(self, user: User) -> None:
        doc = S(json.dumps(to_dict(user)))
        items = [{**av_key(K.user_key(user.id)), "doc": doc}, {**av_key(K.email_key(user.email)), "doc": doc}]
        try:
            self.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table.name, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
                for item in items])
        except self.client.exceptions.TransactionCanceledException as exc:
            if "ConditionalCheckFailed" in cancellation_codes(exc):
                raise Conflict("an account with this email already exists", code="email_taken") from exc
            raise self.table.unavailable(exc) from exc

    def user_by_email(self, email: str) -> User | None:
        item = self.table.get(K.email_key(email))
        return User(**json.loads(item["doc"]["S"])) if item else None

    def user_by_id(self, user_id: str) -> User | None:
        item = self.table.get(K.user_key(user_id))
        return User(**json.loads(item["doc"]["S"])) if item else None

    def timezone_of(self, user_id: str) -> str | None:
        """An attribute of the user item beside its doc (the email item's copy of the doc need not follow)."""
        item = self.table.get(K.user_key(user_id))
        return s(item, "timezone") if item else None

    def set_timezone(self, user_id: str, timezone: str | None) -> None:
        update, values = ("SET #tz = :tz", {":tz": S(timezone)}) if timezone else ("REMOVE #tz", None)
        params: dict[str, Any] = {"TableName": self.table.name, "Key": av_key(K.user_key(user_id)),
                                  "UpdateExpression": update, "ConditionExpression": "attribute_exists(PK)",
                                  "ExpressionAttributeNames": {"#tz": "timezone"}}
        if values:
            params["ExpressionAttributeValues"] = values
        try:
            self.client.update_item(**params)
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise NotFound("No such user.") from exc

    def add_session(self, session: Session) -> None:
        self.client.put_item(TableName=self.table.name, Item={
            **av_key(K.session_key(session.id)), "doc": S(json.dumps(dataclasses.asdict(session))),
            "revoked": {"BOOL": bool(session.revoked)},
            "GSI1PK": S(K.user_auth_pk(session.user_id)), "GSI1SK": S(f"SESSION#{session.id}"),
            K.TTL_ATTRIBUTE: N(epoch_of(session.expires_at) + TTL_SLACK_S)})

    def get_session(self, session_id: str) -> Session | None:
        item = self.table.get(K.session_key(session_id))
        if item is None:
            return None
        session = Session(**json.loads(item["doc"]["S"]))
        session.revoked = bool(item.get("revoked", {}).get("BOOL", False))
        return session

    def revoke_session(self, session_id: str) -> None:
        try:
            self.client.update_item(TableName=self.table.name, Key=av_key(K.session_key(session_id)),
                                    UpdateExpression="SET revoked = :t", ConditionExpression="attribute_exists(PK)",
                                    ExpressionAttributeValues={":t": {"BOOL": True}})
        except self.client.exceptions.ConditionalCheckFailedException:
            pass  # no such session: nothing to revoke

    def add_refresh_token(self, token: RefreshToken) -> None:
        self.client.put_item(TableName=self.table.name, Item={
            **av_key(K.token_key(token.jti)), "doc": S(json.dumps(dataclasses.asdict(token))),
            "used": {"BOOL": bool(token.used)}, K.TTL_ATTRIBUTE: N(epoch_of(token.expires_at) + TTL_SLACK_S),
            "GSI1PK": S(K.user_auth_pk(token.user_id)), "GSI1SK": S(f"TOKEN#{token.jti}")})

    def use_refresh_token(self, jti: str) -> RefreshToken | None:
        """One conditional update: of two concurrent uses exactly one sees used = false."""
        try:
            resp = self.client.update_item(
                TableName=self.table.name, Key=av_key(K.token_key(jti)), UpdateExpression="SET used = :t",
                ConditionExpression="attribute_exists(PK) AND used = :f",
                ExpressionAttributeValues={":t": {"BOOL": True}, ":f": {"BOOL": False}}, ReturnValues="ALL_NEW")
        except self.client.exceptions.ConditionalCheckFailedException:
            return None
        token = RefreshToken(**json.loads(resp["Attributes"]["doc"]["S"]))
        token.used = True
        return token

    # --- throttling: ADD counters per time bucket ------------------------------------------------------------

    def hit(self, key: str, *, window_s: int, now: float) -> int:
        """Count one event: an atomic ADD on the counter of now's bucket, then the sum of the key's buckets in
        the window (one consistent Query). The ADD lands before the read, so of concurrent callers each sees
        its own event and every earlier one: the count never runs behind (no check-then-count race). A few
        items per key whatever the rate (a flood only grows a number), each expired by TTL."""
        bucket = K.hits_bucket(now, window_s)
        self.client.update_item(
            TableName=self.table.name, Key=av_key({"PK": K.hits_pk(key), "SK": K.hits_sk(bucket)}),
            UpdateExpression="ADD n :one SET #ttl = :ttl", ExpressionAttributeNames={"#ttl": K.TTL_ATTRIBUTE},
            ExpressionAttributeValues={":one": N(1), ":ttl": N(int(now + 2 * window_s) + 1)})
        return self.hit_count(key, window_s=window_s, now=now)

    def unhit(self, key: str, *, window_s: int, now: float) -> None:
        """Take back one event counted at `now` (ADD -1 on its bucket, never below zero)."""
        try:
            bucket = K.hits_sk(K.hits_bucket(now, window_s))
            self.client.update_item(
                TableName=self.table.name, Key=av_key({"PK": K.hits_pk(key), "SK": bucket}),
                UpdateExpression="ADD n :minus", ConditionExpression="n > :zero",
                ExpressionAttributeValues={":minus": N(-1), ":zero": N(0)})
        except self.client.exceptions.ConditionalCheckFailedException:
            pass  # cleared meanwhile: nothing to take back

    def hit_count(self, key: str, *, window_s: int, now: float) -> int:
        """The events of the buckets that overlap the last window_s, without adding one (one Query)."""
        since = K.hits_sk(K.hits_bucket(now - window_s, window_s))
        return sum(int(n(it, "n")) for it in self.table.query(pk=K.hits_pk(key), sk_cond="#sk >= :since",
                                                              values={":since": S(since)}, consistent=True))

    def clear_hits(self, key: str) -> None:
        keys = [item_key(it) for it in self.table.query(pk=K.hits_pk(key), consistent=True)]
        self.table.batch_write(deletes=keys)

    # --- accounts (issue 12): password change, sign-out everywhere, deletion ----------------------------------

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """The hash lives in both the user item and the email item (one transaction, both must exist)."""
        user = self.user_by_id(user_id)
        if user is None:
            raise NotFound("no such user")
        doc = S(json.dumps(to_dict(dataclasses.replace(user, password_hash=password_hash))))
        self.client.transact_write_items(TransactItems=[
            {"Update": {"TableName": self.table.name, "Key": av_key(key), "UpdateExpression": "SET doc = :d",
                        "ConditionExpression": "attribute_exists(PK)", "ExpressionAttributeValues": {":d": doc}}}
            for key in (K.user_key(user_id), K.email_key(user.email))])

    def _auth_items(self, user_id: str) -> list[dict[str, Any]]:
        """The user's session and refresh-token items (GSI1 `AUTH#<user>`; a GSI read is eventually
        consistent: a session made in the same instant may be missed, as with any concurrent sign-in)."""
        return list(self.table.query(index="GSI1", pk_name="GSI1PK", pk=K.user_auth_pk(user_id), sk_name="GSI1SK",
                                     page=1000))

    def revoke_user_sessions(self, user_id: str, *, keep: str | None = None) -> None:
        for item in self._auth_items(user_id):
            sk = s(item, "GSI1SK") or ""
            if sk.startswith("SESSION#") and sk != f"SESSION#{keep}":
                self.revoke_session(sk[len("SESSION#"):])

    def delete_user(self, user_id: str) -> None:
        """The user and email items first (sign-in fails from here on), then sessions and refresh tokens."""
        user = self.user_by_id(user_id)
        keys = [K.user_key(user_id)] + ([K.email_key(user.email)] if user else [])
        self.table.batch_write(deletes=keys)
        self.table.batch_write(deletes=[item_key(it) for it in self._auth_items(user_id)])
