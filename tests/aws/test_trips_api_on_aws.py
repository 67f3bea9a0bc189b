"""The trips API tests run again with the AWS adapters on moto (S3 + DynamoDB + SQS): the same photos, worker
path, recompute jobs, naming question, album and isolation, over the owner's partition and GSI1 queries."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from aws.conftest import unique_settings
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.config import Settings
from trips import test_trips_api as trips_api

pytestmark = pytest.mark.emulator

# collected here on the AWS shape
test_a_trip_is_found_opened_named_and_made_an_album = trips_api.test_a_trip_is_found_opened_named_and_made_an_album
test_another_users_trip_is_missing_and_bad_input_changes_nothing = \
    trips_api.test_another_users_trip_is_missing_and_bad_input_changes_nothing


@pytest.fixture
def settings(moto_env: str, tmp_path: Path) -> Settings:
    s = unique_settings(tmp_path)
    init_aws(s)
    return dataclasses.replace(s, read_text=False, faces=False)
