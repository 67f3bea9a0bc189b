"""The MetadataStore contract, users/sessions/tokens/hits and photos parts (albums, questions and search have
their own contract modules). Every metadata store (SQLite, DynamoDB) runs it."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from cloudalbum.domain.errors import ConcurrentUpdate, Conflict, DomainError, Invalid, NotFound
from cloudalbum.domain.model import Answer, Box, Camera, Label, Location, ModelInfo, Photo, Place, User, new_id
from cloudalbum.ports import RefreshToken, Session
from contract.base import StoreContract


def make_user(email: str = "alice@example.com") -> User:
    return User(id=new_id(), email=email, password_hash="$argon2id$fake", created_at="2026-01-01T00:00:00+00:00")


def make_photo(owner_id: str, *, taken_at: str | None = None, uploaded_at: str = "2026-01-01T12:00:00+00:00",
               status: str = "uploaded", size: int = 1000, **kw: Any) -> Photo:
    pid = kw.pop("id", None) or new_id()
    return Photo(id=pid, owner_id=owner_id, filename=f"{pid}.jpg", content_type="image/jpeg", bytes=size,
                 original_key=f"originals/{owner_id}/{pid}", uploaded_at=uploaded_at, status=status,
                 taken_at=taken_at, **kw)


def full_photo(owner_id: str) -> Photo:
    """A photo with every nested field filled in, to prove the round trip loses nothing."""
    return make_photo(
        owner_id, taken_at="2024-05-01T10:11:12+02:00", status="done", width=4000, height=3000,
        camera=Camera(make="Canon", model="EOS 5D"),
        location=Location(lat=40.4168, lon=-3.7038, alt_m=650.5, source="exif",
                          place=Place(city="Madrid", region="Madrid", country="Spain", country_code="ES")),
        labels=[Label(name="dog", confidence=0.91, count=2, boxes=[Box(1, 2, 30, 40, 0.91), Box(5, 6, 7, 8, 0.5)],
                      model="yolov8n@abc"), Label(name="sunset", confidence=1.0, source="user")],
        categories=["animals"], answers=[Answer(question="Where?", answer="Madrid")], albums=["a1"],
        title="Café ☕", description="naïve 🐕", model=ModelInfo(name="yolov8n", version="abc"),
        thumbnail_keys={"small": f"thumbnails/{owner_id}/x/small.jpg"}, orientation=6,
        user_fields=["title"], rejected_labels=["cat"], processed_version="yolov8n@abc")


class MetadataStoreContract(StoreContract):
    """Subclasses supply `store`: an empty, real metadata store."""

    # --- users ------------------------------------------------------------------------------------------

    def test_user_round_trip_and_case_insensitive_email(self, store: Any) -> None:
        user = make_user("Alice@Example.com")
        store.users.add_user(user)
        assert store.users.user_by_id(user.id) == user
        assert store.users.user_by_email("alice@example.COM") == user
        assert store.users.user_by_email("bob@example.com") is None
        assert store.users.user_by_id("nobody") is None

    def test_duplicate_email_conflicts(self, store: Any) -> None:
        store.users.add_user(make_user("alice@example.com"))
        with pytest.raises(Conflict):
            store.users.add_user(make_user("ALICE@example.com"))

    def _session(self, store: Any) -> Session:
        user = make_user()
        store.users.add_user(user)
        s = Session(id=new_id(), user_id=user.id, created_at="2026-01-01T00:00:00+00:00",
                    expires_at="2026-02-01T00:00:00+00:00")
        store.users.add_session(s)
        return s

    def test_sessions(self, store: Any) -> None:
        s = self._session(store)
        assert store.users.get_session(s.id) == s
        store.users.revoke_session(s.id)
        assert store.users.get_session(s.id).revoked is True
        assert store.users.get_session("missing") is None

    def _token(self, store: Any) -> RefreshToken:
        s = self._session(store)
        t = RefreshToken(jti=new_id(), session_id=s.id, user_id=s.user_id, expires_at="2026-02-01T00:00:00+00:00")
        store.users.add_refresh_token(t)
        return t

    def test_refresh_token_works_once(self, store: Any) -> None:
        t = self._token(store)
        used = store.users.use_refresh_token(t.jti)
        assert used is not None and (used.jti, used.session_id, used.user_id) == (t.jti, t.session_id, t.user_id)
        assert store.users.use_refresh_token(t.jti) is None
        assert store.users.use_refresh_token("unknown") is None

    def test_refresh_token_race_has_one_winner(self, store: Any) -> None:
        t = self._token(store)
        results: list[Any] = []
        barrier = threading.Barrier(4)

        def use() -> None:
            barrier.wait()
            results.append(store.users.use_refresh_token(t.jti))

        threads = [threading.Thread(target=use) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sum(r is not None for r in results) == 1

    def test_hits_count_within_window(self, store: Any) -> None:
        now = 1_000_000.0
        assert [store.users.hit("login:a", window_s=60, now=now + i) for i in range(3)] == [1, 2, 3]
        assert store.users.hit("login:b", window_s=60, now=now) == 1
        assert store.users.hit_count("login:a", window_s=60, now=now + 3) == 3  # reading adds nothing
        # a window counts at least window_s back, at most a tenth more (DynamoDB's buckets)
        assert store.users.hit_count("login:a", window_s=60, now=now + 59) == 3
        assert store.users.hit("login:a", window_s=60, now=now + 2 + 60 * 1.1 + 1) == 1  # all fell out
        store.users.clear_hits("login:a")
        assert store.users.hit("login:a", window_s=60, now=now + 200) == 1

    def test_unhit_takes_back_one_event(self, store: Any) -> None:
        now = 1_000_000.0
        store.users.hit("k", window_s=60, now=now)
        store.users.hit("k", window_s=60, now=now + 1)
        store.users.unhit("k", window_s=60, now=now + 1)
        assert store.users.hit_count("k", window_s=60, now=now + 2) == 1
        store.users.unhit("never", window_s=60, now=now)  # nothing to take back: counts never go below zero
        assert store.users.hit("never", window_s=60, now=now) == 1
        assert store.users.hit("k", window_s=60, now=now + 3) == 2


    # --- accounts (issue 12) ------------------------------------------------------------------------------

    def test_password_hash_changes_for_both_lookups(self, store: Any) -> None:
        user = make_user("pw@example.com")
        store.users.add_user(user)
        store.users.set_password_hash(user.id, "$argon2id$new")
        assert store.users.user_by_id(user.id).password_hash == "$argon2id$new"
        assert store.users.user_by_email("pw@example.com").password_hash == "$argon2id$new"

    def test_revoke_user_sessions_keeps_one_and_spares_other_users(self, store: Any) -> None:
        a, other = self._session(store), make_user("other@example.com")
        store.users.add_user(other)
        b, c = (dataclasses.replace(a, id=new_id(), user_id=uid) for uid in (a.user_id, other.id))
        store.users.add_session(b)
        store.users.add_session(c)
        store.users.revoke_user_sessions(a.user_id, keep=a.id)
        assert store.users.get_session(a.id).revoked is False and store.users.get_session(b.id).revoked is True
        assert store.users.get_session(c.id).revoked is False  # another user's
        store.users.revoke_user_sessions(a.user_id)
        assert store.users.get_session(a.id).revoked is True

    def test_delete_user_removes_the_account_sessions_and_tokens(self, store: Any) -> None:
        user, other = make_user("gone@example.com"), make_user("stays@example.com")
        store.users.add_user(user)
        store.users.add_user(other)
        sessions = {}
        for u in (user, other):
            sessions[u.id] = Session(id=new_id(), user_id=u.id, created_at="2026-01-01T00:00:00+00:00",
                                     expires_at="2026-04-01T00:00:00+00:00")
            store.users.add_session(sessions[u.id])
            store.users.add_refresh_token(RefreshToken(jti=f"jti-{u.id}", session_id=sessions[u.id].id, user_id=u.id,
                                                 expires_at="2026-02-01T00:00:00+00:00"))
        store.users.delete_user(user.id)
        store.users.delete_user(user.id)  # idempotent
        assert store.users.user_by_id(user.id) is None and store.users.user_by_email(user.email) is None
        assert store.users.get_session(sessions[user.id].id) is None
        assert store.users.use_refresh_token(f"jti-{user.id}") is None
        assert store.users.user_by_email(other.email) == other
        assert store.users.get_session(sessions[other.id].id) is not None
        assert store.users.use_refresh_token(f"jti-{other.id}") is not None

    def test_delete_owner_data_removes_only_that_owner(self, store: Any) -> None:
        mine, theirs = full_photo("gone"), full_photo("stays")
        mine.albums = theirs.albums = []
        store.photos.add_photo(mine)
        store.photos.add_photo(theirs)
        store.delete_owner_data("gone")
        store.delete_owner_data("gone")
        assert store.photos.get_photo(mine.id, None) is None and store.photos.usage("gone") == (0, 0)
        assert store.photos.get_photo(theirs.id, "stays") is not None and store.photos.usage("stays") == (1, theirs.bytes)

    # --- photos -----------------------------------------------------------------------------------------

    def test_photo_round_trip(self, store: Any) -> None:
        photo = full_photo("u1")
        store.photos.add_photo(photo)
        assert store.photos.get_photo(photo.id, "u1") == photo
        assert store.photos.get_photo(photo.id, None) == photo

    def test_other_owner_sees_nothing(self, store: Any) -> None:
        photo = make_photo("u1")
        store.photos.add_photo(photo)
        assert store.photos.get_photo(photo.id, "u2") is None
        assert store.photos.get_photo("missing", "u1") is None
        assert store.photos.list_photos("u2").items == []

    def test_save_bumps_version(self, store: Any) -> None:
        photo = make_photo("u1")
        store.photos.add_photo(photo)
        saved = store.photos.save_photo(dataclasses.replace(photo, status="done", title="t"))
        assert saved.version == photo.version + 1
        got = store.photos.get_photo(photo.id, "u1")
        assert (got.status, got.title, got.version) == ("done", "t", saved.version)
        again = store.photos.save_photo(dataclasses.replace(got, title="t2"))
        assert again.version == saved.version + 1

    def test_stale_save_is_a_concurrent_update(self, store: Any) -> None:
        photo = make_photo("u1")
        store.photos.add_photo(photo)
        store.photos.save_photo(dataclasses.replace(photo, title="first writer"))
        with pytest.raises(ConcurrentUpdate):
            store.photos.save_photo(dataclasses.replace(photo, title="second writer"))
        assert store.photos.get_photo(photo.id, "u1").title == "first writer"

    def test_save_of_a_deleted_photo_is_not_found(self, store: Any) -> None:
        photo = make_photo("u1")
        store.photos.add_photo(photo)
        store.photos.delete_photo(photo.id)
        with pytest.raises(NotFound):
            store.photos.save_photo(photo)

    def test_delete_is_idempotent(self, store: Any) -> None:
        photo = make_photo("u1")
        store.photos.add_photo(photo)
        store.photos.delete_photo(photo.id)
        store.photos.delete_photo(photo.id)
        store.photos.delete_photo("never-existed")
        assert store.photos.get_photo(photo.id, None) is None
        assert store.photos.usage("u1") == (0, 0)

    def test_list_order_newest_taken_first(self, store: Any) -> None:
        a = make_photo("u1", taken_at="2024-05-01T10:00:00")  # naive camera time
        b = make_photo("u1", taken_at="2024-06-01T10:00:00+02:00")
        c = make_photo("u1", taken_at=None, uploaded_at="2024-05-15T00:00:00+00:00")  # no date: upload time
        d = make_photo("u1", taken_at="2023-01-01T00:00:00")
        for p in (a, b, c, d):
            store.photos.add_photo(p)
        assert [p.id for p in store.photos.list_photos("u1").items] == [b.id, c.id, a.id, d.id]

    def test_pagination_covers_every_item_once_in_order(self, store: Any) -> None:
        photos = [make_photo("u1", taken_at=f"2024-01-{1 + i // 3:02d}T00:00:00") for i in range(17)]  # ties
        for p in photos:
            store.photos.add_photo(p)
        store.photos.add_photo(make_photo("u2"))
        full = store.photos.list_photos("u1", limit=100)
        assert full.next_cursor is None and len(full.items) == 17
        seen, cursor = [], None
        while True:
            page = store.photos.list_photos("u1", limit=4, cursor=cursor)
            assert len(page.items) <= 4
            seen += [p.id for p in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == [p.id for p in full.items]
        expected = sorted(photos, key=lambda p: (p.taken_at, p.id), reverse=True)
        assert seen == [p.id for p in expected]

    def test_exact_page_has_no_dangling_cursor(self, store: Any) -> None:
        for i in range(4):
            store.photos.add_photo(make_photo("u1", taken_at=f"2024-01-0{i + 1}T00:00:00"))
        first = store.photos.list_photos("u1", limit=2)
        second = store.photos.list_photos("u1", limit=2, cursor=first.next_cursor)
        assert len(second.items) == 2
        assert second.next_cursor is None or store.photos.list_photos("u1", limit=2, cursor=second.next_cursor).items == []

    def test_status_filter(self, store: Any) -> None:
        done = make_photo("u1", status="done")
        store.photos.add_photo(done)
        store.photos.add_photo(make_photo("u1", status="uploaded"))
        assert [p.id for p in store.photos.list_photos("u1", status="done").items] == [done.id]

    @pytest.mark.parametrize("cursor", ["not a cursor!", "e30", "W10", "bm9wZQ", "%%%"])
    def test_malformed_cursor_is_invalid(self, store: Any, cursor: str) -> None:
        with pytest.raises(Invalid):
            store.photos.list_photos("u1", cursor=cursor)

    def test_usage(self, store: Any) -> None:
        store.photos.add_photo(make_photo("u1", size=100))
        store.photos.add_photo(make_photo("u1", size=250))
        store.photos.add_photo(make_photo("u2", size=7))
        assert store.photos.usage("u1") == (2, 350)
        assert store.photos.usage("nobody") == (0, 0)

    def test_stale_photos(self, store: Any) -> None:
        old = make_photo("u1", status="uploaded", uploaded_at="2026-01-01T10:00:00+00:00")
        new = make_photo("u1", status="uploaded", uploaded_at="2026-01-01T12:00:00+00:00")
        done = make_photo("u1", status="done", uploaded_at="2026-01-01T09:00:00+00:00")
        for p in (old, new, done):
            store.photos.add_photo(p)
        stale = store.photos.stale_photos("uploaded", older_than="2026-01-01T11:00:00+00:00")
        assert [p.id for p in stale] == [old.id]

    def test_stale_photos_oldest_first_across_many_photos_and_limited(self, store: Any) -> None:
        """Enough photos that every pending-work shard of the AWS store holds some: one ordered, limited list."""
        photos = [make_photo("u1", status="uploaded", uploaded_at=f"2026-01-01T10:{m:02d}:00+00:00")
                  for m in range(40)]
        for p in reversed(photos):
            store.photos.add_photo(p)
        stale = store.photos.stale_photos("uploaded", older_than="2026-01-01T10:30:00+00:00", limit=25)
        assert [p.id for p in stale] == [p.id for p in photos[:25]]
        done = photos[0]
        done.status = "done"
        store.photos.save_photo(done)  # a finished photo leaves the index of pending work
        assert done.id not in [p.id for p in store.photos.stale_photos("uploaded", older_than="2027-01-01T00:00:00+00:00")]

    def test_pending_blobs_are_found_by_age_and_removed(self, store: Any) -> None:
        from cloudalbum.ports import PendingBlobs

        entries = [PendingBlobs(photo_id=f"p{i:02d}", owner_id="u1", since=f"2026-01-01T10:{i:02d}:00.000000+00:00")
                   for i in range(30)]
        for e in reversed(entries):
            store.photos.add_pending_blobs(e)
        old = store.photos.pending_blobs(older_than="2026-01-01T10:20:00.000000+00:00", limit=100)
        assert old == entries[:20]
        assert store.photos.pending_blobs(older_than="2026-01-01T10:20:00.000000+00:00", limit=5) == entries[:5]
        store.photos.remove_pending_blobs(entries[0])
        store.photos.remove_pending_blobs(entries[0])  # idempotent
        assert store.photos.pending_blobs(older_than="2026-01-01T10:02:00.000000+00:00") == [entries[1]]

    def test_add_duplicate_photo_id_fails(self, store: Any) -> None:
        photo = make_photo("u1")
        store.photos.add_photo(photo)
        with pytest.raises(DomainError):
            store.photos.add_photo(photo)


class MetadataStoreConcurrencyContract:
    """Throttling counts under concurrent requests (threads racing on one store). Run on SQLite and DynamoDB
    Local; not on moto, whose ADD and conditional writes are not atomic under concurrent requests (two updates
    can read the same count), unlike DynamoDB's."""

    def test_concurrent_hits_never_admit_more_than_the_limit(self, store: Any) -> None:
        """Atomic counting: of n concurrent callers, at most k see a count <= k (no check-then-count race)."""
        n, limit, now = 12, 5, 1_000_000.0
        seen: list[int] = []
        barrier = threading.Barrier(n)

        def hit() -> None:
            barrier.wait()
            seen.append(store.users.hit("race", window_s=300, now=now))

        threads = [threading.Thread(target=hit) for _ in range(n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert len(seen) == n and max(seen) == n
        assert sum(c <= limit for c in seen) <= limit
        assert store.users.hit_count("race", window_s=300, now=now) == n
