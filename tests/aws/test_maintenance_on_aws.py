"""Issue 12, items 5 and 6, on the emulators (DynamoDB Local for the table, moto for S3 and SQS):

* a maintenance pass makes the same requests over a library of 1,000 finished photos as over 10,000: it reads
  the indexes of pending work (sharded stale uploads, pending blob entries), never the library. Every request
  of every client the pass uses is counted with botocore `before-call` hooks.
* least privilege, seen from the code: every table key the processing function and the maintenance pass
  request (the partition key of each item read or written, the partition of each Query) is recorded with a
  botocore hook and must match the `dynamodb:LeadingKeys` patterns of their roles in deploy/template.yaml, and
  none is an account partition (USER#, EMAIL#, SESSION#, TOKEN#, HITS#). MiniStack's IAM evaluation is the
  other half (tests/deploy/test_ministack_lambda.py).
"""

from __future__ import annotations

import collections
import fnmatch
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import point_boto3, unique_settings
from cloudalbum import bootstrap
from cloudalbum.adapters.aws import keys as K
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.adapters.aws.photo_items import photo_attrs
from cloudalbum.adapters.aws.table import av_key
from cloudalbum.domain.model import Photo, new_id
from cloudalbum.ports import PendingBlobs
from cloudalbum.services.maintenance import ORPHAN_GRACE_S, STALE_UPLOAD_S
from cloudalbum.services.photos import pending_stamp
from support import make_jpeg, needs_corpus

pytestmark = pytest.mark.emulator


