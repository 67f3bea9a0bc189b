"""SqliteMetadataStore against the duplicates contract, and the plans: every lookup is an index probe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudalbum.adapters.embedded.database import MIGRATIONS_DIR, SqliteDatabase
from cloudalbum.adapters.embedded.duplicates import lookup_sql
from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from cloudalbum.domain.duplicates import Fingerprint, key_rows
from cloudalbum.domain.model import Photo
from contract.duplicates_contract import DuplicateStoreContract
from contract.metadata_contract import make_photo, make_user


class TestSqliteDuplicates(DuplicateStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteMetadataStore]:
        s = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        yield s
        s.close()

    def forget_prefilter(self, store: Any, photo: Photo) -> None:
        with store.db.tx() as conn:
            conn.execute("UPDATE dup_keys SET near = NULL WHERE photo_id = ?", (photo.id,))


def test_lookups_and_groups_read_their_indexes(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    try:
        conn = store.db.read()

        def plan(sql: str, *args: object) -> str:
            return " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, args))

        lookup = plan(lookup_sql(2), "a", "0" * 16, "b", None, "o", 9)
        assert "SEARCH k USING PRIMARY KEY (owner_id=? AND key=?)" in lookup, lookup
        assert "SEARCH p USING PRIMARY KEY" in lookup and "SCAN k" not in lookup, lookup
        assert "photos_owner_sort" in plan("SELECT id FROM photos WHERE owner_id = ? AND trashed_at IS NULL"
                                           " AND sort_key BETWEEN ? AND ? ORDER BY sort_key DESC, id DESC LIMIT 5",
                                           "o", "a", "b")
        assert "dup_groups_owner" in plan("SELECT id FROM dup_groups WHERE owner_id = ? AND id > ? ORDER BY id"
                                          " LIMIT 5", "o", "x")
    finally:
        store.close()


def test_migration_0280_gives_the_rows_of_before_the_prefilter_their_dhash(tmp_path: Path) -> None:
    """A library whose lookup rows were written before 0280 (no `near`): the migration fills each band row with
    the dHash key_rows gives it, from the stored fingerprint alone, and the lookups then prefilter them."""
    before = tmp_path / "before"
    before.mkdir()
    for f in MIGRATIONS_DIR.glob("*.sql"):
        if int(f.name[:4]) < 280:
            (before / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    db = SqliteDatabase(tmp_path / "meta.sqlite3")
    db.migrate(before)
    owner = make_user("old@example.com")
    h, r = "12345678abcdef01", "10fedcba87654321"
    fp = Fingerprint(pixels="9" * 32, phash=h, dhash=h, aspect=1.5, crops=((r, r), (h, r), (r[:8] + h[8:], h)))
    photo = make_photo(owner.id, status="done", fingerprint=fp)
    with db.tx() as conn:  # what 0240's photo write stored
        conn.execute("INSERT INTO users (id, email, email_key, password_hash, created_at) VALUES (?, ?, ?, 'x', ?)",
                     (owner.id, owner.email, owner.email, owner.created_at))
        conn.execute("INSERT INTO photos (id, owner_id, status, sort_key, uploaded_at, bytes, version, doc)"
                     " VALUES (?, ?, 'done', 'k', ?, 1, 1, '{}')", (photo.id, owner.id, photo.uploaded_at))
        conn.executemany("INSERT INTO dup_keys (owner_id, key, photo_id) VALUES (?, ?, ?)",
                         [(owner.id, r.key, photo.id) for r in key_rows(fp)])
        conn.execute("INSERT INTO dup_prints (photo_id, owner_id, fp) VALUES (?, ?, ?)",
                     (photo.id, owner.id, fp.to_text()))
    assert db.migrate() == ["0280_duplicate_prefilter.sql"]
    rows = dict(db.read().execute("SELECT key, near FROM dup_keys WHERE photo_id = ?", (photo.id,)).fetchall())
    assert rows == {r.key: r.near or None for r in key_rows(fp)}
    assert set(rows.values()) == {None, h, r}  # the pixel key has none; a band takes its first framing's dHash
    db.close()
