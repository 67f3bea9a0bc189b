"""Places tests: text reading off (its jobs and models are beside the point here), the shared container of tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudalbum.config import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", workers=0, env="development", visibility_timeout_s=30,
                    read_text=False)

