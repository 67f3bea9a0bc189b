"""Pipeline fixtures: one detector and one geocoder per test session (loading them is the slow part), the
corpus expectations, and a container on real embedded adapters (SQLite, files) using them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from support import PHOTOS, needs_corpus


@pytest.fixture(scope="session")
def detector() -> Any:
    from cloudalbum.adapters.ml.detector import OnnxDetector

    return OnnxDetector.load("yolov8n")


@pytest.fixture(scope="session")
def geocoder() -> Any:
    from cloudalbum.adapters.ml.geocoder import OfflineGeocoder

    return OfflineGeocoder()


@pytest.fixture(scope="session")
def expect() -> dict[str, Any]:
    needs_corpus()
    return json.loads((PHOTOS.parent / "contract" / "expect-photos.json").read_text())


@pytest.fixture
def pipeline_container(settings: Any, detector: Any, geocoder: Any) -> Iterator[Any]:
    """The embedded container (real SQLite store, file blobs, SQLite queue) with the session's model."""
    from cloudalbum import bootstrap

    c = bootstrap.build(settings, detector=detector, geocoder=geocoder)
    yield c
    c.close()
