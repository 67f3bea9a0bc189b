"""Blob keys: the layout the stores already hold (a key made by an earlier version is found by this one)."""

from __future__ import annotations

import pytest

from cloudalbum.domain import blob_keys as keys


def test_the_layout_is_unchanged() -> None:
    assert keys.original_key("u", "p") == "originals/u/p"
    assert keys.thumbnail_key("u", "p", "small") == "thumbnails/u/p/small.jpg"
    assert keys.face_crop_key("u", "p", "f") == "thumbnails/u/p/face-f.jpg"
    assert keys.shared_original_key("u", "p") == "thumbnails/u/p/shared-original"
    assert keys.thumbnails_prefix("u", "p") == "thumbnails/u/p/"
    assert keys.owner_prefixes("u") == ("originals/u/", "thumbnails/u/")
    assert (keys.ORIGINALS, keys.DERIVED) == ("originals/", "thumbnails/")


def test_every_blob_of_a_photo_is_under_its_owner_and_its_derived_prefix() -> None:
    derived = [keys.thumbnail_key("u", "p", "large"), keys.face_crop_key("u", "p", "f"),
               keys.shared_original_key("u", "p")]
    assert all(k.startswith(keys.thumbnails_prefix("u", "p")) for k in derived)
    for key in [keys.original_key("u", "p"), *derived]:
        assert any(key.startswith(prefix) for prefix in keys.owner_prefixes("u")), key


@pytest.mark.parametrize(("key", "photo_id"), [
    ("originals/u/p", "p"), ("thumbnails/u/p/small.jpg", "p"), ("thumbnails/u/p/face-f.jpg", "p"),
    ("thumbnails/u/p/shared-original", "p"), ("originals/u/", None), ("originals/u/p/x", None),
    ("thumbnails/u/p", None), ("thumbnails/u//x.jpg", None), ("other/u/p", None), ("", None),
])
def test_a_blobs_photo_is_read_from_its_key(key: str, photo_id: str | None) -> None:
    assert keys.photo_id_of_blob(key) == photo_id


def test_only_an_original_key_names_an_original() -> None:
    assert keys.photo_id_of_original("originals/u/p") == "p"
    assert keys.photo_id_of_original("thumbnails/u/p/small.jpg") is None
