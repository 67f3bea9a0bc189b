"""Export: a library or an album as a streamed zip (or a folder) in Google Takeout's layout.

Every original is read as a stream and written ZIP_STORED into a zip that is yielded chunk by chunk: memory
does not grow with the library or the photo. Each photo has its Takeout sidecar, with cloudalbum's own exact
values under "cloudalbum", so an export imported again gives the same library.
"""

from __future__ import annotations

import json
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from ...domain.errors import NotFound
from ...domain.model import Album, Page, Photo, Source
from ...ports import AlbumStore, BlobStore, PhotoStore
from ..sidecars import ALBUM_METADATA, is_sidecar, is_year_folder
from .importing import COPY_CHUNK, OWN_FIELDS, PAGE, all_albums, copy_stream

if TYPE_CHECKING:  # pragma: no cover
    from ..albums import AlbumService


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
    def __init__(self, photos: PhotoStore, album_store: AlbumStore, blobs: BlobStore, albums: AlbumService) -> None:
        """album_store: an album's photos are read from it, a page at a time (albums: the owner's albums)."""
        self.photos = photos
        self.album_store = album_store
        self.blobs = blobs
        self.albums = albums

    def check_album(self, owner_id: str, album_id: str) -> Album:
        """NotFound for another user's (or a missing) album: checked before the first byte is sent."""
        return self.albums.get(owner_id, album_id)

    def library(self, owner_id: str) -> Iterator[tuple[str, Photo | str]]:
        """(path, photo or text) of a whole library: every photo under "Photos from YYYY/", then every album
        as a folder with its metadata.json and its photos again (Takeout's layout)."""
        photos = self._pages(lambda cursor: self.photos.list_photos(owner_id, limit=PAGE, cursor=cursor))
        return self._layout(photos, [(a, self._album_photos(owner_id, a.id)) for a in all_albums(self.albums,
                                                                                             owner_id)])

    def album(self, owner_id: str, album_id: str) -> Iterator[tuple[str, Photo | str]]:
        album = self.check_album(owner_id, album_id)
        return self._layout(iter(()), [(album, self._album_photos(owner_id, album_id))])

    def _album_photos(self, owner_id: str, album_id: str) -> Iterator[Photo]:
        return self._pages(lambda cursor: self.album_store.album_photos(album_id, owner_id, limit=PAGE, cursor=cursor))

    @staticmethod
    def _pages(fetch: Callable[[str | None], Page]) -> Iterator[Photo]:
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
        with zipfile.ZipFile(cast(IO[bytes], sink), "w", allowZip64=True) as zf:  # a write-only stream
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

    def write_folder(self, layout: Iterator[tuple[str, Photo | str]], directory: Path,
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
                copy_stream(stream, out)
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
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())


def _formatted(epoch: int) -> str:
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%b %-d, %Y, %-I:%M:%S %p UTC")
    except (OverflowError, OSError, ValueError):
        return ""


ZIP_FIRST, ZIP_LAST = 315532800, 4354819199  # 1980-01-01 and 2107-12-31T23:59:59: what a zip entry can say


def _zip_time(photo: Photo) -> tuple[int, int, int, int, int, int]:
    """The entry's time: the photo's (any ISO time a user may set, 0001 or 9999 included) clamped to zip's."""
    epoch = _epoch(photo.taken_at) or _epoch(photo.uploaded_at) or ZIP_FIRST
    dt = datetime.fromtimestamp(min(max(epoch, ZIP_FIRST), ZIP_LAST), UTC)
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
