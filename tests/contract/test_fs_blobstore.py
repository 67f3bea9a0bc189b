"""FileBlobStore against the BlobStore contract, plus what only a file store must promise."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import Any

import pytest

from cloudalbum.adapters.embedded.blobstore import FileBlobStore
from cloudalbum.domain.errors import StorageUnavailable
from contract.blobstore_contract import BlobStoreContract


class TestFileBlobStore(BlobStoreContract):
    @pytest.fixture
    def blobs(self, tmp_path: Path) -> FileBlobStore:
        return FileBlobStore(tmp_path / "blobs")


@pytest.fixture
def store(tmp_path: Path) -> FileBlobStore:
    return FileBlobStore(tmp_path / "blobs")


@pytest.mark.parametrize("key", [
    "", "../escape", "originals/../../etc/passwd", "/etc/passwd", "originals\\u1\\p", "originals/u1/\x00p",
    "originals//p", "originals/./p", "originals/u1/", ".", ".tmp-x/y",
])
def test_unsafe_keys_are_refused(store: FileBlobStore, key: str) -> None:
    with pytest.raises(ValueError):
        store.put(key, b"x", content_type="image/jpeg")
    with pytest.raises(ValueError):
        store.get(key)


def test_symlink_out_of_root_is_refused(store: FileBlobStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.root / "originals").mkdir()
    (store.root / "originals" / "link").symlink_to(outside)
    with pytest.raises(ValueError):
        store.put("originals/link/p", b"x", content_type="image/jpeg")
    assert list(outside.iterdir()) == []


class ExplodingStream(io.RawIOBase):
    """A client that goes away half-way through an upload."""

    def __init__(self) -> None:
        self.sent = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.sent:
            raise ConnectionResetError("client went away")
        self.sent += 1
        return b"x" * 1024


def test_failed_write_leaves_no_blob_and_no_temp_file(store: FileBlobStore) -> None:
    store.put("originals/u1/p", b"old", content_type="image/jpeg")
    with pytest.raises(StorageUnavailable):
        store.put("originals/u1/p", ExplodingStream(), content_type="image/jpeg")
    assert store.get("originals/u1/p") == b"old"  # the old blob is untouched
    assert sorted(p.name for p in (store.root / "originals" / "u1").iterdir()) == ["p"]


def test_disk_full_is_insufficient_storage(store: FileBlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # A full disk cannot be arranged without privileges the suite must not need: fail the fsync as a full
    # disk would (the kernel reports ENOSPC on write or fsync).
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("cloudalbum.adapters.embedded.blobstore.os.fsync", full)
    with pytest.raises(StorageUnavailable) as info:
        store.put("originals/u1/p", b"abc", content_type="image/jpeg")
    assert info.value.code == "insufficient_storage" and info.value.status == 507
    monkeypatch.undo()
    assert not store.exists("originals/u1/p")
    assert list(store.keys("originals/")) == []


def test_delete_prunes_empty_directories(store: FileBlobStore) -> None:
    store.put("thumbnails/u1/p1/small.jpg", b"x", content_type="image/jpeg")
    store.delete("thumbnails/u1/p1/small.jpg")
    assert not (store.root / "thumbnails").exists()
    assert store.root.is_dir()


def test_keys_skip_temp_files(store: FileBlobStore) -> None:
    store.put("originals/u1/p", b"x", content_type="image/jpeg")
    (store.root / "originals" / "u1" / ".tmp-abandoned").write_bytes(b"half")
    assert list(store.keys("originals/")) == ["originals/u1/p"]


def test_writes_in_flight_live_in_one_temp_dir_that_keys_never_list(store: FileBlobStore) -> None:
    """A killed write leaves its temporary file in store.temp_dir, and only there: maintenance lists that
    directory, never the whole store."""
    store.put("originals/u1/p", b"x", content_type="image/jpeg")
    dead = store.temp_dir / ".tmp-killed"
    dead.write_bytes(b"half a photo")
    assert list(store.keys("")) == ["originals/u1/p"]
    assert [p.name for p in store.temp_dir.iterdir()] == [".tmp-killed"]  # the finished put left nothing
    os.utime(dead, (1000, 1000))
    assert store.sweep_temp(older_than=2000) == 1 and not dead.exists()


def test_signed_url_is_none(store: FileBlobStore) -> None:
    assert store.signed_url("originals/u1/p", expires_s=60) is None


def test_disk_full_on_a_real_small_filesystem(tmp_path: Path) -> None:
    """The same mapping on a real full disk, where the machine lets us mount a tiny tmpfs (root only)."""
    import subprocess

    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root and a mount namespace (the fsync case above covers the mapping)")
    try:
        store = FileBlobStore(mnt)
        with pytest.raises(StorageUnavailable) as info:
            store.put("originals/u1/big", b"x" * (1024 * 1024), content_type="image/jpeg")
        assert info.value.code == "insufficient_storage"
        assert list(store.keys("originals/")) == []
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


def test_originals_are_fsynced_and_derived_blobs_are_not(store: FileBlobStore, monkeypatch: Any) -> None:
    """An original is flushed to disk (file and directory) before put returns; a thumbnail (durable=False,
    rebuilt by reprocessing) is written atomically without the two fsyncs. Counts the real os.fsync calls."""
    calls: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        calls.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    store.put("originals/u1/p1", b"original", content_type="image/jpeg")
    assert len(calls) == 2
    store.put("thumbnails/u1/p1/large.jpg", b"thumb", content_type="image/jpeg", durable=False)
    assert len(calls) == 2
    assert store.get("thumbnails/u1/p1/large.jpg") == b"thumb"
    assert [p.name for p in (store.root / "thumbnails/u1/p1").iterdir()] == ["large.jpg"]  # no temp file left
