"""The BlobStore contract: what every blob store (files, S3) promises the services."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest

from cloudalbum.domain.errors import NotFound


class BlobStoreContract:
    """Subclasses supply `blobs`: an empty, real store."""

    @pytest.fixture
    def blobs(self) -> Any:
        raise NotImplementedError("a subclass supplies the adapter under test")

    def test_put_bytes_then_get(self, blobs: Any) -> None:
        data = bytes(range(256)) * 4
        assert blobs.put("originals/u1/p1", data, content_type="image/jpeg") == len(data)
        assert blobs.get("originals/u1/p1") == data
        assert blobs.exists("originals/u1/p1")

    def test_put_stream_in_chunks(self, blobs: Any) -> None:
        data = os.urandom(3 * 1024 * 1024 + 17)  # more than one copy chunk
        assert blobs.put("originals/u1/big", io.BytesIO(data), content_type="image/jpeg") == len(data)
        with blobs.open("originals/u1/big") as f:
            assert f.read() == data

    def test_empty_blob(self, blobs: Any) -> None:
        assert blobs.put("thumbnails/u1/p1/small.jpg", b"", content_type="image/jpeg") == 0
        assert blobs.get("thumbnails/u1/p1/small.jpg") == b""

    def test_overwrite_replaces(self, blobs: Any) -> None:
        blobs.put("thumbnails/u1/p1/small.jpg", b"first version", content_type="image/jpeg")
        blobs.put("thumbnails/u1/p1/small.jpg", b"second", content_type="image/jpeg")
        assert blobs.get("thumbnails/u1/p1/small.jpg") == b"second"

    def test_missing_key_is_not_found(self, blobs: Any) -> None:
        assert not blobs.exists("originals/u1/nothing")
        with pytest.raises(NotFound):
            blobs.get("originals/u1/nothing")
        with pytest.raises(NotFound):
            blobs.open("originals/u1/nothing")

    def test_delete_is_idempotent(self, blobs: Any) -> None:
        blobs.put("originals/u1/p1", b"abc", content_type="image/jpeg")
        blobs.delete("originals/u1/p1")
        assert not blobs.exists("originals/u1/p1")
        blobs.delete("originals/u1/p1")
        blobs.delete("originals/u9/never-existed")
        with pytest.raises(NotFound):
            blobs.get("originals/u1/p1")

    def test_delete_leaves_siblings(self, blobs: Any) -> None:
        blobs.put("thumbnails/u1/p1/small.jpg", b"s", content_type="image/jpeg")
        blobs.put("thumbnails/u1/p1/large.jpg", b"l", content_type="image/jpeg")
        blobs.delete("thumbnails/u1/p1/small.jpg")
        assert blobs.get("thumbnails/u1/p1/large.jpg") == b"l"

    def test_keys_under_prefix(self, blobs: Any) -> None:
        wanted = {"originals/u1/a", "originals/u1/b", "originals/u2/c"}
        for key in wanted | {"thumbnails/u1/a/small.jpg"}:
            blobs.put(key, b"x", content_type="image/jpeg")
        assert set(blobs.keys("originals/")) == wanted
        assert set(blobs.keys("originals/u1/")) == {"originals/u1/a", "originals/u1/b"}
        assert list(blobs.keys("originals/u3/")) == []

    def test_signed_url_is_a_url_or_none(self, blobs: Any) -> None:
        blobs.put("originals/u1/p1", b"abc", content_type="image/jpeg")
        url = blobs.signed_url("originals/u1/p1", expires_s=60, filename="a.jpg", content_type="image/jpeg")
        assert url is None or url.startswith(("http://", "https://"))
