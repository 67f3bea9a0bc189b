"""S3 BlobStore: originals and thumbnails in one bucket, server-side encrypted, downloads by presigned URL.

The client takes the standard credential chain and boto3's own endpoint handling (AWS_ENDPOINT_URL,
AWS_ENDPOINT_URL_S3), so emulators need no code here; config.py stays the only reader of our settings.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from ...config import Settings
from ...domain.errors import NotFound, StorageUnavailable

MULTIPART_THRESHOLD = 8 * 1024 * 1024  # bytes: bigger uploads go in parts, streamed, never whole in memory
_MISSING = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


def aws_client(service: str, settings: Settings, *, addressing: str | None = None) -> Any:
    """A boto3 client for settings.aws_region with SigV4 and standard retries (shared by the AWS adapters)."""
    import boto3
    from botocore.config import Config

    extra: dict[str, Any] = {}
    if addressing:
        extra["s3"] = {"addressing_style": addressing}
    cfg = Config(signature_version="s3v4" if service == "s3" else None,
                 retries={"mode": "standard", "max_attempts": 4},
                 connect_timeout=5, read_timeout=30, **extra)
    return boto3.session.Session(botocore_session=_botocore_session()).client(
        service, region_name=settings.aws_region, config=cfg)


_LOADER: Any = None


def _botocore_session() -> Any:
    """A fresh botocore session (credentials and endpoints resolved anew) sharing one model loader, so making a
    client does not re-read botocore's JSON service models each time."""
    import botocore.session

    global _LOADER
    session = botocore.session.Session()
    if _LOADER is None:
        _LOADER = session.get_component("data_loader")
    else:
        session.register_component("data_loader", _LOADER)
    return session


def error_code(exc: Exception) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    resp = getattr(exc, "response", None) or {}
    return str(resp.get("Error", {}).get("Code", ""))


class S3BlobStore:
    """BlobStore on one S3 bucket. Keys are server-made (never user input), so they are used as given."""

    def __init__(self, client: Any, bucket: str, *, sse: str = "AES256", kms_key_id: str = "") -> None:
        self.client, self.bucket = client, bucket
        self._sse: dict[str, str] = {"ServerSideEncryption": sse}
        if sse == "aws:kms" and kms_key_id:
            self._sse["SSEKMSKeyId"] = kms_key_id

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStore:
        return cls(aws_client("s3", settings), settings.s3_bucket,
                   sse=settings.s3_sse or "AES256", kms_key_id=settings.s3_kms_key_id)

    # --- writes -------------------------------------------------------------------------------------------

    def put(self, key: str, data: BinaryIO | bytes, *, content_type: str, durable: bool = True) -> int:
        """S3 acknowledges a PUT only once it is stored durably: `durable` changes nothing here."""
        from boto3.s3.transfer import TransferConfig

        stream = _CountingReader(io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data)
        extra = {"ContentType": content_type, **self._sse}
        config = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_THRESHOLD,
                                use_threads=False)
        try:
            self.client.upload_fileobj(stream, self.bucket, key, ExtraArgs=extra, Config=config)
        except Exception as exc:  # botocore ClientError, S3UploadFailedError, connection errors
            raise StorageUnavailable(f"the photo store did not take the upload ({_why(exc)}); try again") from exc
        return stream.count

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if error_code(exc) in _MISSING:
                return
            raise StorageUnavailable(f"the photo store could not delete ({_why(exc)})") from exc

    # --- reads --------------------------------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except Exception as exc:
            raise self._read_error(exc, key) from exc

    def get(self, key: str) -> bytes:
        body = self.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except Exception as exc:
            if error_code(exc) in _MISSING:
                return False
            raise StorageUnavailable(f"the photo store is unavailable ({_why(exc)})") from exc

    def signed_url(self, key: str, *, expires_s: int, filename: str | None = None,
                   content_type: str | None = None) -> str | None:
        """A presigned GET (SigV4, short expiry) that also fixes the response's type and file name."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if content_type:
            params["ResponseContentType"] = content_type
        if filename:
            params["ResponseContentDisposition"] = _disposition(filename)
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=int(expires_s))

    def url_origin(self) -> str:
        """The scheme://host that signed URLs point at: the pages' Content-Security-Policy must allow it, since
        the browser follows the API's 302 to it (signing is local: no request is made)."""
        url = self.client.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "x"},
                                                 ExpiresIn=60)
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def keys(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    yield obj["Key"]
        except Exception as exc:
            raise StorageUnavailable(f"the photo store could not list ({_why(exc)})") from exc

    def sweep_temp(self, *, older_than: float) -> int:
        """Nothing to sweep: an S3 PUT is atomic and leaves no temporary object behind."""
        return 0

    def close(self) -> None:
        self.client.close()

    def _read_error(self, exc: Exception, key: str) -> Exception:
        if error_code(exc) in _MISSING:
            return NotFound(f"blob {key!r} does not exist")
        return StorageUnavailable(f"the photo store is unavailable ({_why(exc)})")


class _CountingReader(io.RawIOBase):
    """Wraps a stream to count the bytes upload_fileobj reads from it (streams have no reliable length)."""

    def __init__(self, inner: BinaryIO) -> None:
        self.inner, self.count = inner, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        chunk = self.inner.read(-1 if size is None else size)
        self.count += len(chunk)
        return chunk

    def readinto(self, b: Any) -> int:
        chunk = self.read(len(b))
        b[: len(chunk)] = chunk
        return len(chunk)


def _disposition(filename: str) -> str:
    """Content-Disposition with an ASCII fallback and the RFC 5987 UTF-8 name (no header injection)."""
    from urllib.parse import quote

    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "photo"
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _why(exc: Exception) -> str:
    return error_code(exc) or type(exc).__name__
