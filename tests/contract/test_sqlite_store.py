"""SqliteMetadataStore against the MetadataStore contract, plus its SQLite-only promises (migrations,
connection settings, threads)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudalbum.adapters.embedded.database import migration_files, split_sql
from cloudalbum.adapters.embedded.photo_rows import load_photos, sort_key
from cloudalbum.adapters.embedded.store import SqliteMetadataStore
from contract.batches_contract import BatchStoreContract
from contract.faces_contract import FaceStoreContract
from contract.limits_contract import LimitStoreConcurrencyContract, LimitStoreContract
from contract.metadata_contract import MetadataStoreConcurrencyContract, MetadataStoreContract, make_photo
from contract.places_contract import PlaceIndexContract
from contract.sharing_contract import ShareStoreContract
from contract.timeline_contract import TimelineContract


class TestSqliteMetadataStore(MetadataStoreContract, MetadataStoreConcurrencyContract, LimitStoreContract,
                              LimitStoreConcurrencyContract, ShareStoreContract, BatchStoreContract,
                              TimelineContract, PlaceIndexContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteMetadataStore]:
        s = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        yield s
        s.close()


def _open(path: str) -> None:
    SqliteMetadataStore(Path(path)).close()


def test_migrations_apply_once_even_when_processes_start_together(tmp_path: Path) -> None:
    path = tmp_path / "meta.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_open, args=(str(path),)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    names = [n for n, _ in migration_files()]
    with sqlite3.connect(path) as conn:
        rows = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert rows == sorted(names)
    SqliteMetadataStore(path).close()  # reopening applies nothing new and does not fail


def test_connection_settings(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    conn = store.db.read()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.close()


def test_each_thread_has_its_own_connection(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    conns: list[int] = []
    t = threading.Thread(target=lambda: conns.append(id(store.db.read())))
    t.start()
    t.join()
    assert conns[0] != id(store.db.read())
    store.close()


def test_concurrent_writers_from_threads(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")

    def add(n: int) -> None:
        for _ in range(n):
            store.photos.add_photo(make_photo("u1"))

    threads = [threading.Thread(target=add, args=(25,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.photos.usage("u1")[0] == 100
    store.close()


def test_tx_rolls_back_on_error(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    with pytest.raises(RuntimeError):
        with store.db.tx() as conn:
            conn.execute("INSERT INTO hits (key, at) VALUES ('k', 1)")
            raise RuntimeError("boom")
    assert store.db.read().execute("SELECT COUNT(*) FROM hits").fetchone()[0] == 0
    store.close()


def test_load_photos_keeps_order_and_skips_missing(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    photos = [make_photo("u1") for _ in range(3)]
    for p in photos:
        store.photos.add_photo(p)
    ids = [photos[2].id, "missing", photos[0].id, photos[1].id]
    assert [p.id for p in load_photos(store.db.read(), ids)] == [photos[2].id, photos[0].id, photos[1].id]
    store.close()


@pytest.mark.parametrize("taken, uploaded, expected", [
    ("2024-05-01T10:11:12+02:00", "2026-01-01T00:00:00+00:00", "2024-05-01T08:11:12"),  # the UTC instant
    ("2024-05-01T01:00:00+09:00", "2026-01-01T00:00:00+00:00", "2024-04-30T16:00:00"),  # the day before in UTC
    ("2024-05-01T22:30:00-05:30", "2026-01-01T00:00:00+00:00", "2024-05-02T04:00:00"),
    ("2024-05-01T10:11:12Z", "2026-01-01T00:00:00+00:00", "2024-05-01T10:11:12"),
    ("2024-05-01 10:11:12", "2026-01-01T00:00:00+00:00", "2024-05-01T10:11:12"),  # naive: read as UTC
    ("2024-05-01", "2026-01-01T00:00:00+00:00", "2024-05-01T00:00:00"),
    ("2024-05", "2026-01-01T00:00:00+00:00", "2024-05-01T00:00:00"),  # partial: padded
    (None, "2026-01-02T03:04:05+00:00", "2026-01-02T03:04:05"),
])
def test_sort_key(taken: str | None, uploaded: str, expected: str) -> None:
    assert sort_key(make_photo("u1", taken_at=taken, uploaded_at=uploaded)) == expected


def test_split_sql_keeps_triggers_whole() -> None:
    script = """-- comment
