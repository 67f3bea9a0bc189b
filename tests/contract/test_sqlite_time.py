"""SqliteMetadataStore against the time contract, and migration 0270: a library written with the old wall-clock
sort keys (in photos, the search rows and album memberships) is ordered by instant once the migration runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from cloudalbum.domain.search import SearchQuery
from contract.time_contract import NEWEST_FIRST, TimeOrderContract, add_library, ids

TABLES = {"photos": "id", "search_doc": "photo_id", "search_label": "photo_id", "search_term": "photo_id",
          "album_photos": "photo_id"}


class TestSqliteTime(TimeOrderContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteMetadataStore]:
        s = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        yield s
        s.close()


def test_migration_0270_rewrites_the_wall_clock_keys_as_instants(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    try:
        owner, made, album = add_library(store)
        extra = {"plus_hhmm": "2026-03-01T09:00:00+0930", "partial": "2026", "date": "2026-03-01"}
        from contract.metadata_contract import make_photo

        for name, taken in extra.items():
            photo = make_photo(owner, taken_at=taken, status="done")
            store.photos.add_photo(photo)
            made[name] = photo.id
        keys_now = dict(store.db.read().execute("SELECT id, sort_key FROM photos").fetchall())
        with store.db.tx() as conn:  # as a store before issue 16.1 wrote them: the wall clock, cut to 19
            for table, column in TABLES.items():
                conn.execute(f"UPDATE {table} SET sort_key = (SELECT CASE WHEN length(p.taken_at) >= 19 THEN"
                             f" replace(substr(p.taken_at, 1, 19), ' ', 'T') ELSE p.sort_key END FROM photos p"
                             f" WHERE p.id = {table}.{column})")
            conn.execute("DELETE FROM schema_migrations WHERE name LIKE '0270_%'")
        expected = [made[n] for n in NEWEST_FIRST]
        wall = [made[n] for n in ("tokyo", "naive", "london", "new_york")]  # Tokyo's 08:00 is the latest wall clock
        assert [i for i in ids(store.photos.list_photos(owner).items) if i in expected] == wall
        assert store.db.migrate() == ["0270_sort_by_instant.sql"]
        assert dict(store.db.read().execute("SELECT id, sort_key FROM photos").fetchall()) == keys_now
        for table, column in TABLES.items():  # every copy of the key agrees with the photo's again
            assert store.db.read().execute(
                f"SELECT COUNT(*) FROM {table} t JOIN photos p ON p.id = t.{column}"
                " WHERE t.sort_key <> p.sort_key").fetchone()[0] == 0
        assert keys_now[made["plus_hhmm"]] == "2026-02-28T23:30:00"
        assert [i for i in ids(store.photos.list_photos(owner).items) if i in expected] == expected
        assert ids(store.albums.album_photos(album, owner).items) == expected
        assert ids(store.index.search(owner, SearchQuery(labels=("dog",))).items) == expected
    finally:
        store.close()
