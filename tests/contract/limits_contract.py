"""The LimitStore contract (issue 12: quota reservations, counted events, one face scan per owner) and the two
store promises the races of item 8 rely on (a delete conditional on the version; a question or face deleted
with its photo is never brought back). Every metadata store runs it (SQLite here, DynamoDB in tests/aws)."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from cloudalbum.domain.errors import ConcurrentUpdate
from cloudalbum.domain.model import Question, new_id
from cloudalbum.ports import RESERVATION_TTL_S
from contract.faces_contract import make_face
from contract.metadata_contract import make_photo

NOW = 1_800_000_000.0


class LimitStoreContract:
    # --- quota ----------------------------------------------------------------------------------------------

    def test_reservations_count_with_stored_bytes(self, store: Any) -> None:
        store.photos.add_photo(make_photo("q1", size=600))
        assert store.limits.reserve_bytes("q1", 401, limit=1000, now=NOW) is None  # 600 + 401 > 1000
        first = store.limits.reserve_bytes("q1", 300, limit=1000, now=NOW)
        assert first is not None
        assert store.limits.reserve_bytes("q1", 101, limit=1000, now=NOW) is None  # 600 + 300 + 101
        assert store.limits.reserve_bytes("q1", 100, limit=1000, now=NOW) is not None  # exactly the limit
        store.limits.release_bytes("q1", first)
        store.limits.release_bytes("q1", first)  # idempotent
        assert store.limits.reserve_bytes("q1", 300, limit=1000, now=NOW) is not None
        assert store.limits.reserve_bytes("other", 1000, limit=1000, now=NOW) is not None  # per owner
        assert store.photos.usage("q1") == (1, 600)  # reservations are not usage

    def test_recording_the_photo_takes_over_its_reservation(self, store: Any) -> None:
        """add_photo(reservation=...) counts the bytes and drops the reservation in one write: never twice (a
        concurrent upload would be refused for nothing) and never not at all."""
        rid = store.limits.reserve_bytes("q5", 300, limit=1000, now=NOW)
        store.photos.add_photo(make_photo("q5", size=300), reservation=rid)
        assert store.photos.usage("q5") == (1, 300)
        assert store.limits.reserve_bytes("q5", 700, limit=1000, now=NOW) is not None
        assert store.limits.reserve_bytes("q5", 1, limit=1000, now=NOW) is None
        store.limits.release_bytes("q5", rid)  # already taken over: nothing happens

    def test_a_reservation_expires(self, store: Any) -> None:
        assert store.limits.reserve_bytes("q2", 900, limit=1000, now=NOW) is not None
        assert store.limits.reserve_bytes("q2", 200, limit=1000, now=NOW) is None
        assert store.limits.reserve_bytes("q2", 200, limit=1000, now=NOW + RESERVATION_TTL_S + 1) is not None

    def test_deleting_a_photo_gives_its_bytes_back(self, store: Any) -> None:
        photo = make_photo("q3", size=800)
        store.photos.add_photo(photo)
        assert store.limits.reserve_bytes("q3", 300, limit=1000, now=NOW) is None
        store.photos.delete_photo(photo.id)
        assert store.limits.reserve_bytes("q3", 300, limit=1000, now=NOW) is not None

    # --- counted events -------------------------------------------------------------------------------------

    def test_take_slot_counts_up_to_the_limit_then_says_how_long_to_wait(self, store: Any) -> None:
        assert [store.limits.take_slot("k1", limit=3, window_s=60, now=NOW) for _ in range(3)] == [0, 0, 0]
        wait = store.limits.take_slot("k1", limit=3, window_s=60, now=NOW)
        assert 0 < wait <= 60
        assert store.limits.take_slot("k2", limit=3, window_s=60, now=NOW) == 0  # another key is not touched
        assert store.limits.take_slot("k1", limit=3, window_s=60, now=NOW + wait) == 0  # allowed again after the wait

    def test_refused_events_are_not_counted(self, store: Any) -> None:
        store.limits.take_slot("k3", limit=1, window_s=60, now=NOW)
        for _ in range(5):
            assert store.limits.take_slot("k3", limit=1, window_s=60, now=NOW) > 0
        assert store.limits.take_slot("k3", limit=1, window_s=60, now=NOW + 61) == 0

    # --- face scans -----------------------------------------------------------------------------------------

    def test_one_face_scan_in_flight_per_owner(self, store: Any) -> None:
        assert store.limits.face_scan("s1") is None
        assert store.limits.claim_face_scan("s1", "scan-a", now=NOW, stale_after_s=600)
        assert not store.limits.claim_face_scan("s1", "scan-b", now=NOW + 1, stale_after_s=600)
        assert store.limits.face_scan("s1").scan_id == "scan-a"
        assert store.limits.claim_face_scan("s2", "scan-c", now=NOW, stale_after_s=600)  # per owner
        assert not store.limits.touch_face_scan("s1", "scan-b", now=NOW + 2)  # not the owner's scan
        assert store.limits.touch_face_scan("s1", "scan-a", now=NOW + 500)
        assert not store.limits.claim_face_scan("s1", "scan-b", now=NOW + 900, stale_after_s=600)  # it moved at +500
        assert store.limits.touch_face_scan("s1", "scan-a", now=NOW + 901, done=True)
        scan = store.limits.face_scan("s1")
        assert (scan.scan_id, scan.done) == ("scan-a", True)
        assert store.limits.claim_face_scan("s1", "scan-b", now=NOW + 902, stale_after_s=600)  # done: a new one may go

    def test_a_stalled_scan_may_be_replaced_and_a_cleared_one_is_gone(self, store: Any) -> None:
        assert store.limits.claim_face_scan("s3", "old", now=NOW, stale_after_s=600)
        assert store.limits.claim_face_scan("s3", "new", now=NOW + 601, stale_after_s=600)
        assert not store.limits.touch_face_scan("s3", "old", now=NOW + 602)
        store.limits.clear_face_scan("s3")
        assert store.limits.face_scan("s3") is None
        assert not store.limits.touch_face_scan("s3", "new", now=NOW + 603)

    def test_trash_count_is_zero_until_the_trash_exists(self, store: Any) -> None:
        assert store.limits.trash_count("t1") == 0

    # --- what the races of item 8 rely on -------------------------------------------------------------------

    def test_delete_with_a_stale_version_changes_nothing(self, store: Any) -> None:
        photo = make_photo("d1")
        store.photos.add_photo(photo)
        saved = store.photos.save_photo(dataclasses.replace(photo, title="a worker wrote"))
        with pytest.raises(ConcurrentUpdate):
            store.photos.delete_photo(photo.id, version=photo.version)
        assert store.photos.get_photo(photo.id, "d1") is not None
        store.photos.delete_photo(photo.id, version=saved.version)
        assert store.photos.get_photo(photo.id, "d1") is None
        store.photos.delete_photo(photo.id, version=saved.version)  # gone: still idempotent

    def test_a_question_deleted_with_its_photo_is_not_brought_back(self, store: Any) -> None:
        photo = make_photo("d2")
        store.photos.add_photo(photo)
        q = Question(id=new_id(), owner_id="d2", photo_id=photo.id, kind="people", text="Who is this?",
                     reason="r", created_at="2026-01-01T00:00:00+00:00")
        store.questions.add_question(q)
        store.photos.delete_photo(photo.id)
        store.questions.save_question(dataclasses.replace(q, status="dismissed"))
        assert store.questions.get_question(q.id, "d2") is None
        assert store.questions.questions_for_photo(photo.id) == []

    def test_delete_of_a_gone_photo_removes_faces_left_under_its_id(self, store: Any) -> None:
        """A worker may write faces after the photo went (DynamoDB has no foreign keys): deleting again
        removes them."""
        photo = make_photo("d3")
        store.photos.add_photo(photo)
        store.photos.delete_photo(photo.id)
        try:
            store.faces.add_faces([make_face("d3", photo.id)])
        except Exception:
            pass
        store.photos.delete_photo(photo.id)
        assert store.faces.faces_of_photo(photo.id) == []


class LimitStoreConcurrencyContract:
    """The same promises under concurrent requests (threads racing on one store). Run on SQLite and DynamoDB
    Local; not on moto, whose conditional writes are not atomic under concurrent requests (two can both pass
    one condition), unlike DynamoDB's."""

    def test_concurrent_reservations_never_pass_the_limit(self, store: Any) -> None:
        """Eight threads race for 100-byte reservations under a 450-byte quota: exactly four win."""
        won: list[str] = []
        barrier = threading.Barrier(8)

        def take() -> None:
            barrier.wait()
            rid = store.limits.reserve_bytes("q4", 100, limit=450, now=NOW)
            if rid is not None:
                won.append(rid)

        threads = [threading.Thread(target=take) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(won) == 4

    def test_concurrent_slots_never_pass_the_limit(self, store: Any) -> None:
        got: list[float] = []
        barrier = threading.Barrier(8)

        def take() -> None:
            barrier.wait()
            got.append(store.limits.take_slot("k4", limit=5, window_s=3600, now=NOW))

        threads = [threading.Thread(target=take) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(w == 0 for w in got) == [False] * 3 + [True] * 5

    def test_concurrent_claims_one_wins(self, store: Any) -> None:
        won: list[str] = []
        barrier = threading.Barrier(6)

        def claim(i: int) -> None:
            barrier.wait()
            if store.limits.claim_face_scan("s4", f"scan-{i}", now=NOW, stale_after_s=600):
                won.append(f"scan-{i}")

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(won) == 1 and store.limits.face_scan("s4").scan_id == won[0]
