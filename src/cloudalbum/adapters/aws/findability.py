"""DynamoDB albums, follow-up questions and search: mixins of DynamoMetadataStore.

Search: every candidate source (a label, an album, a place, a category, a person's name or id, the first letters
of a query word, the geohash cells covering a box, a date range, the owner's photos) is a set of partitions
sorted newest first by the photo's position. A bounded COUNT probe of each applicable source picks the
smallest; its partitions are merged in order, each candidate photo is re-read and judged by the one rule,
domain.search.match_reasons, until a page is full. So the work is bounded by the matches and the chosen
source, never by a Scan, and a stale index item (see dynamodb_store) can only cost a read, never give a wrong
answer.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from ...domain.errors import NotFound
from ...domain.model import Album, Page, Photo, Question, QuestionStatus, iso, question_from_dict, to_dict, utcnow
from ...domain.search import (LabelOrWords, SearchHit, SearchQuery, fold, haversine_km, label_key, person_key,
                             place_parts, query_words)
from . import keys as K
from .table import N, S, DynamoBase, av_key, cancellation_codes, n, s
from ...domain.times import taken_seconds

PROBE = 200  # items a selectivity probe reads at most
RESOLVE_CHUNK = 40  # candidates re-read per BatchGetItem while filling a page
MAP_MAX_POINTS = 10_000
MAX_TZ_OFFSET_S = 14 * 3600  # taken_at is wall-clock time; a time window is widened by this, then checked exactly


def _invert(text: str) -> str:
    """A string whose ascending order is text's descending order (printable ASCII; terminated so a prefix
    still sorts first once inverted)."""
    return "".join(chr(0x7E - (ord(c) - 0x20)) if 0x20 <= ord(c) <= 0x7E else c for c in text) + "\x7f"


def question_rank(q: Question) -> str:
    """GSI2SK of an open question, read descending: highest score first, then oldest, then id."""
    score = max(-1e9, min(float(q.score), 1e9)) + 1e9
    return f"{score:021.6f}#{_invert(q.created_at)}#{_invert(q.id)}"


# --- albums -----------------------------------------------------------------------------------------------


class DynamoAlbumsMixin(DynamoBase):
    """Album items (counts kept by transactions with the membership change) and membership index items."""

    _get_photos: Callable[..., Any]
    _photo_of: Callable[[dict[str, Any]], Photo]
    _stream: Callable[..., Iterator[tuple[str, dict]]]

    def _album_item(self, album: Album) -> dict[str, Any]:
        item: dict[str, Any] = {
            **av_key(K.album_key(album.id)), "owner_id": S(album.owner_id), "name": S(album.name),
            "created_at": S(album.created_at), "updated_at": S(album.updated_at),
            "GSI1PK": S(K.owner_albums_pk(album.owner_id)), "GSI1SK": S(f"{album.created_at}#{album.id}"),
            "photo_count": N(0),
        }
        if album.description is not None:
            item["description"] = S(album.description)
        if album.cover_photo_id:
            item["cover_photo_id"] = S(album.cover_photo_id)
        return item

    def _album_of(self, item: dict[str, Any]) -> Album:
        album_id = (s(item, "PK") or "").split("#", 1)[1]
        album = Album(id=album_id, owner_id=s(item, "owner_id") or "", name=s(item, "name") or "",
                      created_at=s(item, "created_at") or "", updated_at=s(item, "updated_at") or "",
                      description=s(item, "description"), photo_count=max(0, int(n(item, "photo_count"))),
                      cover_photo_id=s(item, "cover_photo_id"))
        album.cover_photo_id = self._cover(album)
        return album

    def _cover(self, album: Album) -> str | None:
        """The explicit cover while it is in the album, else the newest member."""
        if album.cover_photo_id:
            photo = self.get_photo(album.cover_photo_id, album.owner_id)  # type: ignore[attr-defined]
            if photo is not None and album.id in photo.albums:
                return photo.id
        source = Source(None, (K.ix_pk(album.owner_id, "A", album.id),))
        for photo, _pos in self._resolve(self._stream(source, None), lambda p: album.id in p.albums):
            return photo.id
        return None

    def add_album(self, album: Album) -> None:
        self.client.put_item(TableName=self.table, Item=self._album_item(album),
                             ConditionExpression="attribute_not_exists(PK)")

    def get_album(self, album_id: str, owner_id: str) -> Album | None:
        item = self._get(K.album_key(album_id))
        if item is None or s(item, "owner_id") != owner_id:
            return None
        return self._album_of(item)

    def list_albums(self, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Newest album first."""
        limit = max(1, limit)
        cond, values = ("#sk < :after", {":after": S(K.decode_position(cursor))}) if cursor else ("", {})
        items = []
        for item in self._query(index="GSI1", pk_name="GSI1PK", pk=K.owner_albums_pk(owner_id), sk_name="GSI1SK",
                                sk_cond=cond, values=values, forward=False, page=limit + 1):
            items.append(item)
            if len(items) > limit:
                break
        more, items = len(items) > limit, items[:limit]
        next_cursor = K.encode_cursor(s(items[-1], "GSI1SK")) if more else None
        return Page([self._album_of(it) for it in items], next_cursor)

    def save_album(self, album: Album) -> Album:
        values: dict[str, Any] = {":name": S(album.name), ":upd": S(album.updated_at), ":owner": S(album.owner_id)}
        sets, removes = ["#name = :name", "updated_at = :upd"], []
        for attr, value in (("description", album.description), ("cover_photo_id", album.cover_photo_id)):
            if value is None:
                removes.append(attr)
            else:
                sets.append(f"{attr} = :{attr}")
                values[f":{attr}"] = S(value)
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self.client.update_item(TableName=self.table, Key=av_key(K.album_key(album.id)), UpdateExpression=update,
                                    ConditionExpression="attribute_exists(PK) AND owner_id = :owner",
                                    ExpressionAttributeNames={"#name": "name"}, ExpressionAttributeValues=values)
        except self.client.exceptions.ConditionalCheckFailedException as exc:
            raise NotFound(f"album {album.id} not found") from exc
        saved = self.get_album(album.id, album.owner_id)
        if saved is None:
            raise NotFound(f"album {album.id} not found")
        return saved

    def delete_album(self, album_id: str) -> None:
        """Each member forgets the album, its membership items go, then the album item."""
        item = self._get(K.album_key(album_id))
        if item is None:
            return
        pk = K.ix_pk(s(item, "owner_id") or "", "A", album_id)
        members = [(s(it, "photo_id") or "", s(it, "SK") or "") for it in self._query(pk=pk, consistent=True)]
        for photo_id in dict.fromkeys(pid for pid, _ in members):
            self._forget_album(photo_id, album_id)
        self._batch_write(deletes=[{"PK": pk, "SK": sk} for _, sk in members])
        self.client.delete_item(TableName=self.table, Key=av_key(K.album_key(album_id)))

    def _forget_album(self, photo_id: str, album_id: str) -> None:
        try:
            self.client.update_item(TableName=self.table, Key=av_key(K.photo_key(photo_id)),
                                    UpdateExpression="REMOVE albums.#a", ConditionExpression="attribute_exists(PK)",
                                    ExpressionAttributeNames={"#a": album_id})
        except self.client.exceptions.ConditionalCheckFailedException:
            pass  # the photo is gone

    def add_to_album(self, album_id: str, photo_ids: list[str]) -> None:
        """Idempotent per photo; only the album owner's photos join. Per photo, one transaction adds it to the
        photo's album map (if absent) and counts it on the album; then its membership index item is written."""
        album = self._get(K.album_key(album_id))
        if album is None:
            raise NotFound(f"album {album_id} not found")
        owner, now = s(album, "owner_id") or "", iso(utcnow())
        photos = self._get_photos(list(dict.fromkeys(photo_ids)))
        joined = []
        for photo in photos:
            if photo.owner_id != owner or album_id in photo.albums:
                continue
            if self._join(photo, album_id, owner, now):
                joined.append(photo)
        for photo in joined:  # the item must carry the photo's current position: re-read after the join
            self._write_membership(photo.id, album_id)

    def _join(self, photo: Photo, album_id: str, owner: str, now: str) -> bool:
        joined_at = utcnow().isoformat()  # microseconds: the photo's albums keep their join order
        try:
            self.client.transact_write_items(TransactItems=[
                {"Update": {"TableName": self.table, "Key": av_key(K.photo_key(photo.id)),
                            "UpdateExpression": "SET albums.#a = :at",
                            "ConditionExpression": "attribute_exists(PK) AND owner_id = :o AND "
                                                   "attribute_not_exists(albums.#a)",
                            "ExpressionAttributeNames": {"#a": album_id},
                            "ExpressionAttributeValues": {":at": S(joined_at), ":o": S(owner)}}},
                {"Update": {"TableName": self.table, "Key": av_key(K.album_key(album_id)),
                            "UpdateExpression": "ADD photo_count :one SET updated_at = :now",
                            "ConditionExpression": "attribute_exists(PK)",
                            "ExpressionAttributeValues": {":one": N(1), ":now": S(now)}}},
            ])
            return True
        except self.client.exceptions.TransactionCanceledException as exc:
            codes = cancellation_codes(exc)
            if codes and codes[-1] == "ConditionalCheckFailed":
                raise NotFound(f"album {album_id} not found") from exc
            if "ConditionalCheckFailed" in codes:
                return False  # already a member (a concurrent add), or the photo went away
            raise self._unavailable(exc) from exc

    def _write_membership(self, photo_id: str, album_id: str) -> None:
        item = self._get(K.photo_key(photo_id))
        if item is None:
            return
        photo = self._photo_of(item)
        if album_id in photo.albums:
            self.client.put_item(TableName=self.table, Item={
                "PK": S(K.ix_pk(photo.owner_id, "A", album_id)), "SK": S(K.position(photo)), "photo_id": S(photo.id)})

    def remove_from_album(self, album_id: str, photo_id: str) -> None:
        item = self._get(K.photo_key(photo_id))
        if item is None:
            return
        photo = self._photo_of(item)
        if album_id not in photo.albums:
            return
        try:
            self.client.transact_write_items(TransactItems=[
                {"Update": {"TableName": self.table, "Key": av_key(K.photo_key(photo_id)),
                            "UpdateExpression": "REMOVE albums.#a", "ConditionExpression": "attribute_exists(albums.#a)",
                            "ExpressionAttributeNames": {"#a": album_id}}},
                {"Update": {"TableName": self.table, "Key": av_key(K.album_key(album_id)),
                            "UpdateExpression": "ADD photo_count :m SET updated_at = :now",
                            "ConditionExpression": "attribute_exists(PK)",
                            "ExpressionAttributeValues": {":m": N(-1), ":now": S(iso(utcnow()))}}},
            ])
        except self.client.exceptions.TransactionCanceledException as exc:
            if "ConditionalCheckFailed" not in cancellation_codes(exc):
                raise self._unavailable(exc) from exc
            return  # removed meanwhile, or the album is gone (delete_album cleans up)
        self.client.delete_item(TableName=self.table, Key=av_key(
            {"PK": K.ix_pk(photo.owner_id, "A", album_id), "SK": K.position(photo)}))

    def album_photos(self, album_id: str, owner_id: str, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Newest taken first (as list_photos)."""
        after = K.decode_position(cursor) if cursor else None
        stream = self._stream(Source(None, (K.ix_pk(owner_id, "A", album_id),)), after)
        return self._page_of(self._resolve(stream, lambda p: album_id in p.albums and p.owner_id == owner_id),
                             limit, lambda photo, _pos: photo)

    def _album_name(self, owner_id: str, album_id: str) -> str | None:
        item = self._get(K.album_key(album_id))
        return s(item, "name") if item and s(item, "owner_id") == owner_id else None

    # --- shared with search: ordered candidate streams -----------------------------------------------------

    def _resolve(self, stream: Iterator[tuple[str, dict]], keep: Callable[[Photo], Any]
                 ) -> Iterator[tuple[Photo, str]]:
        """The photos behind a candidate stream, in order, that are current and pass `keep`. Index items are
        re-read against their photo in chunks; an item whose photo is gone or no longer has it is deleted."""
        chunk: list[tuple[str, dict]] = []

        def flush() -> Iterator[tuple[Photo, str]]:
            need = [K.photo_key(K.photo_id_of(pos)) for pos, it in chunk if "doc" not in it]
            found = {self._photo_of(it).id: self._photo_of(it) for it in self._batch_get(need)} if need else {}
            stale = []
            for pos, it in chunk:
                photo = self._photo_of(it) if "doc" in it else found.get(K.photo_id_of(pos))
                if photo is None or K.position(photo) != pos:
                    if "doc" not in it:
                        stale.append({"PK": s(it, "PK") or "", "SK": pos})
                    continue
                if keep(photo):
                    yield photo, pos
            if stale:
                self._batch_write(deletes=stale)

        for entry in stream:
            chunk.append(entry)
            if len(chunk) >= RESOLVE_CHUNK:
                yield from flush()
                chunk = []
        if chunk:
            yield from flush()

    @staticmethod
    def _page_of(results: Iterator[tuple[Photo, str]], limit: int, present: Callable[[Photo, Any], Any]) -> Page:
        limit = max(1, limit)
        items, last_pos = [], ""
        for photo, extra in results:
            if len(items) == limit:
                return Page(items, K.encode_cursor(last_pos))
            items.append(present(photo, extra))
            last_pos = K.position(photo)
        return Page(items, None)


# --- questions --------------------------------------------------------------------------------------------


class DynamoQuestionsMixin(DynamoBase):
    """Question items: open ones in the owner's GSI2 partition by rank, all in the photo's GSI3 partition."""

    def _question_item(self, q: Question) -> dict[str, Any]:
        item: dict[str, Any] = {
            **av_key(K.question_key(q.id)), "owner_id": S(q.owner_id), "photo_id": S(q.photo_id),
            "doc": S(json.dumps(to_dict(q), separators=(",", ":"), ensure_ascii=False)),
            "GSI3PK": S(K.photo_questions_pk(q.photo_id)), "GSI3SK": S(f"{q.created_at}#{q.id}"),
        }
        if q.status == QuestionStatus.OPEN.value:
            item["GSI2PK"] = S(K.open_questions_pk(q.owner_id))
            item["GSI2SK"] = S(question_rank(q))
        return item

    @staticmethod
    def _question_of(item: dict[str, Any]) -> Question:
        return question_from_dict(json.loads(item["doc"]["S"]))

    def add_question(self, question: Question) -> None:
        self.client.put_item(TableName=self.table, Item=self._question_item(question),
                             ConditionExpression="attribute_not_exists(PK)")

    def get_question(self, question_id: str, owner_id: str) -> Question | None:
        item = self._get(K.question_key(question_id))
        if item is None or s(item, "owner_id") != owner_id:
            return None
        return self._question_of(item)

    def save_question(self, question: Question) -> None:
        """Overwrite, unless the question is gone (deleted with its photo): as SQLite's UPDATE, never resurrects
        it (a worker closing a question of a photo deleted meanwhile, issue 12 item 8)."""
        try:
            self.client.put_item(TableName=self.table, Item=self._question_item(question),
                                 ConditionExpression="attribute_exists(PK)")
        except self.client.exceptions.ConditionalCheckFailedException:
            pass

    def open_questions(self, owner_id: str, *, photo_id: str | None = None, limit: int = 50,
                       cursor: str | None = None) -> Page:
        """Highest score first (then oldest); with photo_id, from the photo's few questions."""
        limit = max(1, limit)
        after = K.decode_position(cursor) if cursor else None
        if photo_id is not None:
            ranked = sorted(((question_rank(q), q) for q in self.questions_for_photo(photo_id)
                             if q.owner_id == owner_id and q.status == QuestionStatus.OPEN.value),
                            key=lambda t: t[0], reverse=True)
            rows = [(rank, q) for rank, q in ranked if after is None or rank < after][:limit + 1]
        else:
            cond, values = ("#sk < :after", {":after": S(after)}) if after else ("", {})
            rows = []
            for item in self._query(index="GSI2", pk_name="GSI2PK", pk=K.open_questions_pk(owner_id),
                                    sk_name="GSI2SK", sk_cond=cond, values=values, forward=False, page=limit + 1):
                rows.append((s(item, "GSI2SK") or "", self._question_of(item)))
                if len(rows) > limit:
                    break
        more, rows = len(rows) > limit, rows[:limit]
        return Page([q for _, q in rows], K.encode_cursor(rows[-1][0]) if more else None)

    def questions_for_photo(self, photo_id: str) -> list[Question]:
        """Every question about the photo (any status), oldest first."""
        return [self._question_of(it) for it in self._query(index="GSI3", pk_name="GSI3PK",
                                                            pk=K.photo_questions_pk(photo_id), sk_name="GSI3SK")]

    def _delete_questions_of(self, photo_id: str) -> None:
        keys = [K.question_key(q.id) for q in self.questions_for_photo(photo_id)]
        self._batch_write(deletes=keys)


# --- search -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A candidate source: partitions of the table (index None) or of a GSI, each sorted by position, and an
    optional sort-key range (lo, hi) or minimum label confidence."""

    index: str | None
    pks: tuple[str, ...]
    min_conf: float | None = None
    lo: str | None = None
    hi: str | None = None


class DynamoSearchMixin(DynamoAlbumsMixin):
    """search, map_points and photos_near_in_time over the index items and GSIs."""

    def _get_photos(self, ids: list[str]) -> list[Photo]:
        """The photos of ids that exist, in the order of ids."""
        found = {p.id: p for p in (self._photo_of(it) for it in self._batch_get([K.photo_key(i) for i in ids]))}
        return [found[i] for i in ids if i in found]

    def _sources(self, owner_id: str, query: SearchQuery) -> list[Source]:
        """Every candidate source the query allows (each alone already contains every match)."""
        out: list[Source] = []
        for wanted in query.labels[:1]:
            out.append(Source(None, (K.ix_pk(owner_id, "L", label_key(wanted)),), min_conf=query.min_confidence))
        if query.album_id:
            out.append(Source(None, (K.ix_pk(owner_id, "A", query.album_id),)))
        if query.place and place_parts(query.place):
            out.append(Source(None, (K.ix_pk(owner_id, "P", place_parts(query.place)[0]),)))
        for group in query.any_labels[:1]:  # its labels' partitions merged: every match has one of them
            out.append(Source(None, tuple(dict.fromkeys(K.ix_pk(owner_id, "L", label_key(x)) for x in group)),
                              min_conf=query.min_confidence))
        for term in query.label_words[:2]:
            source = _label_or_words_source(owner_id, term, query.min_confidence)
            if source is not None:
                out.append(source)
        for cat in (((query.category,) if query.category else ()) + query.categories)[:2]:
            out.append(Source(None, (K.ix_pk(owner_id, "C", fold(cat.strip())),)))
        for name in (((query.person,) if query.person else ()) + query.people)[:2]:
            if person_key(name):
                out.append(Source(None, (K.ix_pk(owner_id, "N", person_key(name)),)))
        if query.person_id:
            out.append(Source(None, (K.ix_pk(owner_id, "PID", query.person_id),)))
        long_words = [w for w in query_words(query.q) if len(w) >= K.TEXT_PREFIX]
        if long_words:
            out.append(Source(None, (K.ix_pk(owner_id, "T", max(long_words, key=len)[:K.TEXT_PREFIX]),)))
        box = query.bbox or (query.near.bbox() if query.near else None)
        if box is not None:
            cells = K.best_cover(box)
            pks = tuple(K.ix_pk(owner_id, "G", c) for c in cells) if cells else (K.ix_pk(owner_id, "LOC", "all"),)
            out.append(Source(None, pks))
        if query.date_from or query.date_to:  # a range of the owner's list (photos without a date fail the rule)
            out.append(Source("GSI1", (K.owner_photos_pk(owner_id),), lo=query.date_from or "0000",
                              hi=(query.date_to or "9999") + "~"))
        if query.status:
            out.append(Source("GSI2", (K.owner_status_pk(owner_id, query.status),)))
        return out

    def _query_params(self, source: Source, pk: str, after: str | None) -> dict[str, Any]:
        """_query keyword arguments for one partition of a source, below position `after`."""
        sk_name = f"{source.index}SK" if source.index else "SK"
        conds, values = [], {}
        hi = source.hi if after is None or (source.hi is not None and source.hi < after) else after
        if source.lo is not None and hi is not None:
            conds.append("#sk BETWEEN :lo AND :hi")
            values.update({":lo": S(source.lo), ":hi": S(hi)})
        elif hi is not None:
            conds.append("#sk < :hi")
            values[":hi"] = S(hi)
        params: dict[str, Any] = {
            "index": source.index, "pk_name": f"{source.index}PK" if source.index else "PK", "pk": pk,
            "sk_name": sk_name, "sk_cond": " AND ".join(conds), "values": values}
        if source.min_conf is not None:  # on label items; a source's text or category items have no conf
            params["filter_expr"] = "attribute_not_exists(conf) OR conf >= :minconf"
            params["values"] = {**values, ":minconf": N(float(source.min_conf))}
        return params

    def _probe(self, source: Source) -> int:
        """How many candidates a source has, counted up to PROBE (bounded COUNT queries, no filter)."""
        total = 0
        for pk in source.pks:
            q = self._query_params(source, pk, None)
            params: dict[str, Any] = {
                "TableName": self.table, "Select": "COUNT", "Limit": PROBE,
                "KeyConditionExpression": "#pk = :pk" + (f" AND {q['sk_cond']}" if q["sk_cond"] else ""),
                "ExpressionAttributeNames": {"#pk": q["pk_name"], **({"#sk": q["sk_name"]} if q["sk_cond"] else {})},
                "ExpressionAttributeValues": {":pk": S(pk), **{k: v for k, v in q["values"].items()
                                                              if k != ":minconf"}}}
            if source.index:
                params["IndexName"] = source.index
            total += int(self.client.query(**params).get("Count", 0))
            if total > PROBE:
                break
        return total

    def _stream(self, source: Source, after: str | None) -> Iterator[tuple[str, dict]]:
        """(position, item) of a source, newest first, its partitions merged, positions below `after`."""

        def one(pk: str) -> Iterator[tuple[str, dict]]:
            params = self._query_params(source, pk, after)
            for item in self._query(forward=False, consistent=source.index is None, **params):
                pos = s(item, params["sk_name"]) or ""
                if after is None or pos < after:
                    yield pos, item

        streams = [one(pk) for pk in source.pks]
        merged = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=lambda t: t[0], reverse=True)
        last = None
        for pos, item in merged:
            if pos != last:
                last = pos
                yield pos, item

    def _candidates(self, owner_id: str, query: SearchQuery, after: str | None) -> Iterator[tuple[str, dict]]:
        """The stream of the most selective source (the owner's whole list when the query names none)."""
        sources = self._sources(owner_id, query) or [Source("GSI1", (K.owner_photos_pk(owner_id),))]
        best = sources[0] if len(sources) == 1 else min(sources, key=self._probe)
        return self._stream(best, after)

    def _matches(self, owner_id: str, query: SearchQuery, after: str | None) -> Iterator[tuple[Photo, list[str]]]:
        album_name = self._album_name(owner_id, query.album_id) if query.album_id else None
        for photo, _pos in self._resolve(self._candidates(owner_id, query, after),
                                         lambda p: p.owner_id == owner_id):
            reasons = match_reasons_of(photo, query, album_name)
            if reasons is not None:
                yield photo, reasons

    def search(self, owner_id: str, query: SearchQuery, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Page of SearchHit, newest taken first."""
        after = K.decode_position(cursor) if cursor else None
        return self._page_of(self._matches(owner_id, query, after), limit,
                             lambda photo, reasons: SearchHit(photo, reasons))

    def map_points(self, owner_id: str, query: SearchQuery, *, limit: int = MAP_MAX_POINTS) -> list[Photo]:
        """Located photos matching query, newest first."""
        out: list[Photo] = []
        for photo, _reasons in self._matches(owner_id, query, None):
            if photo.location is not None:
                out.append(photo)
                if len(out) >= max(1, limit):
                    break
        return out

    def photos_near_in_time(self, owner_id: str, *, taken_at: str, window_s: int,
                            lat: float | None, lon: float | None, radius_km: float,
                            limit: int = 200) -> list[Photo]:
        """Photos taken within window_s of taken_at (and within radius_km when lat, lon are given), closest in
        time first: one range of the owner's GSI1 list (wall-clock order, widened by the largest zone offset)."""
        t0 = taken_seconds(taken_at)
        if t0 is None:
            return []
        span = window_s + MAX_TZ_OFFSET_S
        lo = iso(datetime.fromtimestamp(t0 - span, timezone.utc))[:19]
        hi = iso(datetime.fromtimestamp(t0 + span, timezone.utc))[:19] + "~"
        found: list[tuple[float, str, Photo]] = []
        for item in self._query(index="GSI1", pk_name="GSI1PK", pk=K.owner_photos_pk(owner_id), sk_name="GSI1SK",
                                sk_cond="#sk BETWEEN :lo AND :hi", values={":lo": S(lo), ":hi": S(hi)}):
            photo = self._photo_of(item)
            ts = taken_seconds(photo.taken_at)
            if ts is None or abs(ts - t0) > window_s:
                continue
            if lat is not None and lon is not None:
                loc = photo.location
                if loc is None or haversine_km(lat, lon, loc.lat, loc.lon) > radius_km:
                    continue
            found.append((abs(ts - t0), photo.id, photo))
        found.sort(key=lambda t: (t[0], t[1]))
        return [p for _, _, p in found[:limit]]


def _label_or_words_source(owner_id: str, term: LabelOrWords, min_confidence: float) -> Source | None:
    """A LabelOrWords' candidates: its labels' partitions (at min_confidence), its category's, and for each
    phrase the text partition of its longest word; None when a phrase has no word long enough for one (the
    union would miss its matches)."""
    pks = [K.ix_pk(owner_id, "L", key) for key in dict.fromkeys(label_key(x) for x in term.labels) if key]
    if term.category:
        pks.append(K.ix_pk(owner_id, "C", fold(term.category.strip())))
    for phrase in term.phrases:
        long_words = [w for w in query_words(phrase) if len(w) >= K.TEXT_PREFIX]
        if not long_words and query_words(phrase):
            return None
        if long_words:
            pks.append(K.ix_pk(owner_id, "T", max(long_words, key=len)[:K.TEXT_PREFIX]))
    return Source(None, tuple(dict.fromkeys(pks)), min_conf=min_confidence) if pks else None


def match_reasons_of(photo: Photo, query: SearchQuery, album_name: str | None) -> list[str] | None:
    from ...domain.search import match_reasons

    return match_reasons(photo, query, album_name=album_name)
