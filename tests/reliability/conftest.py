"""Reliability tests: the real embedded service in subprocesses, real SIGKILLs, real files.

Long variants are marked `slow` and run only with CLOUDALBUM_LONG=1 (the default run stays within a few
minutes on two cores)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability.helpers import skip_slow_unless_long


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_slow_unless_long(items, Path(__file__).resolve().parent)
