"""Identical files once, export (streamed from S3) and the round trip export -> import, again with the AWS
adapters on moto: S3 originals, DynamoDB records with their SHA# claims, SQS jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api import test_identical_files as identical
from aws.conftest import unique_settings
from cloudalbum import bootstrap
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.config import Settings
from moving import test_export as export
from support import fast_hashing

pytestmark = pytest.mark.emulator

for _module, _names in ((identical, ("test_same_bytes_twice_is_one_photo",
                                     "test_duplicate_with_album_id_joins_the_album",
                                     "test_after_delete_the_bytes_are_a_new_photo")),
                        (export, ("test_export_zip_is_streamed_byte_for_byte_with_sidecars",
                                  "test_another_users_album_export_is_404", "test_round_trip_into_a_new_account"))):
    for _name in _names:
        globals()[_name] = getattr(_module, _name)


@pytest.fixture
def settings(aws_settings: Settings) -> Settings:
    return aws_settings  # moto, with the bucket, queues and table made (tests/aws/conftest.py)


def test_eight_concurrent_uploads_on_dynamodb_local(moto_env: str, ddb_local_store: Any, tmp_path: Path) -> None:
    """The race on Amazon's own engine (DynamoDB Local; S3 and SQS on moto): moto's transactions are not
    isolated from concurrent requests, so this race does not run against it."""
    from cloudalbum.entrypoints.api import create_app
    from conftest import ApiUser

    settings = unique_settings(tmp_path)
    init_aws(settings, ("s3", "sqs"))
    c = fast_hashing(bootstrap.build(settings, store=ddb_local_store))
    try:
        app = create_app(c)
        app.config["TESTING"] = True
        alice = ApiUser(app.test_client(), "race@example.com", "correct horse battery")
        identical.test_eight_concurrent_uploads_of_one_file_store_one_photo_and_one_blob(app, lambda: alice, c)
    finally:
        c.close()