CREATE TABLE a (x);
CREATE TRIGGER t AFTER INSERT ON a BEGIN
  INSERT INTO a VALUES (1);
  DELETE FROM a WHERE x = 2;
END;
"""
    parts = split_sql(script)
    assert len(parts) == 2 and parts[1].startswith("CREATE TRIGGER") and parts[1].endswith("END;")


def test_a_full_database_is_insufficient_storage(tmp_path: Path) -> None:
    """SQLite's own size cap (max_page_count) makes a real SQLITE_FULL without filling the disk."""
    from cloudalbum.domain.errors import StorageUnavailable

    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    conn = store.db.read()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StorageUnavailable) as info:
        for _ in range(500):
            store.photos.add_photo(make_photo("u1", title="x" * 2000))
    assert info.value.code == "insufficient_storage"
    conn.execute("PRAGMA max_page_count = 1073741823")
    store.photos.add_photo(make_photo("u1"))  # the store works again once there is room
    store.close()


@pytest.mark.parametrize("status", [None, "done"])
def test_deep_pages_are_an_index_range_not_a_scan(tmp_path: Path, status: str | None) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    for i in range(5):
        store.photos.add_photo(make_photo("u1", status="done", taken_at=f"2024-01-0{i + 1}T00:00:00"))
    first = store.photos.list_photos("u1", status=status, limit=2)
    statements: list[str] = []
    conn = store.db.read()
    conn.set_trace_callback(statements.append)
    store.photos.list_photos("u1", status=status, limit=2, cursor=first.next_cursor)
    conn.set_trace_callback(None)
    [sql] = [s for s in statements if "FROM photos" in s]
    plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
    assert "USING" in plan and "INDEX" in plan and "(sort_key,id)<" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # ordered by the index: no sort step
    store.close()


def test_pagination_property(tmp_path: Path) -> None:
    """Any library, any page size: the pages are the whole list, once each, in the documented order."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    times = st.one_of(
        st.none(),
        st.datetimes().map(lambda d: d.isoformat(timespec="seconds")),
        st.datetimes().map(lambda d: d.isoformat(timespec="seconds") + "+02:00"),
        st.sampled_from(["2024-01-01T00:00:00", "2024-01-01T00:00:00+05:30"]),  # many ties
    )
    counter = iter(range(10**6))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(taken=st.lists(times, max_size=25), limit=st.integers(1, 7))
    def check(taken: list[str | None], limit: int) -> None:
        store = SqliteMetadataStore(tmp_path / f"meta{next(counter)}.sqlite3")
        photos = [make_photo("u1", taken_at=t, uploaded_at="2025-06-01T00:00:00+00:00") for t in taken]
        for p in photos:
            store.photos.add_photo(p)
        seen, cursor = [], None
        while True:
            page = store.photos.list_photos("u1", limit=limit, cursor=cursor)
            seen += [p.id for p in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        expected = sorted(photos, key=lambda p: (sort_key(p), p.id), reverse=True)
        assert seen == [p.id for p in expected]
        store.close()

    check()


def test_connections_of_ended_threads_are_closed(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    for _ in range(20):
        t = threading.Thread(target=lambda: store.photos.usage("u1"))
        t.start()
        t.join()
    # each new thread's connection closed those of the threads that had ended before it
    assert len(store.db._conns) <= 2
    store.close()


class TestSqliteFaceStore(FaceStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteMetadataStore]:
        s = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        yield s
        s.close()


def test_unfiltered_timeline_reads_the_month_counters_by_primary_key(tmp_path: Path) -> None:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    plan = " ".join(store.index.explain_timeline("owner"))
    assert "search_month USING PRIMARY KEY (owner_id=?)" in plan, plan
    from cloudalbum.domain.search import SearchQuery

    plan = " ".join(store.index.explain_search("owner", SearchQuery(undated=True)))
    assert "search_doc_owner_undated" in plan and "TEMP B-TREE" not in plan, plan
    store.close()
