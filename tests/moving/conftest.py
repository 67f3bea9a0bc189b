"""Move in, move out: a container on temporary embedded adapters, users with cheap hashing, archive makers."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cloudalbum.adapters.archives import ImportSource
from cloudalbum.services.moving import ImportReport
from cloudalbum.services.sidecars import read_whole


@pytest.fixture
def owner(container: Any) -> Any:
    return container.auth.register("mover@example.com", "correct horse battery")


def run_import(container: Any, owner_id: str, *paths: Path, max_bytes: int | None = None) -> ImportReport:
    report = ImportReport()
    for path in paths:
        source = ImportSource(path, max_bytes=max_bytes or container.settings.max_upload_bytes, is_sidecar=read_whole)
        try:
            container.importer.import_source(owner_id, source, report)
        finally:
            source.close()
    return report


def photos_of(container: Any, owner_id: str) -> list[Any]:
    return container.store.photos.list_photos(owner_id, limit=200).items


def by_name(container: Any, owner_id: str) -> dict[str, Any]:
    return {p.filename: p for p in photos_of(container, owner_id)}


def sidecar(taken: int | None = None, lat: float = 0.0, lon: float = 0.0, description: str = "",
            people: list[str] | None = None, title: str = "x.jpg") -> bytes:
    doc: dict[str, Any] = {"title": title, "description": description, "imageViews": "3",
                           "creationTime": {"timestamp": "1700000000", "formatted": "Nov 14, 2023"},
                           "geoData": {"latitude": lat, "longitude": lon, "altitude": 12.5,
                                       "latitudeSpan": 0.0, "longitudeSpan": 0.0},
                           "url": "https://photos.google.com/photo/x"}
    if taken is not None:
        doc["photoTakenTime"] = {"timestamp": str(taken), "formatted": "whenever UTC"}
    if people:
        doc["people"] = [{"name": n} for n in people]
    return json.dumps(doc).encode()


def write_zip(path: Path, files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return path


def write_tgz(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path
