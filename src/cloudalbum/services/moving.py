"""Move in, move out (issue 19, API.md "Move in, move out"): import folders and archives with their sidecars,
export a library or an album as a streamed zip in Google Takeout's layout.

Import goes through PhotoService.add, so every promise of an upload holds (the bytes checked and sniffed, blob
first, then record, then job; identical files once) and sidecar values are user input, as PATCH applies it.
What a Takeout sidecar says of time and place applies only where the photo's own EXIF says nothing (API.md);
XMP is what the user wrote in an editor, so it wins. Export reads every original as a stream, writes it
ZIP_STORED into a zip that is yielded chunk by chunk: memory does not grow with the library or the photo.
"""

from __future__ import annotations

import json
import logging
import posixpath
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterable, Iterator

from ..domain.errors import BadEntry, DomainError, NotFound, StorageUnavailable, UnsupportedMedia
from ..domain.model import Album, Photo, Source
from ..media.exif import read_metadata
from .metadata import UserMetadata
from .sidecars import (ALBUM_METADATA, SidecarError, SidecarIndex, album_title, is_sidecar, is_year_folder,
                       parse_takeout, parse_xmp)

if TYPE_CHECKING:  # pragma: no cover
    from ..adapters.archives import Entry, ImportSource
    from .albums import AlbumService
    from .photos import PhotoService

log = logging.getLogger("cloudalbum.moving")

SPOOL_IN_MEMORY = 8 * 1024 * 1024
EXIF_HEAD = 2 * 1024 * 1024  # EXIF sits in the first bytes of JPEG, HEIF and TIFF-based files
COPY_CHUNK = 1024 * 1024
PAGE = 200
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".tif", ".tiff", ".heic", ".heif", ".mpo",
                    ".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf"}
OWN_FIELDS = ("title", "description", "taken_at", "location")


# --- import ---------------------------------------------------------------------------------------------


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

    def _albums(self, owner_id: str, sidecars: Any, report: ImportReport, label: str) -> dict[str, str]:
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
            with entry.open() as stream, tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
                _copy(stream, spool)
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
    def _takeout(sidecar: Any, spool: BinaryIO, meta: UserMetadata) -> None:
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

    sidecars: Any
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


def _copy(src: BinaryIO, dst: BinaryIO) -> None:
    while chunk := src.read(COPY_CHUNK):
        dst.write(chunk)


# --- export ---------------------------------------------------------------------------------------------


