"""Import: folders and archives with their sidecars (Google Takeout JSON, XMP), through PhotoService.add.

So every promise of an upload holds (the bytes checked and sniffed, blob first, then record, then job;
identical files once), and sidecar values are user input, as PATCH applies it. What a Takeout sidecar says of
time and place applies only where the photo's own EXIF says nothing (API.md); XMP is what the user wrote in an
editor, so it wins.
"""

from __future__ import annotations

import logging
import posixpath
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, cast

from ...domain.errors import BadEntry, DomainError, StorageUnavailable, UnsupportedMedia
from ...domain.model import Album
from ...media.exif import read_metadata
from ..metadata import UserMetadata
from ..sidecars import (
    ALBUM_METADATA,
    SidecarError,
    SidecarIndex,
    TakeoutSidecar,
    album_title,
    is_year_folder,
    parse_takeout,
    parse_xmp,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...adapters.archives import Entry, ImportSource, Sidecars
    from ..albums import AlbumService
    from ..photos import PhotoService

log = logging.getLogger("cloudalbum.moving")

SPOOL_IN_MEMORY = 8 * 1024 * 1024
EXIF_HEAD = 2 * 1024 * 1024  # EXIF sits in the first bytes of JPEG, HEIF and TIFF-based files
COPY_CHUNK = 1024 * 1024
PAGE = 200
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".tif", ".tiff", ".heic", ".heif", ".mpo",
                    ".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf"}
OWN_FIELDS = ("title", "description", "taken_at", "location")


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)  # identical to a photo already there, which gained something
    skipped: list[tuple[str, str]] = field(default_factory=list)  # deliberately: (entry, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # could not be imported: (entry, why)
    albums: list[str] = field(default_factory=list)  # album names created

    @property
    def ok(self) -> bool:
        return not self.failed


