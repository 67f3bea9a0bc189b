"""The DuplicateStore contract (issue 15 item 2): lookups through the keys each photo's own write keeps (none in
the trash, none of another owner), the owner's taken-time range, and groups with at most one open group per
photo, conditional writes and dismissals. Every metadata store runs it."""

from __future__ import annotations

from typing import Any

import pytest

from cloudalbum.domain import photo_rules
from cloudalbum.domain.duplicates import PREFILTER_DHASH, DuplicateGroup, Fingerprint, Probe, key_rows, lookup_keys
from cloudalbum.domain.errors import ConcurrentUpdate
from cloudalbum.domain.model import Camera, Photo, new_id
from contract.metadata_contract import make_photo, make_user

NOW = "2026-03-01T10:00:00+00:00"


def fingerprint(seed: int) -> Fingerprint:
    h = f"{seed:016x}"
    return Fingerprint(pixels=f"{seed:032x}", phash=h, dhash=h, aspect=1.5, exif_tags=seed % 7,
                       crops=((h[::-1], h), (h, h[::-1]), (h, h)))


def group(owner: str, photos: list[str], gid: str | None = None) -> DuplicateGroup:
    return DuplicateGroup(id=gid or new_id(), owner_id=owner, kind="near", photo_ids=photos, created_at=NOW, phash=3)


