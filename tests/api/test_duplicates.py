"""Duplicate groups through the HTTP API on the embedded shape (the scenarios: duplicates_flow.py)."""

from __future__ import annotations

from typing import Any

import pytest

from api import duplicates_flow as flow


class Embedded:
    """An ApiUser as duplicates_flow's User."""

    def __init__(self, user: Any) -> None:
        self.user, self.id = user, user.id

    def call(self, method: str, path: str, **kw: Any) -> Any:
        return self.user.request(method, path, **kw)

    def upload(self, data: bytes, filename: str) -> str:
        r = self.user.upload(data, filename)
        assert r.status_code == 202, r.get_data(as_text=True)
        return str(r.get_json()["id"])


@pytest.fixture(autouse=True)
def _needs_the_photo() -> None:
    assert flow.COFFEE, "scikit-image ships coffee.png"


def test_each_tier_is_found_as_photos_are_processed(container: Any, make_user: Any) -> None:
    flow.check_tiers(container, lambda email: Embedded(make_user(email)))


def test_the_original_format_is_kept_and_the_reason_says_so(container: Any, make_user: Any) -> None:
    flow.check_original_format_is_kept(container, lambda email: Embedded(make_user(email)))


def test_resolve_merges_into_the_keeper_and_bad_input_changes_nothing(container: Any, alice: Any, bob: Any) -> None:
    flow.check_resolve(container, Embedded(alice), Embedded(bob))


def test_dismissed_photos_never_group_again_and_the_trash_shrinks_groups(container: Any, alice: Any) -> None:
    flow.check_dismiss_and_trash(container, Embedded(alice))


def test_photos_processed_before_fingerprints_are_fingerprinted_and_grouped(container: Any, alice: Any) -> None:
    flow.check_backfill(container, Embedded(alice))
