"""MetadataStore on DynamoDB (the AWS shape): one table, three overloaded GSIs, search index items.

The design and its every access pattern: docs/dynamodb.md. Keys: dynamodb_keys.py. Albums, questions and
search: dynamodb_findability.py. Faces and people: dynamodb_faces.py. Consistency in brief: a photo item is
written with a condition on its version (optimistic, ConcurrentUpdate when another writer won); its search
index items are derived from it and written after it in batches, and every read through an index re-checks the
photo itself, so an index item that is stale (a crash between the two writes, a race) never yields a wrong
answer and is cleaned when met.
"""

from __future__ import annotations

from typing import Self

import dataclasses
import itertools
import json
import secrets
from datetime import datetime, timezone
from typing import Any, Callable

from ...config import Settings
from ...domain.errors import ConcurrentUpdate, Conflict, NotFound
from ...domain.model import Page, Photo, User, iso, photo_from_dict, to_dict
from ...ports import PendingBlobs, RefreshToken, Session
from . import keys as K
from .table import N, S, DynamoBase, GuardedClient, av_key, cancellation_codes, n, s
from .faces import DynamoFacesMixin
from .findability import DynamoAlbumsMixin, DynamoQuestionsMixin, DynamoSearchMixin
from .limits import DynamoLimitsMixin
from .shares import DynamoSharingMixin
from .blobstore import aws_client, error_code

TTL_SLACK_S = 24 * 3600  # items outlive their expiry by a day before DynamoDB's TTL may remove them
MAX_DELETE_RETRIES = 5


def album_ids(item: dict[str, Any]) -> list[str]:
    """The photo item's album ids, oldest membership first (`albums` maps album id -> time it was added)."""
    members = item.get("albums", {}).get("M", {})
    return [a for a, _ in sorted(members.items(), key=lambda kv: (kv[1].get("S", ""), kv[0]))]


def epoch_of(value: str) -> int:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def utc_iso(value: str) -> str:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return iso(dt.astimezone(timezone.utc))


