"""The DynamoDB backfill of issue 16.1 on the emulators (moto and DynamoDB Local): positions (the SK of every
newest-first list, status list, album and search index item, and the photo item's GSI1SK/GSI2SK) written before
it carry the wall clock of taken_at; `reorder_owner` (`cloudalbum gc --reorder EMAIL`) pages through the owner's
list, no Scan, and moves the photos whose time has an offset to their UTC instant. Afterwards every list is in
instant order and no item is left at an old position."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aws.test_contracts import OnDynamoDBLocal, OnMoto
from cloudalbum.adapters.aws import keys as K
from cloudalbum.domain.search import SearchQuery
from cloudalbum.services.maintenance import reorder_owner
from contract.time_contract import NEWEST_FIRST, add_library, ids

pytestmark = pytest.mark.emulator

WALL_ORDER = ["tokyo", "naive", "london", "new_york"]  # by wall clock: Tokyo's 08:00 is the latest


class BackfillContract:
    @pytest.fixture
    def store(self) -> Any:
        raise NotImplementedError

    @pytest.fixture
    def legacy(self, store: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict[str, str], str]]:
        """The library as a version before issue 16.1 wrote it: every position by the wall clock."""
        with monkeypatch.context() as m:
            m.setattr(K, "sort_key", K.wall_sort_key)
            library = add_library(store)
        yield library

    def test_old_positions_are_moved_to_instants(self, store: Any, legacy: tuple[str, dict[str, str], str]) -> None:
        owner, made, album = legacy
        wall, expected = [made[n] for n in WALL_ORDER], [made[n] for n in NEWEST_FIRST]
        assert ids(store.photos.list_photos(owner).items) == wall  # the old order until the backfill
        # naive and "Z" keys were instants already; Tokyo moves ahead of the walk and is met (and left) again
        assert reorder_owner(store.photos, owner, page=2) == (5, 2)
        assert ids(store.photos.list_photos(owner).items) == expected
        assert ids(store.photos.list_photos(owner, status="done").items) == expected
        assert ids(store.albums.album_photos(album, owner).items) == expected
        assert ids(store.index.search(owner, SearchQuery(labels=("dog",))).items) == expected
        old = {K.position(store.photos.get_photo(pid, owner), K.wall_sort_key(store.photos.get_photo(pid, owner)))
               for pid in made.values()} - {K.position(store.photos.get_photo(pid, owner)) for pid in made.values()}
        assert len(old) == 2
        left = [it for pk in (K.ix_pk(owner, "L", "dog"), K.ix_pk(owner, "A", album))
                for it in store.table.query(pk=pk) if it["SK"]["S"] in old]
        assert left == []  # no index item at an old position (not merely skipped when read)
        assert reorder_owner(store.photos, owner) == (4, 0)  # idempotent

    def test_a_photo_saved_since_keeps_its_new_position(self, store: Any,
                                                        legacy: tuple[str, dict[str, str], str]) -> None:
        owner, made, _ = legacy
        tokyo = store.photos.get_photo(made["tokyo"], owner)
        tokyo.title = "saved by this version"
        store.photos.save_photo(tokyo)  # the photo item's positions are new; its old index items are left over
        assert reorder_owner(store.photos, owner)[1] == 1  # New York's item moved; Tokyo's was moved by the save
        assert ids(store.index.search(owner, SearchQuery(labels=("dog",))).items) == [made[n] for n in NEWEST_FIRST]
        assert [it for it in store.table.query(pk=K.ix_pk(owner, "L", "dog"))
                if it["SK"]["S"] == K.position(tokyo, K.wall_sort_key(tokyo))] == []  # its old item is gone too


class TestBackfillOnMoto(OnMoto, BackfillContract):
    pass


class TestBackfillOnDynamoDBLocal(OnDynamoDBLocal, BackfillContract):
    pass
