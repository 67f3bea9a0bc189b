"""Places tests: text reading off (its jobs and models are beside the point here), a fast password hash."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudalbum import bootstrap
from cloudalbum.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", workers=0, env="development", visibility_timeout_s=30,
                    read_text=False)


@pytest.fixture
def container(settings: Settings) -> Iterator[Any]:
    from argon2 import PasswordHasher

    c = bootstrap.build(settings)
    c.auth.hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield c
    c.close()

