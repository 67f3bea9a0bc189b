"""The search index items (`IX#<owner>#<kind>#<value>` / position, keys.index_entries): written after each photo
write, read as ordered streams of candidates. Photos write them; the search index and albums (an album's
photos, its cover) read them.

Every candidate source (a label, an album, a place, a person, the first letters of a word, geohash cells, a
range of the owner's list) is a set of partitions sorted newest first by the photo's position. A stream merges
a source's partitions in order; resolving it re-reads each candidate's photo, so an index item that is stale
(a crash between the photo's write and its index's, a race) costs a read and is deleted, never a wrong answer.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ...domain.model import Page, Photo
from . import cursors as C
from . import keys as K
from .photo_items import photo_of
from .table import N, S, Table, s

PROBE = 200  # items a selectivity probe reads at most
RESOLVE_CHUNK = 40  # candidates re-read per BatchGetItem while filling a page


@dataclass(frozen=True)
class Source:
    """A candidate source: partitions of the table (index None) or of a GSI, each sorted by position, and an
    optional sort-key range (lo, hi) or minimum label confidence."""

    index: str | None
    pks: tuple[str, ...]
    min_conf: float | None = None
    lo: str | None = None
    hi: str | None = None


class IndexItems:
    """Writes a photo's index items and reads candidate streams out of them, on the shared table."""

    def __init__(self, table: Table) -> None:
        self.table, self.client = table, table.client

    def write(self, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> None:
        """Bring a photo's index items from `old` to `new` (entries of keys.index_entries), in batches."""
        puts = []
        for entry, extra in new.items():
            if old.get(entry) != extra or entry not in old:
                pk, sk = K.split_entry(entry)
                item = {"PK": S(pk), "SK": S(sk), "photo_id": S(K.photo_id_of(sk))}
                if "conf" in extra:
                    item["conf"] = N(float(extra["conf"]))
                if "fp" in extra:  # a duplicate lookup item carries its photo's fingerprint
                    item["fp"] = S(str(extra["fp"]))
                if "near" in extra:  # and the dHash its lookup prefilters on (domain.duplicates.near_enough)
                    item["near"] = S(str(extra["near"]))
                puts.append(item)
        deletes = [dict(zip(("PK", "SK"), K.split_entry(e), strict=True)) for e in old if e not in new]
        self.table.batch_write(puts=puts, deletes=deletes)

    def query_params(self, source: Source, pk: str, after: str | None) -> dict[str, Any]:
        """Table.query keyword arguments for one partition of a source, below position `after`."""
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

    def probe(self, source: Source) -> int:
        """How many candidates a source has, counted up to PROBE (bounded COUNT queries, no filter)."""
        total = 0
        for pk in source.pks:
            q = self.query_params(source, pk, None)
            params: dict[str, Any] = {
                "TableName": self.table.name, "Select": "COUNT", "Limit": PROBE,
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

    def stream(self, source: Source, after: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
        """(position, item) of a source, newest first, its partitions merged, positions below `after`."""

        def one(pk: str) -> Iterator[tuple[str, dict[str, Any]]]:
            params = self.query_params(source, pk, after)
            for item in self.table.query(forward=False, consistent=source.index is None, **params):
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

    def resolve(self, stream: Iterator[tuple[str, dict[str, Any]]], keep: Callable[[Photo], Any]
                ) -> Iterator[tuple[Photo, str]]:
        """The photos behind a candidate stream, in order, that are current and pass `keep`. Index items are
        re-read against their photo in chunks; an item whose photo is gone or no longer has it is deleted."""
        chunk: list[tuple[str, dict[str, Any]]] = []

        def flush() -> Iterator[tuple[Photo, str]]:
            need = [K.photo_key(K.photo_id_of(pos)) for pos, it in chunk if "doc" not in it]
            found = {photo_of(it).id: photo_of(it) for it in self.table.batch_get(need)} if need else {}
            stale = []
            for pos, it in chunk:
                photo = photo_of(it) if "doc" in it else found.get(K.photo_id_of(pos))
                if photo is None or photo.trashed_at is not None or K.position(photo) != pos:
                    if "doc" not in it:
                        stale.append({"PK": s(it, "PK") or "", "SK": pos})
                    continue
                if keep(photo):
                    yield photo, pos
            if stale:
                self.table.batch_write(deletes=stale)

        for entry in stream:
            chunk.append(entry)
            if len(chunk) >= RESOLVE_CHUNK:
                yield from flush()
                chunk = []
        if chunk:
            yield from flush()


def page_of(results: Iterator[tuple[Photo, Any]], limit: int, present: Callable[[Photo, Any], Any]) -> Page:
    """A page of the first `limit` results (each presented), with a cursor when there is one more."""
    limit = max(1, limit)
    items: list[Any] = []
    last_pos = ""
    for photo, extra in results:
        if len(items) == limit:
            return Page(items, C.encode_cursor(last_pos))
        items.append(present(photo, extra))
        last_pos = K.position(photo)
    return Page(items, None)
