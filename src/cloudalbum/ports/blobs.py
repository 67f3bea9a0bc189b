"""Blob storage: originals, thumbnails and face crops under server-made keys (see blob_keys)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Protocol


class BlobStore(Protocol):
    """Originals and thumbnails under server-made keys."""

    def put(self, key: str, data: BinaryIO | bytes, *, content_type: str, durable: bool = True) -> int:
        """Store data (a stream is copied in chunks, never read whole). Returns the byte count.
        Raises StorageUnavailable when the store cannot take the write (disk full: insufficient_storage).
        durable=False: derived data that reprocessing rebuilds (thumbnails, face crops); a store may then skip
        flushing to stable storage (the write stays atomic and survives a process crash, not a power cut)."""

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the blob. Raises NotFound."""

    def get(self, key: str) -> bytes:
        """The whole blob (for small blobs such as thumbnails and for the worker). Raises NotFound."""

    def delete(self, key: str) -> None:
        """Idempotent."""

    def exists(self, key: str) -> bool: ...

    def signed_url(self, key: str, *, expires_s: int, filename: str | None = None,
                   content_type: str | None = None) -> str | None:
        """A short-lived URL a client can GET directly, or None when the store has none (the API streams)."""

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key under prefix (maintenance: finding originals without a record)."""

    def sweep_temp(self, *, older_than: float) -> int:
        """Delete temporary files of writes whose process died, last modified before older_than (epoch s);
        returns how many. A store without temporary files (S3: a PUT is atomic) returns 0."""
