"""What `cloudalbum import` reads: a folder, a .zip or a .tgz, entry by entry, never unpacked to disk.

* zip: the central directory lists every entry; each is read through zipfile's stream, counted as it is
  inflated: more than `max_bytes`, or a ratio over MAX_RATIO to its compressed size, stops that entry (a zip
  bomb) and the next goes on.
* tgz: a gzip stream read front to back ("r|gz"), twice: the first pass keeps only the (small) sidecars, the
  second hands each photo over as a stream. A member over `max_bytes` is refused by its header.
* names: an absolute name, a drive letter or any `..` part is refused (never used as a path anyway: nothing
  is written to disk, but the name is not trusted as an album folder either).

Memory is bounded: one entry at a time; sidecars (the entries `is_sidecar` names, at most `sidecar_bytes` each)
are read when a photo needs them (a tgz's from a temporary SQLite file its first pass fills): held are names.
"""

from __future__ import annotations

import functools
import io
import os
import sqlite3
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from ..domain.errors import BadEntry

MAX_RATIO = 200  # inflated / compressed: JPEGs barely compress; a text of zeros is ~1000x
RATIO_GRACE = 1024 * 1024  # small entries may compress well (a blank PNG): the ratio counts above this


@dataclass
class Entry:
    """A file of the import: its path inside the source (POSIX, relative) and a way to read it once."""

    path: str
    size: int
    open: Callable[[], BinaryIO]


def safe_name(name: str) -> str:
    """The entry's relative POSIX path; BadEntry for absolute or escaping names."""
    clean = name.replace("\\", "/")
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":") or "\x00" in clean:
        raise BadEntry(f"unsafe name {name!r}: absolute paths are refused")
    parts = [p for p in clean.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise BadEntry(f"unsafe name {name!r}: '..' is refused")
    return "/".join(parts)


class _Counted(io.RawIOBase):
    """A read-once stream that stops at max_bytes and at a suspicious inflation ratio."""

    def __init__(self, raw: IO[bytes], *, max_bytes: int, compressed: int | None, name: str) -> None:
        self.raw, self.max_bytes, self.compressed, self.name_ = raw, max_bytes, compressed, name
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self.raw.read(len(buffer))
        except (zipfile.BadZipFile, EOFError, OSError, tarfile.TarError) as exc:
            raise BadEntry(f"{self.name_}: the archive is damaged here ({exc})") from exc
        self.count += len(data)
        if self.count > self.max_bytes:
            raise BadEntry(f"{self.name_}: larger than the limit of {self.max_bytes:,} bytes")
        ratio_limit = MAX_RATIO * max(1, self.compressed or 0)
        if self.compressed is not None and self.count > RATIO_GRACE and self.count > ratio_limit:
            raise BadEntry(f"{self.name_}: inflates more than {MAX_RATIO}x its compressed size "
                             "(a zip bomb?); refused")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            super().close()


class Sidecars:
    """The sidecars of a source by path: names held, bytes read on `get` (BadEntry returned, not raised)."""

    def __init__(self, entries: dict[str, Any], read: Callable[[Any], bytes]) -> None:
        self._entries, self._read = entries, read

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, path: object) -> bool:
        return path in self._entries

    def get(self, path: str) -> bytes | BadEntry | None:
        if path not in self._entries:
            return None
        try:
            return self._read(self._entries[path] if self._entries[path] is not None else path)
        except BadEntry as exc:
            return exc


def _spilled(db: sqlite3.Connection, path: str) -> bytes:
    data, error = db.execute("SELECT data, error FROM sidecar WHERE path = ?", (path,)).fetchone()
    if error is not None:
        raise BadEntry(error)
    return bytes(data)


