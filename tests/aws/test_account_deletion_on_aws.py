"""Account deletion in the AWS shape (S3 and DynamoDB on moto): after the 204, a scan of the whole table
and a listing of the whole bucket find nothing of the user, and everything of another user is as it was.
Also the DynamoDB login counters through the API: nobody's failures lock out anyone else."""

from __future__ import annotations

import collections
from typing import Any

import pytest

from aws.test_api_on_aws import PASSWORD, Client, aws  # noqa: F401 - the fixture is used here
from security.account_world import build_library, footprint, share_across, without

pytestmark = pytest.mark.emulator


def test_account_deletion_leaves_no_item_or_blob_of_the_user(aws: Any) -> None:
    settings, container, app = aws
    alice, bob = Client(app, "alice@example.com"), Client(app, "bob@example.com")
    alice_id = alice("GET", "/api/me").get_json()["id"]
    bob_id = bob("GET", "/api/me").get_json()["id"]
    mine = build_library(container, alice, lambda data: alice.upload(data, "a.jpg")["id"], alice_id)
    theirs = build_library(container, bob, lambda data: bob.upload(data, "b.jpg")["id"], bob_id)
    mine += share_across(alice, bob, "alice@example.com", mine, theirs)
    bob_before = footprint(container, ["bob@example.com", *theirs])
    assert footprint(container, ["alice@example.com", *mine])

    assert alice("DELETE", "/api/me", json={"password": "wrong password"}).status_code == 401
    calls: collections.Counter[str] = collections.Counter()
    for client, service in ((container.store.client, "dynamodb"), (container.blobs.client, "s3")):
        client.meta.events.register(f"before-call.{service}",
                                    lambda model, service=service, **_: calls.update([f"{service}.{model.name}"]))
    r = alice("DELETE", "/api/me", json={"password": PASSWORD})
    assert r.status_code == 204, r.get_data(as_text=True)
    assert not any(op.endswith(".Scan") for op in calls)
    print(f"\nDELETE /api/me of a library of 2 photos: {sum(calls.values())} requests: {dict(sorted(calls.items()))}")
    assert footprint(container, ["alice@example.com", *mine]) == []
    assert footprint(container, ["bob@example.com", *theirs]) == without(bob_before, ["alice@example.com", *mine])
    r = alice.http.post("/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD})
    assert r.status_code == 401
    assert alice("GET", "/api/me").status_code == 401
    assert bob("GET", "/api/photos").get_json()["items"]


def test_lockout_through_dynamodb_counters_spares_other_addresses(aws: Any) -> None:
    settings, container, app = aws
    victim = Client(app, "victim@example.com")
    http = victim.http
    flood = 3 * settings.login_max_failures_per_address
    statuses = [http.post("/api/auth/login", json={"email": f"guess{i}@example.com", "password": "guess guess"},
                          environ_base={"REMOTE_ADDR": "203.0.113.66"}).status_code for i in range(flood)]
    assert statuses.count(401) == settings.login_max_failures_per_address and set(statuses) == {401, 429}
    r = http.post("/api/auth/login", json={"email": "victim@example.com", "password": PASSWORD},
                  environ_base={"REMOTE_ADDR": "203.0.113.66"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    r = http.post("/api/auth/login", json={"email": "victim@example.com", "password": PASSWORD},
                  environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert r.status_code == 200
    # a flood grows a number, not the table: one counter item per key and time bucket
    items = container.store.client.scan(TableName=settings.dynamodb_table)["Items"]
    counters = [it for it in items if it["PK"]["S"] == "HITS#login:addr:203.0.113.66"]
    assert 1 <= len(counters) <= 2
    assert sum(int(it["n"]["N"]) for it in counters) == settings.login_max_failures_per_address
