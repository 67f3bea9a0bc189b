"""The sharing API tests (tests/sharing/test_share_api.py) run again in the AWS shape on moto: shares and members
in DynamoDB, stripped copies in S3 under their own keys, files served by 302 to short-lived signed URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from api.conftest import fast_hashing
from aws.conftest import unique_settings
from cloudalbum import bootstrap
from cloudalbum.adapters.aws_init import init_aws
from cloudalbum.config import Settings
from sharing import test_share_api as share_tests

pytestmark = pytest.mark.emulator

for _name in dir(share_tests):
    if _name.startswith("test_") or _name in ("photos", "family"):
        globals()[_name] = getattr(share_tests, _name)


@pytest.fixture
def settings(moto_env: str, tmp_path: Path) -> Settings:
    s = unique_settings(tmp_path)
    init_aws(s)
    return s


@pytest.fixture
def container(settings: Settings) -> Iterator[bootstrap.Container]:
    """The AWS container; every DynamoDB operation is recorded, and each test ends by checking none was a Scan
    (shares are found by token with GetItem, lists and members with Query)."""
    c = fast_hashing(bootstrap.build(settings))
    calls: list[str] = []
    c.store.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    yield c
    assert calls and "Scan" not in calls, sorted(set(calls))
    c.close()


def test_shared_originals_redirect_to_their_own_key(client: Any, alice: Any, photos: list[str]) -> None:
    r = alice.request("POST", "/api/shares", json={"photo_ids": photos[:1]})
    token = r.get_json()["token"]
    got = client.get(f"/api/s/{token}/photos/{photos[0]}/original")
    assert got.status_code == 302
    url = got.headers["Location"]
    assert "X-Amz-Signature=" in url and "shared-original" in url and "originals%2F" not in url
