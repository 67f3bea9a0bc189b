"""People fixtures: the real models (object detector, face analyzer: loaded once per session), an embedded
container using them, and real face photos (scikit-image's astronaut always; the corpus' hopper when present)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image, ImageEnhance, ImageOps

from support import PHOTOS, needs_corpus


@pytest.fixture(scope="session")
def detector() -> Any:
    from cloudalbum.adapters.ml.detector import OnnxDetector

    return OnnxDetector.load("yolov8n")


@pytest.fixture(scope="session")
def face_analyzer() -> Any:
    from cloudalbum.adapters.ml.faces import OpencvFaceAnalyzer

    return OpencvFaceAnalyzer.load()


@pytest.fixture(scope="session")
def geocoder() -> Any:
    from cloudalbum.adapters.ml.geocoder import OfflineGeocoder

    return OfflineGeocoder()


@pytest.fixture
def container(settings: Any, detector: Any, face_analyzer: Any, geocoder: Any) -> Iterator[Any]:
    from cloudalbum import bootstrap

    c = bootstrap.build(settings, detector=detector, face_analyzer=face_analyzer, geocoder=geocoder)
    yield c
    c.close()


def jpeg(image: Image.Image, quality: int = 92) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def astronaut() -> Image.Image:
    from skimage import data

    return Image.fromarray(data.astronaut())


def hopper() -> Image.Image:
    return Image.open(needs_corpus() / "objects" / "hopper.jpg").convert("RGB")


def variants(image: Image.Image) -> dict[str, bytes]:
    """The same face mirrored, rescaled and darkened (each must join the original's person)."""
    w, h = image.size
    return {
        "original": jpeg(image),
        "mirrored": jpeg(ImageOps.mirror(image)),
        "smaller": jpeg(image.resize((int(w * 0.6), int(h * 0.6)), Image.Resampling.LANCZOS)),
        "larger": jpeg(image.resize((int(w * 1.7), int(h * 1.7)), Image.Resampling.LANCZOS)),
        "darker": jpeg(ImageEnhance.Brightness(image).enhance(0.5)),
    }


@pytest.fixture
def upload_and_process(container: Any) -> Callable[..., dict[str, Any]]:
    """Upload through the API as `user` and process the photo the way a worker would; returns the photo JSON."""

    def run(user: Any, data: bytes, filename: str = "face.jpg") -> dict[str, Any]:
        r = user.upload(data, filename)
        assert r.status_code == 202, r.get_data(as_text=True)
        photo_id = r.get_json()["id"]
        container.processing.process(photo_id)
        got = user.request("GET", f"/api/photos/{photo_id}")
        assert got.status_code == 200
        return got.get_json()

    return run


def drain(container: Any) -> int:
    """Run every queued job through the real worker path (the SQS batch handler), until the queue is empty;
    returns the number of jobs run."""
    from cloudalbum.entrypoints.worker import default_handler, process_batch

    handler, ran = default_handler(container), 0
    while True:
        messages = container.queue.receive(max_messages=10)
        if not messages:
            return ran
        acked, failed = process_batch(container, handler, messages)
        assert failed == 0, "a job failed"
        ran += acked


__all__ = ["PHOTOS", "astronaut", "drain", "hopper", "jpeg", "variants"]
