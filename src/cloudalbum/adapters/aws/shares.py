"""DynamoDB share links and album members (the ShareStore port). Every read is a GetItem or a Query:

* `SHARE#<id>` / `SHARE`: the share (doc), GSI1 `OWNER#<owner>#SHARES` / `<created_at>#<id>` (the owner's list).
* `SHARETOKEN#<sha256 of token>` / `SHARETOKEN`: the share id, written and deleted in one transaction with the
  share, so a link is found by one strongly consistent GetItem and stops working the moment it is revoked.
* `ALBUM#<album>` / `MEMBER#<user>`: a member, GSI1 `MEMBER#<user>` / `<added_at>#<album>` ("shared with me").
* `ALBUM#<album>` / `CONTRIB#<added_at>#<photo>`: a contributed photo, GSI1 `CONTRIB#<photo>` / `<album>` (the
  albums a photo was contributed to; each hit is re-read from the base table, strongly consistent).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ...domain.model import Page
from ...domain.sharing import AlbumMember, Contribution, Share
from . import cursors as C
from . import keys as K
from . import share_keys as SK
from .table import S, Table, av_key, cancellation_codes, cut_page, item_key, s


class DynamoShares:
    def __init__(self, table: Table) -> None:
        self.table, self.client = table, table.client

    def add_share(self, share: Share) -> None:
        item = {**av_key(SK.share_key(share.id)), "doc": S(json.dumps(dataclasses.asdict(share))),
                "owner_id": S(share.owner_id), "GSI1PK": S(SK.owner_shares_pk(share.owner_id)),
                "GSI1SK": S(f"{share.created_at}#{share.id}")}
        pointer = {**av_key(SK.share_token_key(share.token_hash)), "share_id": S(share.id)}
        self.client.transact_write_items(TransactItems=[
            {"Put": {"TableName": self.table.name, "Item": it, "ConditionExpression": "attribute_not_exists(PK)"}}
            for it in (item, pointer)])

    def get_share(self, share_id: str, owner_id: str) -> Share | None:
        item = self.table.get(SK.share_key(share_id))
        if item is None or s(item, "owner_id") != owner_id:
            return None
        return Share(**json.loads(item["doc"]["S"]))

    def share_by_token_hash(self, token_hash: str) -> Share | None:
        pointer = self.table.get(SK.share_token_key(token_hash))
        item = self.table.get(SK.share_key(s(pointer, "share_id") or "")) if pointer else None
        return Share(**json.loads(item["doc"]["S"])) if item else None

    def list_shares(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        items, next_cursor = self.table.gsi_page("GSI1", SK.owner_shares_pk(owner_id), limit=limit, cursor=cursor)
        return Page([Share(**json.loads(it["doc"]["S"])) for it in items], next_cursor)

    def delete_share(self, share_id: str, owner_id: str) -> bool:
        share = self.get_share(share_id, owner_id)
        if share is None:
            return False
        try:
            self.client.transact_write_items(TransactItems=[
                {"Delete": {"TableName": self.table.name, "Key": av_key(SK.share_key(share_id)),
                            "ConditionExpression": "owner_id = :o", "ExpressionAttributeValues": {":o": S(owner_id)}}},
                {"Delete": {"TableName": self.table.name, "Key": av_key(SK.share_token_key(share.token_hash))}}])
        except self.client.exceptions.TransactionCanceledException as exc:
            if "ConditionalCheckFailed" in cancellation_codes(exc):
                return False  # revoked concurrently
            raise self.table.unavailable(exc) from exc
        return True

    def put_member(self, member: AlbumMember) -> bool:
        item = {**av_key(SK.member_key(member.album_id, member.user_id)), "owner_id": S(member.owner_id),
                "role": S(member.role), "show_location": {"BOOL": member.show_location},
                "added_at": S(member.added_at), "album_id": S(member.album_id), "user_id": S(member.user_id),
                "GSI1PK": S(SK.member_of_pk(member.user_id)), "GSI1SK": S(f"{member.added_at}#{member.album_id}")}
        try:
            self.client.put_item(TableName=self.table.name, Item=item, ConditionExpression="attribute_not_exists(PK)")
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            self.client.update_item(
                TableName=self.table.name, Key=av_key(SK.member_key(member.album_id, member.user_id)),
                UpdateExpression="SET #r = :r, show_location = :l", ExpressionAttributeNames={"#r": "role"},
                ExpressionAttributeValues={":r": S(member.role), ":l": {"BOOL": member.show_location}})
            return False

    def forget_album(self, album_id: str) -> None:
        """The album's member and contribution items (they share its partition): albums.delete_album's first
        step, before the album item goes."""
        # One Query: the partition's keys after the album's own SK "ALBUM" are its CONTRIB# and MEMBER# items.
        items = [item_key(it) for it in self.table.query(
            pk=K.album_key(album_id)["PK"], sk_cond="#sk > :album", values={":album": S("ALBUM")}, consistent=True,
            projection="PK, SK")]
        self.table.batch_write(deletes=items)

    def get_member(self, album_id: str, user_id: str) -> AlbumMember | None:
        item = self.table.get(SK.member_key(album_id, user_id))
        return _member(item) if item else None

    def remove_member(self, album_id: str, user_id: str) -> bool:
        resp = self.client.delete_item(TableName=self.table.name, Key=av_key(SK.member_key(album_id, user_id)),
                                       ReturnValues="ALL_OLD")
        return bool(resp.get("Attributes"))

    def shared_with(self, user_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        items, next_cursor = self.table.gsi_page("GSI1", SK.member_of_pk(user_id), limit=limit, cursor=cursor)
        return Page([_member(it) for it in items], next_cursor)

    def add_contribution(self, contribution: Contribution) -> None:
        c = contribution
        if any(x.album_id == c.album_id for x in self.contributions_of_photo(c.photo_id)):
            return  # idempotent per (album, photo)
        self.client.put_item(TableName=self.table.name, Item={
            **av_key(SK.contribution_key(c.album_id, c.added_at, c.photo_id)), "album_id": S(c.album_id),
            "photo_id": S(c.photo_id), "contributor_id": S(c.contributor_id), "owner_id": S(c.owner_id),
            "added_at": S(c.added_at), "GSI1PK": S(SK.contributed_pk(c.photo_id)), "GSI1SK": S(c.album_id)})

    def contributions(self, album_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        limit = max(1, limit)
        cond, values = "begins_with(#sk, :c)", {":c": S("CONTRIB#")}
        if cursor:
            cond, values = "#sk BETWEEN :c AND :after", {":c": S("CONTRIB#"), ":after": S(C.decode_position(cursor))}
        after = C.decode_position(cursor) if cursor else None  # BETWEEN includes it: left out below
        items, next_cursor = cut_page(
            (it for it in self.table.query(pk=K.album_key(album_id)["PK"], sk_cond=cond, values=values, forward=False,
                                           page=limit + 1, consistent=True) if s(it, "SK") != after), limit, "SK")
        return Page([_contribution(it) for it in items], next_cursor)

    def contributions_of_photo(self, photo_id: str) -> list[Contribution]:
        hits = list(self.table.query(index="GSI1", pk_name="GSI1PK", pk=SK.contributed_pk(photo_id), sk_name="GSI1SK"))
        fresh = self.table.batch_get([item_key(it) for it in hits]) if hits else []
        return [_contribution(it) for it in fresh]

    def remove_contributions(self, album_id: str, contributor_id: str) -> None:
        mine = [item_key(it) for it in self.table.query(
            pk=K.album_key(album_id)["PK"], sk_cond="begins_with(#sk, :c)", values={":c": S("CONTRIB#")},
            consistent=True) if s(it, "contributor_id") == contributor_id]
        self.table.batch_write(deletes=mine)


def _contribution(item: dict[str, Any]) -> Contribution:
    return Contribution(album_id=s(item, "album_id") or "", photo_id=s(item, "photo_id") or "",
                        contributor_id=s(item, "contributor_id") or "", owner_id=s(item, "owner_id") or "",
                        added_at=s(item, "added_at") or "")


def _member(item: dict[str, Any]) -> AlbumMember:
    return AlbumMember(album_id=s(item, "album_id") or "", user_id=s(item, "user_id") or "",
                       owner_id=s(item, "owner_id") or "", role=s(item, "role") or "viewer",
                       added_at=s(item, "added_at") or "",
                       show_location=bool(item.get("show_location", {}).get("BOOL", False)))
