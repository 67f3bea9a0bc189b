"""The port contract suites (tests/contract/) run against the AWS adapters on emulators:
S3BlobStore on moto and on SeaweedFS, DynamoMetadataStore (MetadataStore and FaceStore) on moto and on
DynamoDB Local, SqsJobQueue on moto."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aws.conftest import SEAWEED_KEY, SEAWEED_SECRET, point_boto3, unique_settings
from cloudalbum.adapters.aws import keys as K
from cloudalbum.adapters.aws.blobstore import S3BlobStore
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.adapters.aws.queue import SqsJobQueue
from cloudalbum.adapters.aws.store import DynamoMetadataStore
from cloudalbum.domain.duplicates import Fingerprint, lookup_keys, probes
from cloudalbum.domain.model import Photo
from contract.batches_contract import BatchStoreContract
from contract.blobstore_contract import BlobStoreContract
from contract.duplicates_contract import DuplicateStoreContract
from contract.faces_contract import FaceStoreContract
from contract.limits_contract import LimitStoreConcurrencyContract, LimitStoreContract
from contract.metadata_contract import MetadataStoreConcurrencyContract, MetadataStoreContract, make_photo
from contract.places_contract import PlaceIndexContract
from contract.queue_contract import JobQueueContract
from contract.sharing_contract import ShareStoreContract
from contract.time_contract import TimeOrderContract
from contract.timeline_contract import TimelineContract
from contract.trips_contract import TripStoreContract

pytestmark = pytest.mark.emulator
SEAWEED_BUCKET = "cloudalbum-contract"


def store_settings(store: S3BlobStore) -> Any:
    from cloudalbum.config import Settings

    return Settings(backend="aws", s3_bucket=store.bucket)


class TestS3BlobStoreOnMoto(BlobStoreContract):
    @pytest.fixture
    def blobs(self, moto_env: str, tmp_path: Path) -> Iterator[S3BlobStore]:
        settings = unique_settings(tmp_path)
        init_aws(settings, ("s3",))
        store = S3BlobStore.from_settings(settings)
        yield store
        store.close()


class TestS3BlobStoreOnSeaweedFS(BlobStoreContract):
    @pytest.fixture
    def blobs(self, seaweed_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[S3BlobStore]:
        """One bucket for the session (SeaweedFS gives each bucket its own volumes), emptied after each test."""
        point_boto3(monkeypatch, endpoint=seaweed_endpoint, key=SEAWEED_KEY, secret=SEAWEED_SECRET)
        store = S3BlobStore.from_settings(unique_settings(tmp_path, s3_bucket=SEAWEED_BUCKET))
        init_aws(store_settings(store), ("s3",))
        yield store
        for key in list(store.keys("")):
            store.delete(key)
        store.close()


class OnMoto:
    @pytest.fixture
    def store(self, moto_env: str, tmp_path: Path) -> Iterator[DynamoMetadataStore]:
        settings = unique_settings(tmp_path)
        init_aws(settings, ("dynamodb",))
        store = DynamoMetadataStore.from_settings(settings)
        yield store
        store.close()


class OnDynamoDBLocal:
    @pytest.fixture
    def store(self, ddb_local_store: DynamoMetadataStore) -> DynamoMetadataStore:
        return ddb_local_store


class TestDynamoMetadataStoreOnMoto(OnMoto, MetadataStoreContract):
    pass


class TestDynamoMetadataStoreOnDynamoDBLocal(OnDynamoDBLocal, MetadataStoreContract, MetadataStoreConcurrencyContract):
    pass


class TestDynamoShareStoreOnMoto(OnMoto, ShareStoreContract):
    pass


class TestDynamoShareStoreOnDynamoDBLocal(OnDynamoDBLocal, ShareStoreContract):
    pass


class TestDynamoBatchStoreOnMoto(OnMoto, BatchStoreContract):
    pass


class TestDynamoBatchStoreOnDynamoDBLocal(OnDynamoDBLocal, BatchStoreContract):
    pass


class DynamoDuplicateContract(DuplicateStoreContract):
    def forget_prefilter(self, store: Any, photo: Photo) -> None:
        """Remove `near` from the photo's DK index items, as an item written before the prefilter was."""
        for entry in K.index_entries(photo, photo.albums):
            pk, sk = K.split_entry(entry)
            if "#DK#" in pk:
                store.client.update_item(TableName=store.table.name, Key={"PK": {"S": pk}, "SK": {"S": sk}},
                                         UpdateExpression="REMOVE #n", ExpressionAttributeNames={"#n": "near"})


    def test_a_lookup_is_one_query_per_key_whatever_the_library(self, store: Any, owners: tuple[str, str]) -> None:
        """DynamoDB's cost of a lookup: one Query per distinct key (17 at most), however many photos there are."""
        import random

        alice, _ = owners
        rng = random.Random(15)

        def h() -> str:
            return f"{rng.getrandbits(64):016x}"

        def random_fp() -> Fingerprint:
            return Fingerprint(f"{rng.getrandbits(128):032x}", h(), h(), 1.5, crops=tuple((h(), h()) for _ in range(3)))

        calls: list[str] = []
        store.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
        for size in (5, 40):
            while len(store.photos.list_photos(alice, limit=100).items) < size:
                store.photos.add_photo(make_photo(alice, status="done", fingerprint=random_fp()))
            new = random_fp()
            calls.clear()
            store.duplicates.candidates(alice, probes(new))
            assert calls == ["Query"] * len(lookup_keys(new)) == ["Query"] * 17, (size, calls)


