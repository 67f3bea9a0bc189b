"""Security tests. Long variants (`slow`) run only with CLOUDALBUM_LONG=1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reliability.helpers import skip_slow_unless_long


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_slow_unless_long(items, Path(__file__).resolve().parent)


@pytest.fixture
def container(settings: Any) -> Iterator[Any]:
    """The shared container with cheap Argon2 (as tests/api does): these tests create many users."""
    from argon2 import PasswordHasher

    from cloudalbum import bootstrap

    c = bootstrap.build(settings)
    c.auth.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield c
    c.close()
