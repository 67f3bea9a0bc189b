"""Which copy of a duplicate group to keep, and why (issue 15 item 2; API.md "Duplicates and trash"): most
pixels, then the original format over a re-encoded one, then most camera metadata, then the first uploaded.

"Original over re-encoded" is read from what processing records of each file (Fingerprint.file_format,
.quality, .software), in this order:
1. the format: a camera's own (RAW, HEIF) over a JPEG or TIFF, over a format copies are converted to (PNG,
   WebP, GIF, BMP ...: an export, a screenshot, a messenger's copy). A photo stored before the format was
   recorded is read from its upload's content type; an unknown format counts as a JPEG does;
2. a file that an editor or a messenger wrote (its EXIF Software names one: EDITORS) loses to one that none did;
3. a JPEG saved at a higher quality (estimated from its quantisation tables, in steps of QUALITY_STEP) over one
   re-encoded lower (another format counts as the highest: it is not a JPEG's re-encode); applied only when every
   JPEG of the group has an estimate (one processed before the estimate was recorded has none, and must not
   lose for that).
Pure: no store, no image.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - model imports duplicates, which imports this
    from .model import Photo

CAMERA_FORMATS = ("RAW", "HEIF", "HEIC")
STILL_FORMATS = ("JPEG", "MPO", "TIFF")  # what cameras and scanners write besides their own formats
CONTENT_TYPES = {"image/jpeg": "JPEG", "image/heic": "HEIF", "image/heif": "HEIF", "image/png": "PNG",
                 "image/webp": "WEBP", "image/gif": "GIF", "image/tiff": "TIFF", "image/bmp": "BMP"}
EDITORS = ("photoshop", "lightroom", "gimp", "snapseed", "whatsapp", "telegram", "instagram", "facebook",
           "messenger", "picasa", "paint.net", "affinity", "pixelmator", "darktable", "rawtherapee", "luminar",
           "capture one", "canva", "imagemagick", "acdsee", "irfanview", "xnview", "windows photo", "signal")
QUALITY_STEP = 5  # JPEG qualities this close count as the same (the estimate is good to a few points)


def pixels(photo: Photo) -> int:
    return (photo.width or 0) * (photo.height or 0)


def exif_tags(photo: Photo) -> int:
    return photo.fingerprint.exif_tags if photo.fingerprint is not None else 0


def file_format(photo: Photo) -> str:
    """The decoder's format name, else the one the upload's content type names, else ""."""
    recorded = photo.fingerprint.file_format if photo.fingerprint is not None else ""
    return (recorded or CONTENT_TYPES.get((photo.content_type or "").lower(), "")).upper()


def format_rank(photo: Photo) -> int:
    """2: a camera's own format; 1: a JPEG or TIFF (or unknown); 0: a format copies are converted to."""
    fmt = file_format(photo)
    return 2 if fmt in CAMERA_FORMATS else 1 if fmt in STILL_FORMATS or not fmt else 0


def editor(photo: Photo) -> str | None:
    """The editor or messenger named by the file's EXIF Software tag, as written there; None for a camera's
    firmware, a phone's system version or no tag."""
    software = photo.fingerprint.software if photo.fingerprint is not None else ""
    return software if any(e in software.lower() for e in EDITORS) else None


def quality(photo: Photo) -> int:
    return photo.fingerprint.quality if photo.fingerprint is not None else 0


def _is_jpeg(photo: Photo) -> bool:
    return file_format(photo) in ("JPEG", "MPO")


def _step(photo: Photo, by_quality: bool) -> int:
    """The quality step the rule compares: a JPEG's estimate, the highest for another format, 0 for all when
    some JPEG of the group has no estimate."""
    if not by_quality:
        return 0
    return round(quality(photo) / QUALITY_STEP) if _is_jpeg(photo) else round(100 / QUALITY_STEP)


def _key(photo: Photo, by_quality: bool) -> tuple[int, int, int, int, int, str, str]:
    return (-pixels(photo), -format_rank(photo), int(editor(photo) is not None), -_step(photo, by_quality),
            -exif_tags(photo), photo.uploaded_at, photo.id)


def _by_quality(photos: Sequence[Photo]) -> bool:
    return all(quality(p) for p in photos if _is_jpeg(p))


def keeper(photos: Sequence[Photo]) -> Photo:
    """API.md: the photo with most pixels; on a tie the original format over a re-encoded one (module
    docstring), then the most camera metadata (EXIF), then the first uploaded (then the smaller id, so the
    choice is stable)."""
    by_quality = _by_quality(photos)
    return min(photos, key=lambda p: _key(p, by_quality))


def why_keep(keep: Photo, photos: Sequence[Photo]) -> str:
    """Which rule chose the keeper over the runner-up (the keeper of the others), in a sentence."""
    runner = keeper([p for p in photos if p.id != keep.id])
    label = keep.title or keep.filename or "this photo"
    other = runner.title or runner.filename or "the other"
    if pixels(runner) < pixels(keep):
        return f"Keep {label}: it has the most pixels ({_size(keep)}, against {_size(runner)})."
    same = f"Keep {label}: as many pixels as any other ({_size(keep)})"
    if format_rank(runner) < format_rank(keep):
        return (f"{same}, and it is in the original format ({_name(keep)}); {other} is a {_name(runner)}, a "
                "format copies are converted to.")
    if editor(runner) is not None and editor(keep) is None:
        return f"{same}, and no app re-saved it; {other} was saved by {editor(runner)}."
    by_quality = _by_quality(photos)
    if by_quality and _is_jpeg(keep) and _step(runner, by_quality) < _step(keep, by_quality):
        return (f"{same}, and it is the least re-encoded (JPEG quality about {quality(keep)}, against "
                f"{quality(runner)}).")
    if exif_tags(runner) < exif_tags(keep):
        return (f"{same}, and the most camera metadata ({exif_tags(keep)} EXIF tags, against "
                f"{exif_tags(runner)}).")
    return (f"Keep {label}: as many pixels, as original a file and as much camera metadata as any other, and it "
            f"was uploaded first ({keep.uploaded_at[:10]}).")


def _name(photo: Photo) -> str:
    return file_format(photo) or "JPEG"


def _size(photo: Photo) -> str:
    return f"{photo.width or 0} × {photo.height or 0}"
