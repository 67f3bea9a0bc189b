"""The sharing API tests (tests/sharing/test_share_api.py) run again in the AWS shape on moto: shares and members
in DynamoDB, stripped copies in S3 under their own keys, files served by 302 to short-lived signed URLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cloudalbum import bootstrap
from cloudalbum.config import Settings
from sharing import test_share_api as share_tests
from support import fast_hashing

pytestmark = pytest.mark.emulator

for _name in dir(share_tests):
    if _name.startswith("test_") or _name in ("photos", "family"):
        globals()[_name] = getattr(share_tests, _name)


@pytest.fixture
def settings(aws_settings: Settings) -> Settings:
    return aws_settings  # moto, with the bucket, queues and table made (tests/aws/conftest.py)


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


def test_sharing_routes_without_scan_and_their_operation_counts(client: Any, alice: Any, bob: Any,
                                                                container: bootstrap.Container,
                                                                photos: list[str]) -> None:
    """Each sharing route's DynamoDB operations, counted with a botocore hook (written to
    artifacts/dynamodb-share-ops.md; the figures are in docs/dynamodb.md). None is a Scan, and a public request
    costs the same whatever the owner's library holds."""
    from collections import Counter

    from support import ROOT

    calls: list[str] = []
    container.store.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    rows = []

    def measure(label: str, resp: Any, status: tuple[int, ...] = (200, 201, 204, 302)) -> Any:
        assert resp.status_code in status, (label, resp.status_code, resp.get_data(as_text=True))
        counts = Counter(calls)
        calls.clear()
        assert "Scan" not in counts, label
        rows.append(f"| `{label}` | {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))} |")
        return resp

    aid = alice.request("POST", "/api/albums", json={"name": "Trip"}).get_json()["id"]
    alice.request("POST", f"/api/albums/{aid}/photos", json={"photo_ids": photos[:2]})
    calls.clear()
    made = measure("POST /api/shares (two photos)", alice.request("POST", "/api/shares",
                                                                  json={"photo_ids": photos[:2]})).get_json()
    token = made["token"]
    measure("GET /api/shares", alice.request("GET", "/api/shares"))
    measure("GET /api/s/{token}", client.get(f"/api/s/{token}"))
    measure("GET /api/s/{token}/photos/{id}/thumbnail", client.get(f"/api/s/{token}/photos/{photos[0]}/thumbnail"))
    measure("GET /api/s/{token}/photos/{id}/original (first: strips)",
            client.get(f"/api/s/{token}/photos/{photos[0]}/original"))
    measure("GET /api/s/{token}/photos/{id}/original (again)", client.get(f"/api/s/{token}/photos/{photos[0]}/original"))
    measure("GET /api/s/{unknown token}", client.get("/api/s/" + "Z" * 43), (404,))
    measure("DELETE /api/shares/{id}", alice.request("DELETE", f"/api/shares/{made['id']}"))
    measure("POST /api/albums/{id}/members", alice.request("POST", f"/api/albums/{aid}/members",
                                                           json={"email": bob.email, "role": "viewer"}))
    measure("GET /api/albums?shared_with_me=true", bob.request("GET", "/api/albums?shared_with_me=true"))
    measure("GET /api/photos/{id} (as a member)", bob.request("GET", f"/api/photos/{photos[0]}"))
    measure("GET /api/albums/{id}/photos (as a member)", bob.request("GET", f"/api/albums/{aid}/photos"))
    measure("DELETE /api/albums/{id}/members/{user_id}", alice.request("DELETE", f"/api/albums/{aid}/members/{bob.id}"))
    out = ROOT / "artifacts" / "dynamodb-share-ops.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("| route | DynamoDB operations |\n|---|---|\n" + "\n".join(rows) + "\n")
