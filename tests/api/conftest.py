"""API tests: the shared fixtures of tests/conftest.py, with cheap password hashing.

Argon2id at production cost (64 MiB, 3 passes) is most of the time of creating a user; these tests create
hundreds. The hashing itself is tested at production cost in test_auth.py::test_production_hasher_is_argon2id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher

from cloudalbum import bootstrap
from cloudalbum.config import Settings


def fast_hashing(container: bootstrap.Container) -> bootstrap.Container:
    """Still Argon2id, with the smallest parameters: same code paths, a fraction of the time."""
    container.auth.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return container


@pytest.fixture
def container(settings: Settings) -> Iterator[bootstrap.Container]:
    c = fast_hashing(bootstrap.build(settings))
    yield c
    c.close()


@pytest.fixture
def fast() -> Any:
    return fast_hashing
