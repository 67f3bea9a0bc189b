"""The batch edit API tests (tests/api/test_batch.py) run again with the AWS adapters on moto: batch records
under the owner in DynamoDB, selection by camera through the text-prefix index items."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api import test_batch as batch_tests
from api.conftest import fast_hashing
from cloudalbum import bootstrap
from cloudalbum.config import Settings

pytestmark = pytest.mark.emulator

for _name in dir(batch_tests):
    if _name.startswith("test_"):
        globals()[_name] = getattr(batch_tests, _name)


@pytest.fixture
def settings(aws_settings: Settings) -> Settings:
    return aws_settings  # moto, with the bucket, queues and table made (tests/aws/conftest.py)


@pytest.fixture
def container(settings: Settings) -> Iterator[bootstrap.Container]:
    c = fast_hashing(bootstrap.build(settings))
    yield c
    c.close()