class DuplicateStoreContract:
    """Subclasses supply `store`: an empty, real metadata store."""

    @pytest.fixture
    def store(self) -> Any:
        raise NotImplementedError("a subclass supplies the adapter under test")

    @pytest.fixture
    def owners(self, store: Any) -> tuple[str, str]:
        alice, bob = make_user("alice@example.com"), make_user("bob@example.com")
        store.users.add_user(alice)
        store.users.add_user(bob)
        return alice.id, bob.id

    def forget_prefilter(self, store: Any, photo: Photo) -> None:
        """Make the photo's lookup rows look as they were written before the prefilter existed (no `near`)."""
        raise NotImplementedError("a subclass knows its adapter's rows")

    def add(self, store: Any, owner: str, seed: int, **kw: Any) -> Photo:
        photo = make_photo(owner, status="done", fingerprint=fingerprint(seed), **kw)
        store.photos.add_photo(photo)
        saved: Photo = store.photos.get_photo(photo.id, owner)
        return saved

    def test_a_photo_is_found_by_its_keys_with_its_fingerprint_and_only_by_its_owner(self, store: Any,
                                                                                      owners: tuple[str, str]) -> None:
        alice, bob = owners
        photo = self.add(store, alice, 0x1234)
        self.add(store, bob, 0x1234)  # the same fingerprint in another library
        keys = lookup_keys(fingerprint(0x1234))
        found = store.duplicates.candidates(alice, keys)
        assert [(c.photo_id, c.fingerprint) for c in found] == [(photo.id, fingerprint(0x1234))]
        assert store.duplicates.candidates(alice, [keys[1]]) == found  # any one key finds it
        assert store.duplicates.candidates(alice, ["b0ffff"]) == []
        assert store.duplicates.candidates(alice, []) == []

    def test_a_probe_meets_a_row_of_its_key_only_when_their_dhashes_are_near(self, store: Any,
                                                                              owners: tuple[str, str]) -> None:
        """The prefilter (domain.duplicates.near_enough) runs in the index: a band row whose framing's dHash is
        more than PREFILTER_DHASH bits from the probe's is not a candidate."""
        alice, _ = owners
        photo = self.add(store, alice, 0x1234)
        row = next(r for r in key_rows(fingerprint(0x1234)) if r.key.startswith("b"))
        close = f"{int(row.near, 16) ^ (2 ** PREFILTER_DHASH - 1):016x}"  # PREFILTER_DHASH bits off
        far = f"{int(row.near, 16) ^ (2 ** (PREFILTER_DHASH + 1) - 1):016x}"  # one more
        assert [c.photo_id for c in store.duplicates.candidates(alice, [Probe(row.key, close)])] == [photo.id]
        assert store.duplicates.candidates(alice, [Probe(row.key, far)]) == []
        assert [c.photo_id for c in store.duplicates.candidates(alice, [Probe(row.key, far), Probe(row.key, close)])
                ] == [photo.id]  # any probe of the key will do
        assert [c.photo_id for c in store.duplicates.candidates(alice, [row.key])] == [photo.id]  # a plain key
        pixel = Probe(lookup_keys(fingerprint(0x1234))[0])
        assert pixel.key.startswith("px") and not pixel.near
        assert [c.photo_id for c in store.duplicates.candidates(alice, [pixel])] == [photo.id]

    def test_rows_written_before_the_prefilter_meet_every_probe_of_their_key(self, store: Any,
                                                                             owners: tuple[str, str]) -> None:
        """Old photos are still found (their rows carry no dHash: nothing to prefilter on)."""
        alice, _ = owners
        photo = self.add(store, alice, 0x1234)
        row = next(r for r in key_rows(fingerprint(0x1234)) if r.key.startswith("b"))
        far = f"{int(row.near, 16) ^ (2 ** (PREFILTER_DHASH + 1) - 1):016x}"
        assert store.duplicates.candidates(alice, [Probe(row.key, far)]) == []
        self.forget_prefilter(store, photo)
        assert [c.photo_id for c in store.duplicates.candidates(alice, [Probe(row.key, far)])] == [photo.id]

    def test_a_new_fingerprint_replaces_the_old_keys_and_a_photo_without_one_has_none(self, store: Any,
                                                                                       owners: tuple[str, str]) -> None:
        alice, _ = owners
        photo = self.add(store, alice, 0x1111)
        photo.fingerprint = fingerprint(0x2222)
        store.photos.save_photo(photo)
        assert store.duplicates.candidates(alice, lookup_keys(fingerprint(0x1111))[:1]) == []
        assert [c.photo_id for c in store.duplicates.candidates(alice, lookup_keys(fingerprint(0x2222)))] == [photo.id]
        plain = make_photo(alice, status="done")
        store.photos.add_photo(plain)
        assert {c.photo_id for c in store.duplicates.candidates(alice, lookup_keys(fingerprint(0x2222)))} == {photo.id}

    def test_the_trash_hides_a_photo_from_lookups_a_restore_brings_it_back_a_delete_ends_it(
            self, store: Any, owners: tuple[str, str]) -> None:
        alice, _ = owners
        photo = self.add(store, alice, 0x3333)
        keys = lookup_keys(fingerprint(0x3333))
        assert photo_rules.trash(photo, NOW)
        trashed = store.photos.save_photo(photo)
        assert store.duplicates.candidates(alice, keys) == []
        assert photo_rules.restore(trashed)
        store.photos.save_photo(trashed)
        assert [c.photo_id for c in store.duplicates.candidates(alice, keys)] == [photo.id]
        store.photos.delete_photo(photo.id)
        assert store.duplicates.candidates(alice, keys) == []

    def test_taken_between_reads_the_owners_library_by_time(self, store: Any, owners: tuple[str, str]) -> None:
        alice, bob = owners
        cam = Camera("Canon", "EOS 5D")
        inside = [self.add(store, alice, i, taken_at=f"2019-07-14T10:00:0{i}", camera=cam) for i in (1, 2, 3)]
        self.add(store, alice, 9, taken_at="2019-07-14T10:00:09", camera=cam)
        self.add(store, bob, 2, taken_at="2019-07-14T10:00:02", camera=cam)
        gone = self.add(store, alice, 4, taken_at="2019-07-14T10:00:02+02:00", camera=cam)
        assert photo_rules.trash(gone, NOW)
        store.photos.save_photo(gone)
        found = store.duplicates.taken_between(alice, "2019-07-14T10:00:00", "2019-07-14T10:00:04")
        assert sorted(p.id for p in found) == sorted(p.id for p in inside)
        assert len(store.duplicates.taken_between(alice, "2019-07-14T10:00:00", "2019-07-14T10:00:04", limit=2)) == 2

    def test_a_group_is_saved_read_listed_and_its_photos_know_it(self, store: Any, owners: tuple[str, str]) -> None:
        alice, bob = owners
        a, b, c = (self.add(store, alice, i) for i in (1, 2, 3))
        saved = store.duplicates.save_group(group(alice, [a.id, b.id]), previous=None)
        assert saved.version == 1
        assert store.duplicates.get_group(saved.id, alice) == saved
        assert store.duplicates.get_group(saved.id, bob) is None  # another owner's group is missing
        assert store.duplicates.group_of(a.id, alice) == saved and store.duplicates.group_of(c.id, alice) is None
        grown = store.duplicates.save_group(
            DuplicateGroup(**{**saved.__dict__, "photo_ids": [a.id, b.id, c.id], "kind": "burst"}), previous=saved)
        assert grown.version == 2 and store.duplicates.group_of(c.id, alice) == grown
        shrunk = store.duplicates.save_group(grown.without(a.id), previous=grown)
        assert store.duplicates.group_of(a.id, alice) is None and store.duplicates.group_of(b.id, alice) == shrunk
        assert store.duplicates.list_groups(alice).items == [shrunk]
        assert store.duplicates.list_groups(bob).items == []

    def test_a_photo_is_in_one_group_at_most_and_a_stale_write_changes_nothing(self, store: Any,
                                                                               owners: tuple[str, str]) -> None:
        alice, _ = owners
        a, b, c = (self.add(store, alice, i) for i in (1, 2, 3))
        first = store.duplicates.save_group(group(alice, [a.id, b.id]), previous=None)
        with pytest.raises(ConcurrentUpdate):
            store.duplicates.save_group(group(alice, [c.id, a.id]), previous=None)
        assert store.duplicates.group_of(c.id, alice) is None and len(store.duplicates.list_groups(alice).items) == 1
        newer = store.duplicates.save_group(first.without(b.id), previous=first)
        with pytest.raises(ConcurrentUpdate):  # first's version is gone
            store.duplicates.save_group(DuplicateGroup(**{**first.__dict__, "photo_ids": [a.id, b.id, c.id]}),
                                        previous=first)
        assert store.duplicates.get_group(first.id, alice) == newer and store.duplicates.group_of(c.id, alice) is None
        with pytest.raises(ConcurrentUpdate):
            store.duplicates.delete_group(first)  # stale version
        store.duplicates.delete_group(newer)
        assert store.duplicates.get_group(first.id, alice) is None and store.duplicates.group_of(a.id, alice) is None
        store.duplicates.delete_group(newer)  # gone: a no-op

    def test_groups_page_in_a_stable_order(self, store: Any, owners: tuple[str, str]) -> None:
        alice, _ = owners
        photos = [self.add(store, alice, i) for i in range(10)]
        made = {store.duplicates.save_group(group(alice, [photos[i].id, photos[i + 1].id]), previous=None).id
                for i in range(0, 10, 2)}
        seen, cursor = [], None
        while True:
            page = store.duplicates.list_groups(alice, limit=2, cursor=cursor)
            seen += [g.id for g in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == sorted(made)

    def test_dismissed_photos_are_remembered_together_until_deleted(self, store: Any,
                                                                    owners: tuple[str, str]) -> None:
        alice, _ = owners
        a, b, c = (self.add(store, alice, i) for i in (1, 2, 3))
        g = store.duplicates.save_group(group(alice, [a.id, b.id]), previous=None)
        store.duplicates.delete_group(g, dismissed=True)
        assert store.duplicates.group_of(a.id, alice) is None and store.duplicates.list_groups(alice).items == []
        assert store.duplicates.dismissals(alice, [a.id, b.id, c.id]) == {a.id: {g.id}, b.id: {g.id}}
        again = store.duplicates.save_group(group(alice, [a.id, c.id]), previous=None)  # a may group with c
        assert store.duplicates.group_of(a.id, alice) == again
        store.duplicates.forget_photo(alice, b.id)
        assert store.duplicates.dismissals(alice, [a.id, b.id]) == {a.id: {g.id}}

    def test_account_deletion_takes_the_groups_and_the_lookups(self, store: Any, owners: tuple[str, str]) -> None:
        alice, bob = owners
        a, b = (self.add(store, alice, i) for i in (1, 2))
        kept = self.add(store, bob, 1)
        store.duplicates.save_group(group(alice, [a.id, b.id]), previous=None)
        store.delete_owner_data(alice)
        assert store.duplicates.list_groups(alice).items == []
        assert store.duplicates.candidates(alice, lookup_keys(fingerprint(1))) == []
        assert [c.photo_id for c in store.duplicates.candidates(bob, lookup_keys(fingerprint(1)))] == [kept.id]
