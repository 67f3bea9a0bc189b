"""The timeline API and thumbnail cache tests run again with the AWS adapters on moto: the `settings` fixture of
tests/conftest.py is replaced by AWS-shape settings, so the same composition root builds S3 + DynamoDB + SQS."""

from __future__ import annotations

from pathlib import Path

import pytest

from aws.conftest import unique_settings
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.config import Settings
from timeline import test_timeline_api as timeline_api

pytestmark = pytest.mark.emulator

# collected here on the AWS shape
test_timeline_months_and_filters = timeline_api.test_timeline_months_and_filters
test_bad_parameters_are_422 = timeline_api.test_bad_parameters_are_422
test_memories_on_this_day_and_29_february = timeline_api.test_memories_on_this_day_and_29_february


@pytest.fixture
def settings(moto_env: str, tmp_path: Path) -> Settings:
    s = unique_settings(tmp_path)
    init_aws(s)
    return s
