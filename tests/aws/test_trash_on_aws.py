"""DynamoMetadataStore against the trash contract: a trashed photo's item moves from its list partitions (GSI1,
GSI2) to the owner's trash partition and the purge's sharded GSI3, its index items go, its albums' counts and
the owner's counters move, its open questions leave the sparse open list."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest

from aws.test_api_on_aws import Client
from aws.test_contracts import OnDynamoDBLocal, OnMoto
from cloudalbum.domain.model import iso, utcnow
from contract.trash_contract import TrashContract
from support import make_jpeg

pytestmark = pytest.mark.emulator


class TestDynamoTrashOnMoto(OnMoto, TrashContract):
    pass


class TestDynamoTrashOnDynamoDBLocal(OnDynamoDBLocal, TrashContract):
    pass


def test_trash_and_restore_over_the_api_on_the_aws_shape(aws_app: Any) -> None:
    """S3 + DynamoDB + SQS (moto): DELETE trashes, every read 404s, lists, albums and /api/me follow, restore
    brings it back, an identical upload restores it, emptying and the purge remove the S3 objects."""
    container, app = aws_app
    alice, bob = Client(app, "alice@example.com"), Client(app, "bob@example.com")
    data = make_jpeg(color=(10, 120, 30))
    kept, gone = alice.upload(make_jpeg(color=(200, 1, 1)), "kept.jpg"), alice.upload(data, "gone.jpg")
    album = alice("POST", "/api/albums", json={"name": "Trip"}).get_json()["id"]
    assert alice("POST", f"/api/albums/{album}/photos", json={"photo_ids": [kept["id"], gone["id"]]}).status_code == 200

    assert alice("DELETE", f"/api/photos/{gone['id']}").status_code == 204
    for path in (f"/api/photos/{gone['id']}", f"/api/photos/{gone['id']}/original"):
        assert alice("GET", path).status_code == 404
    assert [p["id"] for p in alice("GET", "/api/photos").get_json()["items"]] == [kept["id"]]
    assert alice("GET", f"/api/albums/{album}").get_json()["photo_count"] == 1
    assert [p["id"] for p in alice("GET", f"/api/albums/{album}/photos").get_json()["items"]] == [kept["id"]]
    trash = alice("GET", "/api/trash").get_json()["items"]
    assert [p["id"] for p in trash] == [gone["id"]] and trash[0]["trashed_at"]
    me = alice("GET", "/api/me").get_json()
    assert me["photo_count"] == 1 and me["trash_count"] == 1 and me["storage_bytes"] == kept["bytes"] + gone["bytes"]
    assert bob("GET", "/api/trash").get_json()["items"] == []
    assert bob("POST", f"/api/trash/{gone['id']}/restore").status_code == 404

    back = alice("POST", f"/api/trash/{gone['id']}/restore")
    assert back.status_code == 200 and back.get_json()["albums"] == [album]
    assert alice("GET", f"/api/photos/{gone['id']}/original").status_code in (200, 302)
    assert alice("GET", f"/api/albums/{album}").get_json()["photo_count"] == 2
    assert alice("GET", "/api/me").get_json()["trash_count"] == 0

    assert alice("DELETE", f"/api/photos/{gone['id']}").status_code == 204
    again = alice("POST", "/api/photos", data={"file": (io.BytesIO(data), "again.jpg")},
                  content_type="multipart/form-data")
    assert again.status_code == 200 and again.get_json()["id"] == gone["id"] and again.get_json()["duplicate"]
    assert alice("GET", "/api/trash").get_json()["items"] == []

    original = container.store.photos.get_photo(gone["id"], None).original_key
    assert alice("DELETE", f"/api/photos/{gone['id']}").status_code == 204
    assert alice("DELETE", "/api/trash").status_code == 204
    assert not container.blobs.exists(original)
    assert alice("GET", "/api/me").get_json()["storage_bytes"] == kept["bytes"]

    assert alice("DELETE", f"/api/photos/{kept['id']}").status_code == 204
    photo = container.store.photos.get_photo(kept["id"], None, trashed=True)
    photo.trashed_at = iso(utcnow() - timedelta(days=container.settings.trash_days, minutes=1))
    container.store.photos.save_photo(photo)
    assert container.maintenance.run_once().purged == 1
    assert not container.blobs.exists(photo.original_key)
    me = alice("GET", "/api/me").get_json()
    assert me["photo_count"] == 0 and me["trash_count"] == 0 and me["storage_bytes"] == 0
