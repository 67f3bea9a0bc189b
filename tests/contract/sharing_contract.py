"""The ShareStore contract (share links by token hash, album members). Every metadata store runs it: SQLite
(tests/contract/test_sqlite_store.py) and DynamoDB on moto and DynamoDB Local (tests/aws/test_contracts.py)."""

from __future__ import annotations

from typing import Any

from cloudalbum.domain.model import Album, new_id
from cloudalbum.domain.sharing import AlbumMember, Share
from contract.base import StoreContract

from .metadata_contract import make_user


def make_share(owner_id: str, created_at: str = "2026-01-01T00:00:00+00:00", **kw: Any) -> Share:
    return Share(id=new_id(), owner_id=owner_id, token_hash=new_id() + new_id(), token_salt=new_id(),
                 created_at=created_at, **kw)


def make_album(store: Any, owner_id: str) -> str:
    album = Album(id=new_id(), owner_id=owner_id, name="Trip", created_at="2026-01-01T00:00:00+00:00",
                  updated_at="2026-01-01T00:00:00+00:00")
    store.albums.add_album(album)
    return album.id


class ShareStoreContract(StoreContract):
    def test_share_round_trip_by_id_and_by_token_hash(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        share = make_share(alice.id, photo_ids=["p1", "p2"], expires_at="2030-01-01T00:00:00+00:00",
                           password_hash="$argon2id$x", show_location=True, allow_download=False)
        store.shares.add_share(share)
        assert store.shares.get_share(share.id, alice.id) == share
        assert store.shares.get_share(share.id, bob.id) is None
        assert store.shares.share_by_token_hash(share.token_hash) == share
        assert store.shares.share_by_token_hash("0" * 64) is None

    def test_shares_list_newest_first_in_pages_and_only_the_owners(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        mine = [make_share(alice.id, created_at=f"2026-01-0{i}T00:00:00+00:00", album_id="x") for i in range(1, 6)]
        for share in mine:
            store.shares.add_share(share)
        store.shares.add_share(make_share(bob.id))
        seen, cursor = [], None
        while True:
            page = store.shares.list_shares(alice.id, limit=2, cursor=cursor)
            seen += [s.id for s in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
        assert seen == [s.id for s in reversed(mine)]

    def test_delete_share_ends_the_token_at_once_and_only_for_the_owner(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        share = make_share(alice.id)
        store.shares.add_share(share)
        assert store.shares.delete_share(share.id, bob.id) is False
        assert store.shares.share_by_token_hash(share.token_hash) == share
        assert store.shares.delete_share(share.id, alice.id) is True
        assert store.shares.share_by_token_hash(share.token_hash) is None
        assert store.shares.get_share(share.id, alice.id) is None
        assert store.shares.delete_share(share.id, alice.id) is False

    def test_members_add_change_list_and_remove(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        for u in (alice, bob):
            store.users.add_user(u)
        albums = [make_album(store, alice.id) for _ in range(3)]
        for i, album_id in enumerate(albums):
            member = AlbumMember(album_id=album_id, user_id=bob.id, owner_id=alice.id, role="viewer",
                                 added_at=f"2026-02-0{i + 1}T00:00:00+00:00")
            assert store.shares.put_member(member) is True
        changed = AlbumMember(album_id=albums[0], user_id=bob.id, owner_id=alice.id, role="contributor",
                              added_at="2026-03-01T00:00:00+00:00", show_location=True)
        assert store.shares.put_member(changed) is False
        got = store.shares.get_member(albums[0], bob.id)
        assert (got.role, got.show_location, got.added_at) == ("contributor", True, "2026-02-01T00:00:00+00:00")
        assert store.shares.get_member(albums[0], alice.id) is None
        page = store.shares.shared_with(bob.id, limit=2)
        rest = store.shares.shared_with(bob.id, limit=2, cursor=page.next_cursor)
        assert [m.album_id for m in page.items + rest.items] == list(reversed(albums))
        assert rest.next_cursor is None
        assert store.shares.shared_with(alice.id).items == []
        assert store.shares.remove_member(albums[1], bob.id) is True
        assert store.shares.remove_member(albums[1], bob.id) is False
        assert store.shares.get_member(albums[1], bob.id) is None
        assert [m.album_id for m in store.shares.shared_with(bob.id).items] == [albums[2], albums[0]]

    def test_deleting_an_album_removes_its_members(self, store: Any) -> None:
        alice, bob = make_user("a@example.com"), make_user("b@example.com")
        for u in (alice, bob):
            store.users.add_user(u)
        album_id = make_album(store, alice.id)
        store.shares.put_member(AlbumMember(album_id=album_id, user_id=bob.id, owner_id=alice.id, role="viewer",
                                     added_at="2026-02-01T00:00:00+00:00"))
        store.albums.delete_album(album_id)
        assert store.shares.get_member(album_id, bob.id) is None
        assert store.shares.shared_with(bob.id).items == []

    def test_contributions_listed_found_by_photo_and_removed_per_contributor(self, store: Any) -> None:
        from cloudalbum.domain.sharing import Contribution

        from .metadata_contract import make_photo

        alice, bob, carol = (make_user(f"{n}@example.com") for n in ("a", "b", "c"))
        for u in (alice, bob, carol):
            store.users.add_user(u)
        album_id = make_album(store, alice.id)
        photos = [make_photo(bob.id) for _ in range(3)] + [make_photo(carol.id)]
        for p in photos:
            store.photos.add_photo(p)
        for i, p in enumerate(photos):
            c = Contribution(album_id=album_id, photo_id=p.id, contributor_id=p.owner_id, owner_id=alice.id,
                             added_at=f"2026-03-0{i + 1}T00:00:00+00:00")
            store.shares.add_contribution(c)
            store.shares.add_contribution(c)  # idempotent
        first = store.shares.contributions(album_id, limit=3)
        rest = store.shares.contributions(album_id, limit=3, cursor=first.next_cursor)
        assert [c.photo_id for c in first.items + rest.items] == [p.id for p in reversed(photos)]
        assert rest.next_cursor is None
        assert [(c.album_id, c.contributor_id) for c in store.shares.contributions_of_photo(photos[0].id)] == [
            (album_id, bob.id)]
        store.shares.remove_contributions(album_id, bob.id)
        assert [c.photo_id for c in store.shares.contributions(album_id).items] == [photos[3].id]
        assert store.shares.contributions_of_photo(photos[0].id) == []
        assert store.photos.get_photo(photos[0].id, bob.id) is not None  # the photo stays its owner's
