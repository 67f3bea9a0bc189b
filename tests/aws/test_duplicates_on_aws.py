"""Duplicate groups through the HTTP API on the AWS shape (S3, DynamoDB, SQS on moto): the same scenarios as the
embedded shape (tests/api/duplicates_flow.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api import duplicates_flow as flow
from aws.conftest import unique_settings
from aws.test_api_on_aws import Client
from cloudalbum import bootstrap
from cloudalbum.adapters.aws.init import init_aws

pytestmark = pytest.mark.emulator


class OnAws:
    """A Client as duplicates_flow's User."""

    def __init__(self, app: Any, email: str) -> None:
        self.client = Client(app, email)
        self.id = self.client("GET", "/api/me").get_json()["id"]

    def call(self, method: str, path: str, **kw: Any) -> Any:
        return self.client(method, path, **kw)

    def upload(self, data: bytes, filename: str) -> str:
        return str(self.client.upload(data, filename)["id"])


@pytest.fixture
def aws(moto_env: str, tmp_path: Path) -> Iterator[tuple[bootstrap.Container, Any]]:
    settings = unique_settings(tmp_path)
    init_aws(settings)
    container = bootstrap.build(settings)
    from cloudalbum.entrypoints.api import create_app

    app = create_app(container)
    app.config["TESTING"] = True
    yield container, app
    container.close()


def test_each_tier_is_found_on_the_aws_shape(aws: Any) -> None:
    container, app = aws
    flow.check_tiers(container, lambda email: OnAws(app, email))


def test_the_original_format_is_kept_on_the_aws_shape(aws: Any) -> None:
    container, app = aws
    flow.check_original_format_is_kept(container, lambda email: OnAws(app, email))


def test_resolve_and_bad_input_on_the_aws_shape(aws: Any) -> None:
    container, app = aws
    flow.check_resolve(container, OnAws(app, "alice@example.com"), OnAws(app, "bob@example.com"))


def test_dismiss_and_trash_on_the_aws_shape(aws: Any) -> None:
    container, app = aws
    flow.check_dismiss_and_trash(container, OnAws(app, "alice@example.com"))


def test_the_fingerprint_backfill_on_the_aws_shape(aws: Any) -> None:
    container, app = aws
    flow.check_backfill(container, OnAws(app, "alice@example.com"))
