"""S3BlobStore beyond the contract: presigned URLs checked by a real SigV4 gateway (SeaweedFS), server-side
encryption on every put, streamed multipart uploads and error mapping (moto)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests

from aws.conftest import SEAWEED_KEY, SEAWEED_SECRET, point_boto3, unique_settings
from cloudalbum.adapters.aws.blobstore import MULTIPART_THRESHOLD, S3BlobStore
from cloudalbum.adapters.aws.init import init_aws
from cloudalbum.domain.errors import NotFound, StorageUnavailable

pytestmark = pytest.mark.emulator
BUCKET = "cloudalbum-signed"


@pytest.fixture
def seaweed(seaweed_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[S3BlobStore]:
    point_boto3(monkeypatch, endpoint=seaweed_endpoint, key=SEAWEED_KEY, secret=SEAWEED_SECRET)
    settings = unique_settings(tmp_path, s3_bucket=BUCKET)
    init_aws(settings, ("s3",))
    store = S3BlobStore.from_settings(settings)
    yield store
    store.close()


@pytest.fixture
def moto_store(moto_env: str, tmp_path: Path) -> Iterator[S3BlobStore]:
    settings = unique_settings(tmp_path)
    init_aws(settings, ("s3",))
    store = S3BlobStore.from_settings(settings)
    yield store
    store.close()


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_presigned_get_works_and_sets_type_and_name(seaweed: S3BlobStore) -> None:
    seaweed.put("originals/u1/p1", b"\xff\xd8jpeg bytes", content_type="image/jpeg")
    url = seaweed.signed_url("originals/u1/p1", expires_s=60, filename="Café 1.jpg", content_type="image/jpeg")
    assert url and "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and r.content == b"\xff\xd8jpeg bytes"
    assert r.headers["Content-Type"] == "image/jpeg"
    assert "Caf" in r.headers.get("Content-Disposition", "")


def test_unsigned_request_is_refused(seaweed: S3BlobStore, seaweed_endpoint: str) -> None:
    seaweed.put("originals/u1/p2", b"secret", content_type="image/jpeg")
    r = requests.get(f"{seaweed_endpoint}/{BUCKET}/originals/u1/p2", timeout=10)
    assert r.status_code in (401, 403) and b"secret" not in r.content


def test_tampered_url_is_refused(seaweed: S3BlobStore) -> None:
    seaweed.put("originals/u1/p3", b"mine", content_type="image/jpeg")
    seaweed.put("originals/u2/other", b"theirs", content_type="image/jpeg")
    url = seaweed.signed_url("originals/u1/p3", expires_s=60)
    assert url is not None
    other_key = url.replace("originals/u1/p3", "originals/u2/other")
    sig = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    forged_sig = with_query(url, **{"X-Amz-Signature": ("0" if sig[0] != "0" else "1") + sig[1:]})
    longer = with_query(url, **{"X-Amz-Expires": "604800"})
    for bad in (other_key, forged_sig, longer):
        r = requests.get(bad, timeout=10)
        assert r.status_code == 403, (bad, r.status_code)
        assert b"theirs" not in r.content and b"mine" not in r.content


def test_expired_url_is_refused(seaweed: S3BlobStore) -> None:
    seaweed.put("originals/u1/p4", b"soon gone", content_type="image/jpeg")
    url = seaweed.signed_url("originals/u1/p4", expires_s=1)
    assert url is not None
    time.sleep(2.5)
    r = requests.get(url, timeout=10)
    assert r.status_code == 403 and b"soon gone" not in r.content


def test_every_put_is_server_side_encrypted(moto_store: S3BlobStore) -> None:
    moto_store.put("originals/u1/p", b"x", content_type="image/jpeg")
    head = moto_store.client.head_object(Bucket=moto_store.bucket, Key="originals/u1/p")
    assert head["ServerSideEncryption"] == "AES256" and head["ContentType"] == "image/jpeg"
    enc = moto_store.client.get_bucket_encryption(Bucket=moto_store.bucket)
    rule = enc["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "AES256"


class SmallReadsOnly(io.RawIOBase):
    """A stream that refuses to be read whole: proves a big upload is streamed in parts."""

    def __init__(self, size: int) -> None:
        self.left, self.largest = size, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        assert 0 < n <= MULTIPART_THRESHOLD, f"read({n}): the upload tried to read the stream whole"
        n = min(n, self.left)
        self.left -= n
        self.largest = max(self.largest, n)
        return b"z" * n


def test_big_upload_is_streamed_in_parts(moto_store: S3BlobStore) -> None:
    size = MULTIPART_THRESHOLD + 1024 * 1024
    stream = SmallReadsOnly(size)
    assert moto_store.put("originals/u1/big", stream, content_type="image/jpeg") == size
    head = moto_store.client.head_object(Bucket=moto_store.bucket, Key="originals/u1/big")
    assert head["ContentLength"] == size and "-" in head["ETag"]  # a multipart ETag
    assert head["ServerSideEncryption"] == "AES256"


def test_errors_map_to_domain_errors(moto_store: S3BlobStore, moto_env: Any) -> None:
    with pytest.raises(NotFound):
        moto_store.get("originals/u1/missing")
    gone = S3BlobStore(moto_store.client, "no-such-bucket-cloudalbum")
    with pytest.raises(StorageUnavailable):
        gone.put("originals/u1/p", b"x", content_type="image/jpeg")
    with pytest.raises(NotFound):
        gone.open("originals/u1/p")