class Requests:
    """Every request of the given boto3 clients, by "service.Operation", and the table keys they name."""

    def __init__(self, *clients: Any) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.keys: set[str] = set()
        for client in clients:
            client.meta.events.register("before-call", self._on_call)
            client.meta.events.register("before-parameter-build.dynamodb", self._on_params)

    def _on_call(self, model: Any, **_: Any) -> None:
        self.counts[f"{model.service_model.service_name}.{model.name}"] += 1

    def _on_params(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        """The request's parameters as the caller gave them (before serialisation)."""
        self.keys |= set(leading_keys(model.name, params))

    def reset(self) -> None:
        self.counts.clear()
        self.keys.clear()


def leading_keys(operation: str, params: dict[str, Any]) -> Iterator[str]:
    """The partition-key values a DynamoDB request names, as IAM's dynamodb:LeadingKeys sees them: the PK of
    every item key or item, and a Query's partition (our queries bind it to :pk)."""
    if operation == "Query":
        yield params["ExpressionAttributeValues"][":pk"]["S"]
        return

    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            pk = node.get("PK")
            if isinstance(pk, dict) and "S" in pk:
                yield pk["S"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    yield from walk({k: v for k, v in params.items() if k != "ExpressionAttributeValues"})


def role_table_statement(role: str) -> dict[str, Any]:
    """A role's one table statement in deploy/template.yaml."""
    from deploy.cfn import load_template

    props = load_template()["Resources"][role]["Properties"]
    statements = [s for p in props["Policies"] for s in p["PolicyDocument"]["Statement"]
                  if any(str(a).startswith("dynamodb:") for a in s["Action"])]
    assert len(statements) == 1, role
    return statements[0]


def role_leading_keys(role: str) -> list[str]:
    return role_table_statement(role)["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]


TRANSACTION_ITEM_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}


def assert_role_allows(role: str, counts: collections.Counter[str], keys: set[str]) -> None:
    """Every DynamoDB operation made is an action of the role, every key named matches its LeadingKeys, and
    none is an account partition."""
    patterns, actions = role_leading_keys(role), set(role_table_statement(role)["Action"])
    used = {"dynamodb:" + op.split(".", 1)[1] for op in counts if op.startswith("dynamodb.")}
    if "dynamodb:TransactWriteItems" in used:  # IAM has no such action: it checks each item's own action
        used = (used - {"dynamodb:TransactWriteItems"}) | TRANSACTION_ITEM_ACTIONS
    assert used and used <= actions, (role, sorted(used - actions))
    assert keys and all(allowed(k, patterns) for k in keys), (role, sorted(k for k in keys if not allowed(k, patterns)))
    assert not [k for k in keys if k.startswith(K.ACCOUNT_PREFIXES)]


def allowed(key: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


@pytest.fixture
def ddb_local_container(moto_endpoint: str, ddb_local_endpoint: str, monkeypatch: pytest.MonkeyPatch,
                        tmp_path: Path) -> Iterator[bootstrap.Container]:
    point_boto3(monkeypatch, endpoint=moto_endpoint, dynamodb=ddb_local_endpoint)
    settings = unique_settings(tmp_path)
    init_aws(settings)
    container = bootstrap.build(settings)
    yield container
    container.store.client.delete_table(TableName=settings.dynamodb_table)  # keep the in-memory JVM small
    container.close()


def add_finished_photos(store: Any, owner: str, n: int) -> None:
    """n finished photos, written as the store writes them (its own item builder) in BatchWriteItem batches:
    a library that is quick to make and has nothing pending."""
    items = []
    for i in range(n):
        pid = new_id()
        photo = Photo(id=pid, owner_id=owner, filename=f"{i}.jpg", content_type="image/jpeg", bytes=1000,
                      original_key=f"originals/{owner}/{pid}", uploaded_at="2025-01-01T00:00:00+00:00",
                      taken_at=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00", status="done")
        items.append({**av_key(K.photo_key(pid)), **photo_attrs(photo), "albums": {"M": {}}})
    store.table.batch_write(puts=items)


def add_pending_work(c: bootstrap.Container, owner: str, now: float) -> None:
    """The same work in flight for every library: 3 uploads that lost their job, 2 uploads that died between
    storing the original and writing the record (one original stored, one not)."""
    old = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now - STALE_UPLOAD_S - 60))
    for _ in range(3):
        pid = new_id()
        c.store.photos.add_photo(Photo(id=pid, owner_id=owner, filename="s.jpg", content_type="image/jpeg", bytes=10,
                                original_key=f"originals/{owner}/{pid}", uploaded_at=old))
    for i in range(2):
        pid = new_id()
        c.store.photos.add_pending_blobs(PendingBlobs(pid, owner, pending_stamp(now - ORPHAN_GRACE_S - 60)))
        if i == 0:
            c.blobs.put(f"originals/{owner}/{pid}", make_jpeg(16, 16), content_type="image/jpeg")


def test_a_maintenance_pass_costs_the_same_over_1k_and_10k_finished_photos(
        ddb_local_container: bootstrap.Container) -> None:
    c = ddb_local_container
    owner = "owner-of-a-big-library"
    counted = Requests(c.store.client, c.blobs.client, c.queue.client)  # type: ignore[attr-defined]
    passes: dict[int, collections.Counter[str]] = {}
    library = 0
    for size in (1_000, 10_000):
        add_finished_photos(c.store, owner, size - library)
        library = size
        now = time.time()
        add_pending_work(c, owner, now)
        counted.reset()
        report = c.maintenance.run_once(now=now)
        passes[size] = collections.Counter(counted.counts)
        assert (report.requeued, report.orphans_deleted, report.pending_cleared) == (
            3 * (1 if size == 1_000 else 2), 1, 2), report  # the first pass's stuck uploads are still stuck
    print("\nrequests per maintenance pass:", {size: dict(sorted(p.items())) for size, p in passes.items()})
    small, big = passes[1_000], passes[10_000]
    # The second pass re-enqueues the first pass's 3 stuck uploads too (they are still "uploaded": no worker).
    assert big - collections.Counter({"sqs.SendMessage": 3}) == small
    # every shard of the three indexes of work (stale uploads, pending blobs, the trash's purge), once
    assert small["dynamodb.Query"] == 3 * K.PENDING_SHARDS
    assert small["s3.ListObjectsV2"] == 2  # the thumbnails of the 2 orphans' photos, never the bucket
    assert "dynamodb.Scan" not in small and sum(small.values()) < 80


def test_the_maintenance_pass_requests_only_keys_its_role_allows(
        ddb_local_container: bootstrap.Container) -> None:
    c = ddb_local_container
    add_pending_work(c, "u1", time.time())
    user_photo = c.photos.upload("u1", io.BytesIO(make_jpeg(32, 32)), "a.jpg")
    c.photos.delete("u1", user_photo.id)
    album = c.albums.create("u1", "Trip")
    trashed = c.photos.upload("u1", io.BytesIO(make_jpeg(32, 32, color=(1, 2, 3))), "b.jpg", album_id=album.id)
    c.trash.move_to_trash("u1", trashed.id)  # and purged by the pass: a permanent delete, from the maintenance role
    counted = Requests(c.store.client)
    report = c.maintenance.run_once(now=time.time() + ORPHAN_GRACE_S + (c.settings.trash_days + 1) * 86400)
    assert report.purged == 1 and c.store.photos.get_photo(trashed.id, None, trashed=True) is None
    assert_role_allows("MaintenanceRole", counted.counts, counted.keys)


@pytest.mark.corpus
def test_the_processing_function_requests_only_keys_its_role_allows(
        ddb_local_container: bootstrap.Container) -> None:
    """A photo with a person processed by the real handler (objects, place, faces, people, questions), then a
    face scan step: every key it names matches the ProcessingRole's LeadingKeys, none is an account's."""
    from cloudalbum.entrypoints.handler import handle

    c = ddb_local_container
    owner = "u-worker"  # processing needs no account: it must not even be able to read one
    photo = c.photos.upload(owner, open(needs_corpus() / "objects" / "astronaut.png", "rb"), "astronaut.png")
    counted = Requests(c.store.client)
    jobs = [{"type": "process_photo", "photo_id": photo.id, "owner_id": owner},
            {"type": "scan_faces", "owner_id": owner, "cursor": None}]
    event = {"Records": [{"messageId": f"m{i}", "body": json.dumps(job), "attributes": {"ApproximateReceiveCount": "1"}}
                         for i, job in enumerate(jobs)]}
    assert handle(event, container=c) == {"batchItemFailures": []}
    assert c.store.photos.get_photo(photo.id, None).status in ("done", "needs_input")
    print("\nkeys the processing function named:", sorted({k.split("#")[0] + "#" for k in counted.keys}),
          "operations:", sorted(counted.counts))
    assert_role_allows("ProcessingRole", counted.counts, counted.keys)
