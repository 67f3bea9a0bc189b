"""Security tests. Long variants (`slow`) run only with CLOUDALBUM_LONG=1."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability.helpers import skip_slow_unless_long


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_slow_unless_long(items, Path(__file__).resolve().parent)
