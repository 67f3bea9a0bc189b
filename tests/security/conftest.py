"""Security tests. Long variants (`slow`) run only with CLOUDALBUM_LONG=1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

HERE = Path(__file__).resolve().parent
LONG = os.environ.get("CLOUDALBUM_LONG") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if LONG:
        return
    skip = pytest.mark.skip(reason="long variant: run with CLOUDALBUM_LONG=1")
    for item in items:
        if "slow" in item.keywords and HERE in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.fixture
def container(settings: Any) -> Iterator[Any]:
    """The shared container with cheap Argon2 (as tests/api does): these tests create many users."""
    from argon2 import PasswordHasher

    from cloudalbum import bootstrap

    c = bootstrap.build(settings)
    c.auth.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield c
    c.close()
