"""Sharing tests: the API fixtures with cheap Argon2 (tests/api/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.conftest import fast_hashing
from cloudalbum import bootstrap
from cloudalbum.config import Settings


@pytest.fixture
def container(settings: Settings) -> Iterator[bootstrap.Container]:
    c = fast_hashing(bootstrap.build(settings))
    yield c
    c.close()