class ImportService:
    def __init__(self, photos: PhotoService, albums: AlbumService) -> None:
        self.photos = photos
        self.albums = albums

    def import_source(self, owner_id: str, source: ImportSource, report: ImportReport,
                      progress: Callable[[Iterable[Entry]], Iterable[Entry]] | None = None) -> None:
        """Import one folder or archive into report. A storage failure stops the import (every following
        photo would fail too) and is raised after being reported."""
        label = source.path.name
        names: list[str] = []
        used: set[str] = set()
        bad: dict[str, str] = {}  # sidecar path -> why it could not be used
        try:
            sidecars = source.sidecars()
            names = list(sidecars)
            index = SidecarIndex([p for p in names if posixpath.basename(p) != ALBUM_METADATA])
            albums = self._albums(owner_id, sidecars, report, label)
            entries = source.entries()
            for entry in (progress(entries) if progress else entries):
                self._one(owner_id, entry, _Lookup(sidecars, used, bad), index, albums, report, label)
        except BadEntry as exc:
            report.failed.append((label, exc.message))
        for name, why, failed in source.refused:
            (report.failed if failed else report.skipped).append((f"{label}:{name}", why))
        for path in names:
            if path in bad:
                report.failed.append((f"{label}:{path}", bad[path]))
            elif path not in used and posixpath.basename(path) != ALBUM_METADATA:
                report.skipped.append((f"{label}:{path}", "a sidecar without its photo"))

    def _albums(self, owner_id: str, sidecars: Sidecars, report: ImportReport, label: str) -> dict[str, str]:
        """folder -> album id, for every folder with a Takeout metadata.json (not "Photos from YYYY")."""
        existing = {a.name: a.id for a in all_albums(self.albums, owner_id)}
        out: dict[str, str] = {}
        for path in sidecars:
            folder = posixpath.dirname(path)
            if posixpath.basename(path) != ALBUM_METADATA or not folder or is_year_folder(folder):
                continue
            content = sidecars.get(path)
            if not isinstance(content, bytes):
                report.failed.append((f"{label}:{path}", str(content)))
                continue
            try:
                title, description = album_title(content, folder)
            except SidecarError as exc:
                report.failed.append((f"{label}:{path}", str(exc)))
                continue
            if title not in existing:  # an album of that name is reused: importing again adds nothing
                existing[title] = self.albums.create(owner_id, title, description).id
                report.albums.append(title)
            out[folder] = existing[title]
        return out

    def _one(self, owner_id: str, entry: Entry, sidecars: _Lookup, index: SidecarIndex,
             albums: dict[str, str], report: ImportReport, label: str) -> None:
        where = f"{label}:{entry.path}"
        name = posixpath.basename(entry.path)
        looks_like_image = posixpath.splitext(name)[1].lower() in IMAGE_EXTENSIONS
        try:
            with entry.open() as stream, tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spooled:
                spool = cast(BinaryIO, spooled)  # a file object; typeshed types it apart from BinaryIO
                copy_stream(stream, spool)
                meta = self._metadata(entry.path, name, spool, sidecars, index)
                spool.seek(0)
                added = self.photos.add(owner_id, spool, name, albums.get(posixpath.dirname(entry.path)),
                                        metadata=meta)
        except StorageUnavailable as exc:
            report.failed.append((where, f"{exc.message} (import stopped here)"))
            raise
        except UnsupportedMedia as exc:
            (report.failed if looks_like_image else report.skipped).append((where, f"not a photo: {exc.message}"))
            return
        except DomainError as exc:
            report.failed.append((where, exc.message))
            return
        except OSError as exc:
            report.failed.append((where, f"cannot be read: {exc}"))
            return
        if not added.duplicate:
            report.imported.append(where)
        elif added.merged:
            report.merged.append(where)
        else:
            report.skipped.append((where, f"identical to {added.photo.filename}, already in the library"))

    def _metadata(self, path: str, name: str, spool: BinaryIO, sidecars: _Lookup, index: SidecarIndex
                  ) -> UserMetadata | None:
        """The photo's sidecars as user input: XMP over Takeout; Takeout's time and place only where EXIF has
        none. A sidecar that cannot be read is reported (by import_source) and the photo imported without it."""
        meta = UserMetadata()
        json_data = sidecars.read(index.json_for(path))
        if json_data is not None:
            try:
                self._takeout(parse_takeout(json_data, name), spool, meta)
            except SidecarError as exc:
                sidecars.refuse(index.json_for(path), exc)
        xmp_data = sidecars.read(index.xmp_for(path))
        if xmp_data is not None:
            try:
                _overlay(meta, parse_xmp(xmp_data))
            except SidecarError as exc:
                sidecars.refuse(index.xmp_for(path), exc)
        return None if meta.is_empty() else meta

    @staticmethod
    def _takeout(sidecar: TakeoutSidecar, spool: BinaryIO, meta: UserMetadata) -> None:
        _overlay(meta, sidecar.meta)
        own = sidecar.own or {}
        chosen = set(own.get("user_fields") or []) & set(OWN_FIELDS)
        for name in ("title", "description"):
            if name in chosen and isinstance(own.get(name), str):
                setattr(meta, name, own[name])
        if "taken_at" in chosen and isinstance(own.get("taken_at"), str):
            meta.taken_at = own["taken_at"]
        location = own.get("location")
        if "location" in chosen and isinstance(location, dict):
            meta.lat, meta.lon, meta.alt_m = location.get("lat"), location.get("lon"), location.get("alt_m")
        if sidecar.taken_at is None and sidecar.lat is None or (meta.taken_at and meta.has_location()):
            return
        spool.seek(0)
        exif = read_metadata(spool.read(EXIF_HEAD))
        if not meta.taken_at and exif.taken_at is None and sidecar.taken_at:
            meta.taken_at = sidecar.taken_at
        if not meta.has_location() and not exif.has_location and sidecar.lat is not None:
            meta.lat, meta.lon, meta.alt_m = sidecar.lat, sidecar.lon, sidecar.alt_m


def all_albums(albums: AlbumService, owner_id: str) -> list[Album]:
    """Every album of the owner (albums are few; photos are never listed whole)."""
    found, cursor = [], None
    while True:
        page = albums.list(owner_id, limit=PAGE, cursor=cursor)
        found += page.items
        cursor = page.next_cursor
        if not cursor:
            return found


@dataclass
class _Lookup:
    """A source's sidecars as the photos use them: each read marks it used; a failure is remembered."""

    sidecars: Sidecars
    used: set[str]
    bad: dict[str, str]

    def read(self, path: str | None) -> bytes | None:
        if path is None:
            return None
        self.used.add(path)
        content = self.sidecars.get(path)
        if isinstance(content, bytes):
            return content
        if content is not None:
            self.bad[path] = f"{content} (the photo was imported without it)"
        return None

    def refuse(self, path: str | None, exc: Exception) -> None:
        if path is not None:
            self.bad[path] = f"{exc} (the photo was imported without it)"


def _overlay(meta: UserMetadata, other: UserMetadata) -> None:
    """other's values over meta's; labels and people joined."""
    for name in ("title", "description", "taken_at", "rating"):
        value = getattr(other, name)
        if value is not None:
            setattr(meta, name, value)
    if other.has_location():
        meta.lat, meta.lon, meta.alt_m = other.lat, other.lon, other.alt_m
    meta.labels = list(dict.fromkeys([*meta.labels, *other.labels]))
    meta.people = list(dict.fromkeys([*meta.people, *other.people]))


def copy_stream(src: BinaryIO, dst: BinaryIO) -> None:
    while chunk := src.read(COPY_CHUNK):
        dst.write(chunk)