class TestDynamoDuplicatesOnMoto(OnMoto, DynamoDuplicateContract):
    pass


class TestDynamoDuplicatesOnDynamoDBLocal(OnDynamoDBLocal, DynamoDuplicateContract):
    pass


class TestDynamoTimelineOnMoto(OnMoto, TimelineContract):
    pass


class TestDynamoTimelineOnDynamoDBLocal(OnDynamoDBLocal, TimelineContract):
    pass


class TestDynamoTimeOrderOnMoto(OnMoto, TimeOrderContract):
    pass


class TestDynamoTimeOrderOnDynamoDBLocal(OnDynamoDBLocal, TimeOrderContract):
    pass


class TestDynamoPlaceIndexOnMoto(OnMoto, PlaceIndexContract):
    pass


class TestDynamoPlaceIndexOnDynamoDBLocal(OnDynamoDBLocal, PlaceIndexContract):
    pass


class TestDynamoFaceStoreOnMoto(OnMoto, FaceStoreContract):
    pass


class TestDynamoFaceStoreOnDynamoDBLocal(OnDynamoDBLocal, FaceStoreContract):
    pass


class TestDynamoLimitStoreOnMoto(OnMoto, LimitStoreContract):
    pass


class TestDynamoLimitStoreOnDynamoDBLocal(OnDynamoDBLocal, LimitStoreContract, LimitStoreConcurrencyContract):
    pass


class TestSqsJobQueueOnMoto(JobQueueContract):
    @pytest.fixture
    def make_queue(self, moto_env: str, tmp_path: Path) -> Iterator[Callable[..., Any]]:
        made: list[SqsJobQueue] = []

        def make(*, visibility_timeout_s: int, max_receives: int) -> SqsJobQueue:
            settings = unique_settings(tmp_path, visibility_timeout_s=visibility_timeout_s,
                                       max_receives=max_receives)
            init_aws(settings, ("sqs",))
            q = SqsJobQueue.from_settings(settings)
            made.append(q)
            return q

        yield make
        for q in made:
            q.close()

    def test_stale_receipt_handle_is_ignored(self, queue: Any) -> None:  # type: ignore[override]
        """SQS's own promise differs from the embedded queue's: a delete with an older receipt handle of a
        message received again since raises nothing, but SQS may still delete the message (documented AWS
        behaviour; moto does delete it). That is harmless here: the older receiver finished the job, and
        processing is idempotent. What the port needs from SQS holds: no error, and the newer receipt's
        change_visibility and delete still work."""
        import time

        from contract.queue_contract import PAST_VT

        queue.send({"n": 1})
        [first] = queue.receive(wait_s=2)
        time.sleep(PAST_VT)
        [second] = queue.receive(wait_s=2)
        assert second.receive_count == 2 and second.receipt_handle != first.receipt_handle
        queue.change_visibility(first.receipt_handle, 0)  # stale: no error
        queue.delete(first.receipt_handle)  # stale: no error
        queue.change_visibility(second.receipt_handle, 30)
        queue.delete(second.receipt_handle)
        assert queue.receive(wait_s=0) == []


class TestDynamoTripStoreOnMoto(OnMoto, TripStoreContract):
    pass


class TestDynamoTripStoreOnDynamoDBLocal(OnDynamoDBLocal, TripStoreContract):
    pass