class DynamoUsersMixin(DynamoBase):
    """Users (unique email by a second item in one transaction), sessions, refresh tokens, throttling."""

    def add_user(self, user: User) -> None:
        doc = S(json.dumps(to_dict(user)))
        items = [{**av_key(K.user_key(user.id)), "doc": doc}, {**av_key(K.email_key(user.email)), "doc": doc}]
        try:
            self.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
                for item in items])
        except self.client.exceptions.TransactionCanceledException as exc:
            if "ConditionalCheckFailed" in cancellation_codes(exc):
                raise Conflict("an account with this email already exists", code="email_taken") from exc
            raise self._unavailable(exc) from exc

    def user_by_email(self, email: str) -> User | None:
        item = self._get(K.email_key(email))
        return User(**json.loads(item["doc"]["S"])) if item else None

    def user_by_id(self, user_id: str) -> User | None:
        item = self._get(K.user_key(user_id))
        return User(**json.loads(item["doc"]["S"])) if item else None

    def add_session(self, session: Session) -> None:
        self.client.put_item(TableName=self.table, Item={
            **av_key(K.session_key(session.id)), "doc": S(json.dumps(dataclasses.asdict(session))),
            "revoked": {"BOOL": bool(session.revoked)},
            "GSI1PK": S(K.user_auth_pk(session.user_id)), "GSI1SK": S(f"SESSION#{session.id}"),
            K.TTL_ATTRIBUTE: N(epoch_of(session.expires_at) + TTL_SLACK_S)})

    def get_session(self, session_id: str) -> Session | None:
        item = self._get(K.session_key(session_id))
        if item is None:
            return None
        session = Session(**json.loads(item["doc"]["S"]))
        session.revoked = bool(item.get("revoked", {}).get("BOOL", False))
        return session

    def revoke_session(self, session_id: str) -> None:
        try:
            self.client.update_item(TableName=self.table, Key=av_key(K.session_key(session_id)),
                                    UpdateExpression="SET revoked = :t", ConditionExpression="attribute_exists(PK)",
                                    ExpressionAttributeValues={":t": {"BOOL": True}})
        except self.client.exceptions.ConditionalCheckFailedException:
            pass  # no such session: nothing to revoke

    def add_refresh_token(self, token: RefreshToken) -> None:
        self.client.put_item(TableName=self.table, Item={
            **av_key(K.token_key(token.jti)), "doc": S(json.dumps(dataclasses.asdict(token))),
            "used": {"BOOL": bool(token.used)}, K.TTL_ATTRIBUTE: N(epoch_of(token.expires_at) + TTL_SLACK_S),
            "GSI1PK": S(K.user_auth_pk(token.user_id)), "GSI1SK": S(f"TOKEN#{token.jti}")})

    def use_refresh_token(self, jti: str) -> RefreshToken | None:
        """One conditional update: of two concurrent uses exactly one sees used = false."""
        try:
            resp = self.client.update_item(
                TableName=self.table, Key=av_key(K.token_key(jti)), UpdateExpression="SET used = :t",
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
            TableName=self.table, Key=av_key({"PK": K.hits_pk(key), "SK": K.hits_sk(bucket)}),
            UpdateExpression="ADD n :one SET #ttl = :ttl", ExpressionAttributeNames={"#ttl": K.TTL_ATTRIBUTE},
            ExpressionAttributeValues={":one": N(1), ":ttl": N(int(now + 2 * window_s) + 1)})
        return self.hit_count(key, window_s=window_s, now=now)

    def unhit(self, key: str, *, window_s: int, now: float) -> None:
        """Take back one event counted at `now` (ADD -1 on its bucket, never below zero)."""
        try:
            self.client.update_item(
                TableName=self.table, Key=av_key({"PK": K.hits_pk(key), "SK": K.hits_sk(K.hits_bucket(now, window_s))}),
                UpdateExpression="ADD n :minus", ConditionExpression="n > :zero",
                ExpressionAttributeValues={":minus": N(-1), ":zero": N(0)})
        except self.client.exceptions.ConditionalCheckFailedException:
            pass  # cleared meanwhile: nothing to take back

    def hit_count(self, key: str, *, window_s: int, now: float) -> int:
        """The events of the buckets that overlap the last window_s, without adding one (one Query)."""
        since = K.hits_sk(K.hits_bucket(now - window_s, window_s))
        return sum(int(n(it, "n")) for it in self._query(pk=K.hits_pk(key), sk_cond="#sk >= :since",
                                                         values={":since": S(since)}, consistent=True))

    def clear_hits(self, key: str) -> None:
        keys = [{"PK": s(it, "PK") or "", "SK": s(it, "SK") or ""}
                for it in self._query(pk=K.hits_pk(key), consistent=True)]
        self._batch_write(deletes=keys)

    # --- accounts (issue 12): password change, sign-out everywhere, deletion ----------------------------------

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """The hash lives in both the user item and the email item (one transaction, both must exist)."""
        user = self.user_by_id(user_id)
        if user is None:
            raise NotFound("no such user")
        doc = S(json.dumps(to_dict(dataclasses.replace(user, password_hash=password_hash))))
        self.client.transact_write_items(TransactItems=[
            {"Update": {"TableName": self.table, "Key": av_key(key), "UpdateExpression": "SET doc = :d",
                        "ConditionExpression": "attribute_exists(PK)", "ExpressionAttributeValues": {":d": doc}}}
            for key in (K.user_key(user_id), K.email_key(user.email))])

    def _auth_items(self, user_id: str) -> list[dict[str, Any]]:
        """The user's session and refresh-token items (GSI1 `AUTH#<user>`; a GSI read is eventually
        consistent: a session made in the same instant may be missed, as with any concurrent sign-in)."""
        return list(self._query(index="GSI1", pk_name="GSI1PK", pk=K.user_auth_pk(user_id), sk_name="GSI1SK",
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
        self._batch_write(deletes=keys)
        self._batch_write(deletes=[{"PK": s(it, "PK") or "", "SK": s(it, "SK") or ""}
                                   for it in self._auth_items(user_id)])

    def delete_owner_data(self, owner_id: str) -> None:
        """Every item of the owner's library: photos (with their index items, questions and faces), albums,
        faces and people, the usage counter and face settings."""
        photo_ids = [(s(it, "PK") or "")[len("PHOTO#"):] for it in self._query(
            index="GSI1", pk_name="GSI1PK", pk=K.owner_photos_pk(owner_id), sk_name="GSI1SK", page=1000)]
        for photo_id in photo_ids:
            self.delete_photo(photo_id)
        for item in list(self._query(index="GSI1", pk_name="GSI1PK", pk=K.owner_albums_pk(owner_id),
                                     sk_name="GSI1SK", page=1000)):
            self.delete_album((s(item, "PK") or "")[len("ALBUM#"):])
        self.delete_face_data(owner_id)
        self._batch_write(deletes=[K.usage_key(owner_id), K.face_settings_key(owner_id)])


class DynamoPhotosMixin(DynamoBase):
    """Photos: one item each (the whole Photo as JSON in `doc`), conditional on `version`."""

    _delete_questions_of: Callable[[str], None]
    _delete_faces_of: Callable[[str], None]

    # --- items ----------------------------------------------------------------------------------------------

    def _photo_attrs(self, photo: Photo) -> dict[str, Any]:
        """The attributes a photo item has besides its key and album set (GSI keys included)."""
        doc = to_dict(photo)
        doc.pop("albums", None)  # membership lives in the item's `albums` set, changed without a version bump
        pos = K.position(photo)
        attrs: dict[str, Any] = {
            "doc": S(json.dumps(doc, separators=(",", ":"), ensure_ascii=False)), "version": N(photo.version),
            "owner_id": S(photo.owner_id), "status": S(photo.status), "bytes": N(int(photo.bytes)),
            "uploaded_at": S(photo.uploaded_at),
            "GSI1PK": S(K.owner_photos_pk(photo.owner_id)), "GSI1SK": S(pos),
            "GSI2PK": S(K.owner_status_pk(photo.owner_id, photo.status)), "GSI2SK": S(pos),
        }
        if photo.status in K.STALE_STATUSES:
            attrs["GSI3PK"] = S(K.stale_pk(photo.status, photo.id))
            attrs["GSI3SK"] = S(f"{utc_iso(photo.uploaded_at)}#{photo.id}")
        return attrs

    @staticmethod
    def _photo_of(item: dict[str, Any]) -> Photo:
        photo = photo_from_dict(json.loads(item["doc"]["S"]))
        photo.version = int(n(item, "version"))
        photo.albums = album_ids(item)
        return photo

    def _write_index(self, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> None:
        """Bring a photo's index items from `old` to `new` (entries of dynamodb_keys.index_entries)."""
        puts = []
        for entry, extra in new.items():
            if old.get(entry) != extra or entry not in old:
                pk, sk = K.split_entry(entry)
                item = {"PK": S(pk), "SK": S(sk), "photo_id": S(K.photo_id_of(sk))}
                if "conf" in extra:
                    item["conf"] = N(float(extra["conf"]))
                puts.append(item)
        deletes = [dict(zip(("PK", "SK"), K.split_entry(e))) for e in old if e not in new]
        self._batch_write(puts=puts, deletes=deletes)

    # --- port -----------------------------------------------------------------------------------------------

    def add_photo(self, photo: Photo, *, reservation: str | None = None) -> None:
        # `albums` maps album id -> when it joined; albums given here join in their order, before later ones
        joined = {a: S(f"{photo.uploaded_at}~{i:04d}") for i, a in enumerate(dict.fromkeys(photo.albums))}
        item = {**av_key(K.photo_key(photo.id)), **self._photo_attrs(photo), "albums": {"M": joined}}
        usage: dict[str, Any] = {"TableName": self.table, "Key": av_key(K.usage_key(photo.owner_id)),
                                 "UpdateExpression": "ADD photo_count :one, stored_bytes :b",
                                 "ExpressionAttributeValues": {":one": N(1), ":b": N(int(photo.bytes))}}
        if reservation is not None:  # the reservation's bytes become the photo's in the same write (issue 12)
            usage["UpdateExpression"] += ", quota_rv :one REMOVE quota_reserved.#r"
            usage["ExpressionAttributeNames"] = {"#r": reservation}
        ops: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Update": usage},
        ]
        if photo.sha256:  # identical bytes once per owner: the claim is part of the record's write
            ops.append({"Put": {"TableName": self.table, "ConditionExpression": "attribute_not_exists(PK)",
                                "Item": {**av_key(K.sha_key(photo.owner_id, photo.sha256)),
                                         "photo_id": S(photo.id)}}})
        try:
            self.client.transact_write_items(TransactItems=ops)
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = cancellation_codes(exc)
            if len(codes) > 2 and codes[2] == "ConditionalCheckFailed":
                raise Conflict("the owner already has a photo with these bytes", code="duplicate_photo") from exc
            if "ConditionalCheckFailed" in codes:
                raise Conflict(f"photo {photo.id} already exists") from exc
            raise self._unavailable(exc) from exc
        self._write_index({}, K.index_entries(photo, photo.albums))
        for album_id in dict.fromkeys(photo.albums):
            self._count_member(album_id, 1)

    def photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None:
        """The owner's photo with these bytes: its SHA# claim item, then the photo (two GetItems, no query)."""
        claim = self._get(K.sha_key(owner_id, sha256))
        return self.get_photo(s(claim, "photo_id"), owner_id) if claim is not None else None

    def _count_member(self, album_id: str, delta: int) -> None:
        """Move an album's photo count (an album that does not exist is left alone)."""
        try:
            self.client.update_item(TableName=self.table, Key=av_key(K.album_key(album_id)),
                                    UpdateExpression="ADD photo_count :d", ConditionExpression="attribute_exists(PK)",
                                    ExpressionAttributeValues={":d": N(delta)})
        except self.client.exceptions.ConditionalCheckFailedException:
            pass

    def get_photo(self, photo_id: str, owner_id: str | None) -> Photo | None:
        item = self._get(K.photo_key(photo_id))
        if item is None or (owner_id is not None and s(item, "owner_id") != owner_id):
            return None
        return self._photo_of(item)

    def save_photo(self, photo: Photo) -> Photo:
        saved = dataclasses.replace(photo, version=photo.version + 1)
        attrs = self._photo_attrs(saved)
        names = {f"#a{i}": name for i, name in enumerate(attrs)}
        values = {f":v{i}": value for i, value in enumerate(attrs.values())}
        update = "SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(attrs)))
        if "GSI3PK" not in attrs:
            names.update({"#g3pk": "GSI3PK", "#g3sk": "GSI3SK"})
            update += " REMOVE #g3pk, #g3sk"
        names["#ver"] = "version"
        values[":old"] = N(photo.version)
        try:
            resp = self.client.update_item(
                TableName=self.table, Key=av_key(K.photo_key(photo.id)), UpdateExpression=update,
                ConditionExpression="attribute_exists(PK) AND #ver = :old", ExpressionAttributeNames=names,
                ExpressionAttributeValues=values, ReturnValues="ALL_OLD")
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            if self._get(K.photo_key(photo.id)) is None:
                raise NotFound(f"photo {photo.id} not found") from exc
            raise ConcurrentUpdate(f"photo {photo.id} was changed by someone else; reload and retry") from exc
        old = self._photo_of(resp["Attributes"])
        saved.albums = old.albums
        if old.bytes != saved.bytes or old.owner_id != saved.owner_id:
            self._add_usage(old.owner_id, -1, -int(old.bytes))
            self._add_usage(saved.owner_id, 1, int(saved.bytes))
        self._write_index(K.index_entries(old, old.albums), K.index_entries(saved, old.albums))
        return saved

    def _add_usage(self, owner_id: str, count: int, nbytes: int) -> None:
        self.client.update_item(TableName=self.table, Key=av_key(K.usage_key(owner_id)),
                                UpdateExpression="ADD photo_count :c, stored_bytes :b",
                                ExpressionAttributeValues={":c": N(count), ":b": N(nbytes)})

    def delete_photo(self, photo_id: str, *, version: int | None = None) -> None:
        """One transaction removes the photo and moves the owner's usage and its albums' counts (conditional
        on the version read, retried on a race); then its index items, questions and faces go, in batches.
        A photo already gone still has its questions and faces removed: a worker may have written some after
        the delete (issue 12, item 8)."""
        for _ in range(MAX_DELETE_RETRIES):
            item = self._get(K.photo_key(photo_id))
            if item is None:
                self._delete_questions_of(photo_id)
                self._delete_faces_of(photo_id)
                return
            photo = self._photo_of(item)
            if version is not None and photo.version != version:
                raise ConcurrentUpdate(f"photo {photo_id} was changed by someone else; reload and retry")
            if self._delete_photo_item(photo):
                break
        else:
            raise ConcurrentUpdate(f"photo {photo_id} kept changing while being deleted; try again")
        self._write_index(K.index_entries(photo, photo.albums), {})
        self._delete_questions_of(photo_id)
        self._delete_faces_of(photo_id)

    def _delete_photo_item(self, photo: Photo) -> bool:
        ops: list[dict[str, Any]] = [
            {"Delete": {"TableName": self.table, "Key": av_key(K.photo_key(photo.id)),
                        "ConditionExpression": "#ver = :v", "ExpressionAttributeNames": {"#ver": "version"},
                        "ExpressionAttributeValues": {":v": N(photo.version)}}},
            {"Update": {"TableName": self.table, "Key": av_key(K.usage_key(photo.owner_id)),
                        "UpdateExpression": "ADD photo_count :c, stored_bytes :b",
                        "ExpressionAttributeValues": {":c": N(-1), ":b": N(-int(photo.bytes))}}},
        ]
        if photo.sha256:  # its bytes may come again as a new photo
            ops.append({"Delete": {"TableName": self.table, "Key": av_key(K.sha_key(photo.owner_id, photo.sha256))}})
        for album_id in photo.albums[:97]:  # TransactWriteItems takes 100 items
            ops.append({"Update": {"TableName": self.table, "Key": av_key(K.album_key(album_id)),
                                   "UpdateExpression": "ADD photo_count :m",
                                   "ConditionExpression": "attribute_exists(PK)",
                                   "ExpressionAttributeValues": {":m": N(-1)}}})
        try:
            self.client.transact_write_items(TransactItems=ops)
            return True
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = cancellation_codes(exc)
            if codes and codes[0] == "ConditionalCheckFailed":
                return False  # changed since read: read again
            if "ConditionalCheckFailed" in codes:  # an album went away meanwhile: drop it from the set, retry
                self._prune_missing_albums(photo)
                return False
            raise self._unavailable(exc) from exc

    def _prune_missing_albums(self, photo: Photo) -> None:
        existing = {s(it, "PK") for it in self._batch_get([K.album_key(a) for a in photo.albums])}
        gone = [a for a in photo.albums if K.album_key(a)["PK"] not in existing]
        if gone:
            names = {f"#a{i}": a for i, a in enumerate(gone)}
            self.client.update_item(TableName=self.table, Key=av_key(K.photo_key(photo.id)),
                                    UpdateExpression="REMOVE " + ", ".join(f"albums.{k}" for k in names),
                                    ConditionExpression="attribute_exists(PK)", ExpressionAttributeNames=names)

    def list_photos(self, owner_id: str, *, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> Page:
        index, pk = ("GSI2", K.owner_status_pk(owner_id, status)) if status else ("GSI1", K.owner_photos_pk(owner_id))
        return self._photo_page(index, pk, limit, cursor)

    def _photo_page(self, index: str, pk: str, limit: int, cursor: str | None) -> Page:
        """A newest-first page of one GSI partition of photo items (projected whole: no extra reads)."""
        limit = max(1, limit)
        cond, values = "", {}
        if cursor:
            cond, values = "#sk < :after", {":after": S(K.decode_position(cursor))}
        items = []
        for item in self._query(index=index, pk_name=f"{index}PK", pk=pk, sk_name=f"{index}SK", sk_cond=cond,
                                values=values, forward=False, page=min(limit + 1, 1000)):
            items.append(item)
            if len(items) > limit:
                break
        more = len(items) > limit
        items = items[:limit]
        next_cursor = K.encode_cursor(s(items[-1], f"{index}SK")) if more else None
        return Page(items=[self._photo_of(it) for it in items], next_cursor=next_cursor)

    def usage(self, owner_id: str) -> tuple[int, int]:
        item = self._get(K.usage_key(owner_id)) or {}
        return int(n(item, "photo_count")), int(n(item, "stored_bytes"))

    def stale_photos(self, status: str, *, older_than: str, limit: int = 100) -> list[Photo]:
        """Oldest first, from every shard of the sparse GSI3 (one Query each while little is pending)."""
        if status not in K.STALE_STATUSES:
            return []  # only unfinished photos can be stale; the sparse index holds no others
        found: list[tuple[str, dict[str, Any]]] = []
        for shard in range(K.PENDING_SHARDS):
            items = self._query(index="GSI3", pk_name="GSI3PK", pk=K.stale_shard_pk(status, shard),
                                sk_name="GSI3SK", sk_cond="#sk < :t", values={":t": S(utc_iso(older_than))},
                                page=min(limit, 1000))
            found += [(s(item, "GSI3SK") or "", item) for item in itertools.islice(items, limit)]
        found.sort(key=lambda pair: pair[0])
        return [self._photo_of(item) for _, item in found[:limit]]

    # --- pending blob cleanups (maintenance's index of work, not of the library) ---------------------------

    def add_pending_blobs(self, pending: PendingBlobs) -> None:
        item = {**av_key(K.pending_key(pending.photo_id, pending.since)), "owner_id": S(pending.owner_id),
                "photo_id": S(pending.photo_id), "since": S(pending.since)}
        self.client.put_item(TableName=self.table, Item=item)

    def remove_pending_blobs(self, pending: PendingBlobs) -> None:
        self.client.delete_item(TableName=self.table, Key=av_key(K.pending_key(pending.photo_id, pending.since)))

    def pending_blobs(self, *, older_than: str, limit: int = 100) -> list[PendingBlobs]:
        """Oldest first, from every shard (one strongly consistent Query each while little is pending)."""
        found: list[PendingBlobs] = []
        for shard in range(K.PENDING_SHARDS):
            items = self._query(pk=K.pending_shard_pk(shard), sk_cond="#sk < :t", values={":t": S(older_than)},
                                page=min(limit, 1000), consistent=True)
            found += [PendingBlobs(photo_id=s(it, "photo_id") or "", owner_id=s(it, "owner_id") or "",
                                   since=s(it, "since") or "") for it in itertools.islice(items, limit)]
        found.sort(key=lambda p: (p.since, p.photo_id))
        return found[:limit]


class DynamoMetadataStore(DynamoSharingMixin, DynamoSearchMixin, DynamoAlbumsMixin, DynamoQuestionsMixin,
                          DynamoFacesMixin, DynamoLimitsMixin, DynamoUsersMixin, DynamoPhotosMixin):
    """The AWS MetadataStore. Thread-safe: boto3 clients are, and the store keeps no other state."""

    # Repositories per aggregate (ports.MetadataStore). Transitional: this store still implements all of them.
    @property
    def users(self) -> "Self":
        return self

    @property
    def photos(self) -> "Self":
        return self

    @property
    def index(self) -> "Self":
        return self

    @property
    def albums(self) -> "Self":
        return self

    @property
    def questions(self) -> "Self":
        return self

    @property
    def faces(self) -> "Self":
        return self

    @property
    def limits(self) -> "Self":
        return self

    @property
    def shares(self) -> "Self":
        return self


    def __init__(self, client: Any, table: str) -> None:
        self.client, self.table = GuardedClient(client), table

    @classmethod
    def from_settings(cls, settings: Settings) -> "DynamoMetadataStore":
        return cls(aws_client("dynamodb", settings), settings.dynamodb_table)

    def close(self) -> None:
        self.client.close()


__all__ = ["DynamoMetadataStore", "error_code"]