class _Sink:
    """A write-only, unseekable file for zipfile whose bytes the generator takes away after each write."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        if data:
            self.chunks.append(bytes(data))
            self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.chunks = b"".join(self.chunks), []
        return out


class ExportService:
    def __init__(self, store: Any, blobs: Any, albums: AlbumService) -> None:
        self.store = store
        self.blobs = blobs
        self.albums = albums

    def check_album(self, owner_id: str, album_id: str) -> Album:
        """NotFound for another user's (or a missing) album: checked before the first byte is sent."""
        return self.albums.get(owner_id, album_id)

    def library(self, owner_id: str) -> Iterator[tuple[str, Photo | str]]:
        """(path, photo or text) of a whole library: every photo under "Photos from YYYY/", then every album
        as a folder with its metadata.json and its photos again (Takeout's layout)."""
        photos = self._pages(lambda cursor: self.store.photos.list_photos(owner_id, limit=PAGE, cursor=cursor))
        return self._layout(photos, [(a, self._album_photos(owner_id, a.id)) for a in all_albums(self.albums,
                                                                                             owner_id)])

    def album(self, owner_id: str, album_id: str) -> Iterator[tuple[str, Photo | str]]:
        album = self.check_album(owner_id, album_id)
        return self._layout(iter(()), [(album, self._album_photos(owner_id, album_id))])

    def _album_photos(self, owner_id: str, album_id: str) -> Iterator[Photo]:
        return self._pages(lambda cursor: self.store.albums.album_photos(album_id, owner_id, limit=PAGE, cursor=cursor))

    @staticmethod
    def _pages(fetch: Callable[[str | None], Any]) -> Iterator[Photo]:
        cursor = None
        while True:
            page = fetch(cursor)
            yield from page.items
            cursor = page.next_cursor
            if not cursor:
                return

    @staticmethod
    def _layout(photos: Iterator[Photo], albums: list[tuple[Album, Iterator[Photo]]]
                ) -> Iterator[tuple[str, Photo | str]]:
        names: set[str] = set()

        def place(path: str) -> str:
            path = _unique(names, path)
            names.add(path)
            return path

        for photo in photos:
            name = place(f"{_year_folder(photo)}/{_file_name(photo)}")
            yield name, photo
            yield f"{name}.json", takeout_json(photo)
        for album, members in albums:
            folder = place(_folder_name(album.name))
            yield f"{folder}/{ALBUM_METADATA}", _album_json(album)
            for photo in members:
                name = place(f"{folder}/{_file_name(photo)}")
                yield name, photo
                yield f"{name}.json", takeout_json(photo)

    def zip_stream(self, layout: Iterator[tuple[str, Photo | str]]) -> Iterator[bytes]:
        """The layout as a zip, chunk by chunk: originals ZIP_STORED, byte for byte; sidecars deflated."""
        sink = _Sink()
        gone: set[str] = set()  # photos deleted while the export ran: left out with their sidecars
        with zipfile.ZipFile(sink, "w", allowZip64=True) as zf:  # type: ignore[arg-type]
            for path, item in layout:
                if isinstance(item, str):
                    if path[: -len(".json")] not in gone:
                        zf.writestr(path, item, compress_type=zipfile.ZIP_DEFLATED)
                else:
                    yield from self._zip_photo(zf, sink, path, item, gone)
                yield sink.take()
        yield sink.take()

    def _zip_photo(self, zf: zipfile.ZipFile, sink: _Sink, path: str, photo: Photo, gone: set[str]
                   ) -> Iterator[bytes]:
        try:
            stream = self._open(photo)
        except NotFound:
            gone.add(path)
            return
        info = zipfile.ZipInfo(path, date_time=_zip_time(photo))
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = photo.bytes
        with stream, zf.open(info, "w", force_zip64=photo.bytes > 0x7FFFFFFF) as out:
            while chunk := stream.read(COPY_CHUNK):
                out.write(chunk)
                yield sink.take()

    def write_folder(self, layout: Iterator[tuple[str, Photo | str]], directory: Any,
                     progress: Callable[[str], None] | None = None) -> int:
        """The layout as files under directory (pathlib.Path); returns the number of photos written."""
        count = 0
        for path, item in layout:
            target = directory.joinpath(*path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(item, str):
                target.write_text(item, encoding="utf-8")
                continue
            with self._open(item) as stream, open(target, "wb") as out:
                _copy(stream, out)
            count += 1
            if progress:
                progress(path)
        return count

    def _open(self, photo: Photo) -> BinaryIO:
        return self.blobs.open(photo.original_key)


def takeout_json(photo: Photo) -> str:
    """The photo's sidecar in Takeout's format; cloudalbum's own exact values under "cloudalbum"."""
    doc: dict[str, Any] = {"title": photo.title or photo.filename, "description": photo.description or ""}
    epoch = _epoch(photo.taken_at)
    if epoch is not None:
        doc["photoTakenTime"] = {"timestamp": str(epoch), "formatted": _formatted(epoch)}
    uploaded = _epoch(photo.uploaded_at)
    if uploaded is not None:
        doc["creationTime"] = {"timestamp": str(uploaded), "formatted": _formatted(uploaded)}
    loc = photo.location
    doc["geoData"] = {"latitude": loc.lat if loc else 0.0, "longitude": loc.lon if loc else 0.0,
                      "altitude": (loc.alt_m or 0.0) if loc else 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0}
    people = list(dict.fromkeys([*photo.people_names(), *photo.people_hint]))
    if people:
        doc["people"] = [{"name": n} for n in people]
    doc["cloudalbum"] = {
        "filename": photo.filename, "title": photo.title, "description": photo.description,
        "taken_at": photo.taken_at, "user_fields": [f for f in photo.user_fields if f in OWN_FIELDS],
        "location": {"lat": loc.lat, "lon": loc.lon, "alt_m": loc.alt_m} if loc else None,
        "labels": [lbl.name for lbl in photo.labels if lbl.source == Source.USER.value],
        "rating": photo.rating,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _album_json(album: Album) -> str:
    return json.dumps({"title": album.name, "description": album.description or "", "access": "protected"},
                      ensure_ascii=False, indent=2)


def _epoch(value: str | None) -> int | None:
    """Seconds since 1970 of an ISO time; a naive (camera) time is read as UTC, as Takeout does."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def _formatted(epoch: int) -> str:
    try:
        return datetime.fromtimestamp(epoch, timezone.utc).strftime("%b %-d, %Y, %-I:%M:%S %p UTC")
    except (OverflowError, OSError, ValueError):
        return ""


ZIP_FIRST, ZIP_LAST = 315532800, 4354819199  # 1980-01-01 and 2107-12-31T23:59:59: what a zip entry can say


def _zip_time(photo: Photo) -> tuple[int, int, int, int, int, int]:
    """The entry's time: the photo's (any ISO time a user may set, 0001 or 9999 included) clamped to zip's."""
    epoch = _epoch(photo.taken_at) or _epoch(photo.uploaded_at) or ZIP_FIRST
    dt = datetime.fromtimestamp(min(max(epoch, ZIP_FIRST), ZIP_LAST), timezone.utc)
    return (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)


def _year_folder(photo: Photo) -> str:
    year = (photo.taken_at or "")[:4]
    return f"Photos from {year}" if year.isdigit() else "Photos without a date"


def _folder_name(name: str) -> str:
    clean = "".join(ch if ch.isprintable() and ch not in '/\\:*?"<>|' else "_" for ch in name).strip(" .")
    if not clean or is_year_folder(clean) or clean == "Photos without a date":
        clean = f"Album {clean}".strip()
    return clean[:100]


def _file_name(photo: Photo) -> str:
    name = photo.filename.replace("/", "_").replace("\\", "_").strip(" .") or "photo"
    return name if not is_sidecar(name) else name + ".photo"


def _unique(taken: set[str], path: str) -> str:
    """path, or "stem(n).ext" when taken (Takeout's way: the sidecar then is "stem(n).ext.json")."""
    if path not in taken and path + "/" not in taken:
        return path
    stem, ext = posixpath.splitext(path)
    n = 1
    while f"{stem}({n}){ext}" in taken:
        n += 1
    return f"{stem}({n}){ext}"
