"""BlobStore on the local file system (the embedded shape): one file per key under a root directory.

Writes are atomic: the bytes go to a temporary file in one directory for writes in flight (TEMP_DIR, under
root: the same file system), are fsynced, and are then renamed over the real key, so a crash never leaves a
half-written blob under a real key. Temporary files of killed writes are therefore found by listing TEMP_DIR,
never the whole store. Derived blobs (put(..., durable=False): thumbnails and face crops, which reprocessing
rebuilds) skip the two fsyncs: still atomic and safe from a process crash, they cost a worker no wait on the
disk (4 fsyncs per photo, 2 per face).
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ...domain.errors import NotFound, StorageUnavailable

CHUNK = 1024 * 1024
TMP_PREFIX = ".tmp-"
TEMP_DIR = TMP_PREFIX + "writes"  # a name no key can have (no key part starts with TMP_PREFIX)
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _storage_error(exc: OSError, action: str) -> StorageUnavailable:
    full = exc.errno in _FULL_ERRNOS
    reason = "the disk is full" if full else (exc.strerror or str(exc))
    return StorageUnavailable(f"could not {action} the blob: {reason}", insufficient_storage=full)


class FileBlobStore:
    """Blobs as files under root. Keys are server-made; anything that could escape root is refused."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.temp_dir = self.root / TEMP_DIR

    # --- keys -------------------------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        """The file of a key. ValueError for keys that are empty, absolute, or could leave root."""
        if not isinstance(key, str) or not key or "\x00" in key or "\\" in key or key.startswith("/"):
            raise ValueError(f"invalid blob key: {key!r}")
        parts = key.split("/")
        if any(p in ("", ".", "..") or p.startswith(TMP_PREFIX) for p in parts):
            raise ValueError(f"invalid blob key: {key!r}")
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"invalid blob key: {key!r}")
        return path

    # --- writes -----------------------------------------------------------------------------------------

    def put(self, key: str, data: BinaryIO | bytes, *, content_type: str, durable: bool = True) -> int:
        path = self._path(key)
        tmp_name: str | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.temp_dir.mkdir(exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=self.temp_dir)
            with os.fdopen(fd, "wb") as out:
                written = self._copy(data, out)
                out.flush()
                if durable:
                    os.fsync(out.fileno())
            os.replace(tmp_name, path)
            tmp_name = None
            if durable:
                self._fsync_dir(path.parent)
            return written
        except OSError as exc:
            raise _storage_error(exc, "store") from exc
        finally:
            if tmp_name is not None:
                try:
                    os.unlink(tmp_name)
                except OSError:
                    pass

    @staticmethod
    def _copy(data: BinaryIO | bytes, out: BinaryIO) -> int:
        if isinstance(data, (bytes, bytearray, memoryview)):
            out.write(data)
            return len(data)
        written = 0
        while True:
            chunk = data.read(CHUNK)
            if not chunk:
                return written
            out.write(chunk)
            written += len(chunk)

    @staticmethod
    def _fsync_dir(directory: Path) -> None:
        """Make the rename durable (best effort: not every platform can open a directory)."""
        try:
            fd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise _storage_error(exc, "delete") from exc
        self._prune(path.parent)

    def _prune(self, directory: Path) -> None:
        """Remove directories left empty, up to (not including) root. Races with writers are harmless: a
        writer's mkdir(exist_ok=True) recreates what we removed, and rmdir refuses non-empty directories."""
        while directory != self.root and directory.is_relative_to(self.root):
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent

    # --- reads ------------------------------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return open(path, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound(f"blob {key} not found") from exc
        except OSError as exc:
            raise _storage_error(exc, "read") from exc

    def get(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def modified_at(self, key: str) -> float:
        """When the blob was last written (epoch seconds): lets maintenance judge an orphan's age at once."""
        try:
            return self._path(key).stat().st_mtime
        except FileNotFoundError as exc:
            raise NotFound(f"blob {key} not found") from exc

    def signed_url(self, key: str, *, expires_s: int, filename: str | None = None,
                   content_type: str | None = None) -> str | None:
        return None

    def keys(self, prefix: str) -> Iterator[str]:
        """Every key starting with prefix (temporary files of writes in flight excluded)."""
        if "\x00" in prefix or "\\" in prefix or ".." in prefix.split("/") or prefix.startswith("/"):
            raise ValueError(f"invalid blob key prefix: {prefix!r}")
        head = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self.root / head if head else self.root
        if not start.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(TMP_PREFIX))
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            for name in sorted(filenames):
                if name.startswith(TMP_PREFIX):
                    continue
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix):
                    yield key

    def sweep_temp(self, *, older_than: float) -> int:
        """Delete temporary files of writes that never finished (a process killed mid-put) last modified before
        `older_than` (epoch seconds); a write in flight is younger than that. Returns how many were deleted.
        Lists TEMP_DIR only: its cost follows the writes in flight, not the number of blobs."""
        deleted = 0
        if not self.temp_dir.is_dir():
            return 0
        for path in self.temp_dir.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < older_than:
                    path.unlink()
                    deleted += 1
            except FileNotFoundError:  # finished (renamed) or swept by another process meanwhile
                continue
        return deleted

    def usage_bytes(self) -> int:
        """Total bytes on disk under root (diagnostics)."""
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.root).free