class ImportSource:
    """A folder, zip or tgz: `sidecars()` (names; bytes on demand) then `entries()` (the rest, one at a time)."""

    def __init__(self, path: Path, *, max_bytes: int, is_sidecar: Callable[[str], bool] = lambda name: False,
                 sidecar_bytes: int = 1024 * 1024) -> None:
        """`is_sidecar(path)`: the small entries (sidecars, album metadata) `sidecars()` reads whole, at most
        `sidecar_bytes` (+1, so a larger one shows) each."""
        self.path, self.max_bytes = path, max_bytes
        self.is_sidecar, self.sidecar_bytes = is_sidecar, sidecar_bytes
        lower = path.name.lower()
        if path.is_dir():
            self.kind = "folder"
        elif lower.endswith(".zip"):
            self.kind = "zip"
        elif lower.endswith((".tgz", ".tar.gz")):
            self.kind = "tgz"
        else:
            raise BadEntry(f"{path}: not a folder, .zip or .tgz")
        self._zip: zipfile.ZipFile | None = None
        self._spill: sqlite3.Connection | None = None
        self.refused: list[tuple[str, str, bool]] = []  # (name, why, failed) of entries never handed over

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._spill is not None:
            self._spill.close()

    # --- listing -----------------------------------------------------------------------------------------

    def sidecars(self) -> Sidecars:
        """Every sidecar's name now; its bytes when asked. A zip or a folder is read again for them; a tgz
        cannot be, so its sidecars go to a temporary SQLite file as the first pass meets them: memory holds
        names, not contents, however many photos the archive has."""
        entries = self._listing(sidecars=True)
        if self.kind != "tgz":
            return Sidecars({e.path: e for e in entries}, self._read_small)
        db = sqlite3.connect("")  # SQLite's private temporary database: on disk past its cache, gone on close
        db.execute("CREATE TABLE sidecar (path TEXT PRIMARY KEY, data BLOB, error TEXT)")
        for entry in entries:
            row: tuple[str, bytes | None, str | None]
            try:
                row = (entry.path, self._read_small(entry), None)
            except BadEntry as exc:
                row = (entry.path, None, exc.message)
            db.execute("INSERT OR REPLACE INTO sidecar VALUES (?, ?, ?)", row)
        self._spill = db
        names = [r[0] for r in db.execute("SELECT path FROM sidecar ORDER BY rowid")]
        return Sidecars(dict.fromkeys(names), lambda path: _spilled(db, path))

    def _read_small(self, entry: Entry) -> bytes:
        with entry.open() as stream:
            return stream.read(self.sidecar_bytes + 1)

    def entries(self) -> Iterator[Entry]:
        return self._listing(sidecars=False)

    def _listing(self, *, sidecars: bool) -> Iterator[Entry]:
        reader = {"folder": self._folder, "zip": self._zip_entries, "tgz": self._tar_entries}[self.kind]
        for entry in reader(sidecars):
            if self.is_sidecar(entry.path) == sidecars:
                yield entry

    def _refuse(self, name: str, why: str, sidecars: bool, *, failed: bool = True) -> None:
        """Note an entry no pass hands over: failed (could not be imported) or deliberately skipped."""
        if not sidecars:  # listed once, on the photos pass
            self.refused.append((name, why, failed))

    def _folder(self, sidecars: bool) -> Iterator[Entry]:
        for root, dirs, files in os.walk(self.path):
            dirs.sort()
            for name in sorted(files):
                full = Path(root) / name
                if full.is_symlink() or not full.is_file():
                    continue
                rel = full.relative_to(self.path).as_posix()
                yield Entry(rel, full.stat().st_size, functools.partial(self._open_file, full, rel))

    def _zip_entries(self, sidecars: bool) -> Iterator[Entry]:
        if self._zip is None:
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise BadEntry(f"{self.path.name}: not a readable zip ({exc}); a truncated download?") from exc
        for info in self._zip.infolist():
            if info.is_dir():
                continue
            try:
                name = safe_name(info.filename)
            except BadEntry as exc:
                self._refuse(info.filename, str(exc), sidecars)
                continue
            if info.file_size > self.max_bytes:
                self._refuse(name, f"larger than the limit of {self.max_bytes:,} bytes", sidecars)
                continue
            yield Entry(name, info.file_size, functools.partial(self._open_zip, info, name))

    def _open_file(self, full: Path, rel: str) -> BinaryIO:
        return self._counted(open(full, "rb"), None, rel)  # closed by whoever reads the entry

    def _open_zip(self, info: zipfile.ZipInfo, name: str) -> BinaryIO:
        assert self._zip is not None
        try:
            raw = self._zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise BadEntry(f"{name}: cannot be read from the zip ({exc})") from exc
        return self._counted(raw, info.compress_size, name)

    def _tar_entries(self, sidecars: bool) -> Iterator[Entry]:
        try:
            tar = tarfile.open(self.path, "r|gz")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BadEntry(f"{self.path.name}: not a readable .tgz ({exc})") from exc
        with tar:
            try:
                for member in tar:
                    entry = self._tar_member(tar, member, sidecars)
                    if entry is not None:
                        yield entry
            except (tarfile.TarError, OSError, EOFError, zipfile.BadZipFile) as exc:
                raise BadEntry(f"{self.path.name}: the archive ends early or is damaged ({exc})") from exc

    def _tar_member(self, tar: tarfile.TarFile, member: tarfile.TarInfo, sidecars: bool) -> Entry | None:
        if member.isdir():
            return None
        try:
            name = safe_name(member.name)
        except BadEntry as exc:
            self._refuse(member.name, str(exc), sidecars)
            return None
        if not member.isfile():
            self._refuse(name, "not a regular file (a link or a device)", sidecars, failed=False)
            return None
        if member.size > self.max_bytes:
            self._refuse(name, f"larger than the limit of {self.max_bytes:,} bytes", sidecars)
            return None
        if self.is_sidecar(name) != sidecars:
            return None  # the other pass's entry: tarfile skips its data
        return Entry(name, member.size, lambda: self._tar_open(tar, member, name))

    def _tar_open(self, tar: tarfile.TarFile, member: tarfile.TarInfo, name: str) -> BinaryIO:
        raw = tar.extractfile(member)
        if raw is None:
            raise BadEntry(f"{name}: cannot be read from the archive")
        return self._counted(raw, None, name)

    def _counted(self, raw: IO[bytes], compressed: int | None, name: str) -> BinaryIO:
        reader = io.BufferedReader(_Counted(raw, max_bytes=self.max_bytes, compressed=compressed, name=name),
                                   buffer_size=256 * 1024)
        return cast(BinaryIO, reader)  # a buffered binary file; typeshed keeps the two types apart
