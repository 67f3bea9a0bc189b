"""Reading the text in a processed photo (issue 17): the read_text job's use case.

Processing queues a `ReadText` job once the photo is final (done or needs_input), so text reading never
delays the photo's own processing; it costs about as much CPU again as the rest of the pipeline (docs/ocr.md).
The job reads the large thumbnail, which is the upright image processing gave its models (1280 px on the long
side), so the original is not decoded again (the original only when the thumbnail is missing), maps the boxes
to pixels of the upright original, and stores the lines through PhotoChanges
with `photo_rules.apply_text`. It is idempotent per model: a redelivered job, or a re-run with the same
models, changes nothing (and skips the decode). A photo deleted meanwhile is left alone.

Failures: bytes that cannot be decoded are not the text reader's to report (processing already marked such a
photo failed, and a failed photo is never read): the job says so and is acknowledged. A missing model
(ModelUnavailable) or a storage error propagates, and the queue redelivers the job.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable

from PIL import Image

from ..config import Settings
from ..domain import photo_rules
from ..domain.errors import NotFound
from ..domain.model import Photo, TextLine
from ..media.decode import UndecodableImage, decode
from ..media.exif import read_metadata
from ..media.thumbnails import SIZES, fit
from ..ports import BlobStore, PhotoStore, TextReader
from .changes import PhotoChanges

log = logging.getLogger("cloudalbum.text")

READ_LONG_SIDE = SIZES["large"]  # the image processing gives its models: the same pixels, the same boxes


def text_model(reader: TextReader) -> str:
    """What a photo's text records as its model: the reader and each of its models with its version."""
    return f"{reader.name}:{reader.models}"


class TextService:
    """Use case: read the text in one processed photo."""

    def __init__(self, photos: PhotoStore, blobs: BlobStore, reader_provider: Callable[[], TextReader],
                 settings: Settings) -> None:
        self.photos = photos
        self.changes = PhotoChanges(photos)
        self.blobs = blobs
        self.reader_provider = reader_provider
        self.settings = settings

    def read(self, photo_id: str, owner_id: str) -> str:
        """Read and store the photo's text; returns what happened (for the log). Raises on transient failures."""
        if not self.settings.read_text:
            return "skipped: reading text is off"
        photo = self.photos.get_photo(photo_id, owner_id)
        if photo is None:
            return "gone"
        reader = self.reader_provider()  # ModelUnavailable propagates: the job is retried
        model = text_model(reader)
        if not photo_rules.wants_text(photo, model):
            return f"skipped: {photo.status}" if photo.status not in photo_rules.PROCESSED else "skipped: read"
        started = time.perf_counter()
        try:
            lines = self._read_photo(photo, reader)
        except NotFound:
            return "gone: no original"
        except UndecodableImage as exc:
            return f"skipped: could not decode the image ({exc})"
        saved = self.changes.change(photo.id, owner_id, lambda p: photo_rules.apply_text(p, lines, model=model),
                                    loaded=photo, gave_up=f"photo {photo.id} kept changing while its text was saved")
        if saved is None:
            return "gone"
        log.info("photo %s: %d lines of text read in %.0f ms", photo.id, len(lines),
                 (time.perf_counter() - started) * 1000)
        return f"read: {len(lines)} lines"

    def _read_photo(self, photo: Photo, reader: TextReader) -> list[TextLine]:
        """Read the large thumbnail when there is one: it is the upright image processing gave its models (1280 px
        on the long side), so the original is not decoded a second time (a big PNG costs hundreds of MiB to
        decode: the worker's memory budget). Boxes are scaled to the upright original's pixels."""
        key = photo.thumbnail_keys.get("large")
        if key and photo.width and photo.height:
            try:
                with Image.open(io.BytesIO(self.blobs.get(key))) as thumb:
                    image = thumb.convert("RGB")
            except (NotFound, OSError, ValueError, Image.DecompressionBombError):
                image = None  # the thumbnail is gone or damaged: read the original
            if image is not None:
                sx, sy = photo.width / image.width, photo.height / image.height
                return [TextLine(text=ln.text, confidence=ln.confidence, x=ln.x * sx, y=ln.y * sy, w=ln.w * sx,
                                 h=ln.h * sy) for ln in reader.read(image)]
        return self._read_lines(self.blobs.get(photo.original_key), reader)

    def _read_lines(self, data: bytes, reader: TextReader) -> list[TextLine]:
        """The lines in the photo, boxes in pixels of the upright original (one decode, as processing does)."""
        meta = read_metadata(data)
        decoded = decode(data, orientation=meta.orientation, min_long_side=READ_LONG_SIDE,
                         max_pixels=self.settings.max_pixels, max_decode_bytes=self.settings.max_decode_bytes)
        image = fit(decoded.image, READ_LONG_SIDE, resample=Image.Resampling.BILINEAR)  # as make_thumbnails
        sx, sy = decoded.width / image.width, decoded.height / image.height
        return [TextLine(text=ln.text, confidence=ln.confidence, x=ln.x * sx, y=ln.y * sy, w=ln.w * sx,
                         h=ln.h * sy) for ln in reader.read(image)]
