"""The AWS shape end to end in MiniStack: S3, DynamoDB, SQS (+ dead-letter queue) and Lambda, with our REAL
handler (`cloudalbum.entrypoints.handler.handle`) deployed as a function behind an SQS event source mapping
with FunctionResponseTypes [ReportBatchItemFailures], exactly as deploy/template.yaml wires it.

How MiniStack runs the function (ministack 1.5.33, studied in its core/lambda_runtime.py): a Python zip
function runs in a warm subprocess of MiniStack's *own* interpreter (.venvs/ministack/bin/python), with the
zip extracted to a temporary directory put first on sys.path, and the function's Environment.Variables in
the process environment from the start. So the zip carries only a placeholder and the function's
environment sets PYTHONPATH to this repository's src/ and .venv's site-packages (numpy, onnxruntime, the
model wheel...): the handler imports exactly the code under test. That needs both venvs on the same Python
minor version (the compiled wheels), which the fixture checks. Its poller (`_poll_sqs`) receives batches,
invokes the function, deletes the records not listed in batchItemFailures, and leaves the listed ones to come
back after the queue's visibility timeout; SQS's RedrivePolicy moves them to the dead-letter queue after
maxReceiveCount receives.

The photos go in through the API (the Flask app on the AWS adapters: S3 put, DynamoDB record, SQS message).
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from cloudalbum import bootstrap
from cloudalbum.config import Settings
from support import ROOT, manifest, needs, needs_corpus

from .cfn import TOOLS_HOW, tool

pytestmark = pytest.mark.emulator

HANDLER = "cloudalbum.entrypoints.handler.handle"
ACCOUNT = "000000000000"  # MiniStack's account: it takes the access key id as the account
REGION = "us-east-1"
DEADLINE_S = 240  # the whole scenario; each wait below is bounded by it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _site_packages() -> Path:
    import numpy

    return Path(numpy.__file__).resolve().parent.parent


def _wait_until(what: str, check: Callable[[], Any], deadline: float, log: Path) -> Any:
    """Poll check() until it returns something truthy; fail with MiniStack's log tail at the deadline."""
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-6000:] if log.exists() else ""
            pytest.fail(f"timed out waiting for {what}\n--- ministack log tail ---\n{tail}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def ministack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    exe = tool("ministack", "ministack")
    needs(exe.exists(), "MiniStack in .venvs/ministack", TOOLS_HOW)
    py = tool("ministack", "python")
    theirs = subprocess.run([str(py), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                            text=True, check=True).stdout.strip()
    needs(theirs == str(sys.version_info[:2]), "MiniStack's venv on this Python version",
          f"it runs {theirs}, the project {sys.version_info[:2]}: recreate .venvs/ministack (rm -r it; make tools)")
    port = _free_port()
    log = tmp_path_factory.mktemp("ministack") / "ministack.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(GATEWAY_PORT=str(port), BIND_HOST="127.0.0.1", MINISTACK_REGION=REGION, LOG_LEVEL="INFO",
               SERVICES="s3,sqs,dynamodb,lambda,sts,iam,logs", AWS_ACCESS_KEY_ID=ACCOUNT,
               AWS_SECRET_ACCESS_KEY="test", TMPDIR=str(log.parent))
    with open(log, "w") as out:
        proc = subprocess.Popen([str(exe)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, "MiniStack did not start listening"
                time.sleep(0.2)
        yield {"url": f"http://127.0.0.1:{port}", "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def aws_env(ministack: dict[str, Any]) -> Iterator[dict[str, str]]:
    """This process talks to MiniStack the way the API host talks to AWS: boto3's standard environment."""
    values = {"AWS_ENDPOINT_URL": ministack["url"], "AWS_ACCESS_KEY_ID": ACCOUNT, "AWS_SECRET_ACCESS_KEY": "test",
              "AWS_DEFAULT_REGION": REGION}
    with pytest.MonkeyPatch.context() as mp:
        for k in [k for k in os.environ if k.startswith("AWS_") and k not in values]:
            mp.delenv(k)
        for k, v in values.items():
            mp.setenv(k, v)
        yield values


def _client(service: str, url: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=ACCOUNT,
                        aws_secret_access_key="test")


def _function_env(settings: Settings, url: str) -> dict[str, str]:
    """The function's environment: the template's CLOUDALBUM_* variables, plus where the code is."""
    return {
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(_site_packages())]),
        "AWS_ENDPOINT_URL": url,
        "CLOUDALBUM_BACKEND": "aws",
        "CLOUDALBUM_AWS_REGION": REGION,
        "CLOUDALBUM_S3_BUCKET": settings.s3_bucket,
        "CLOUDALBUM_DYNAMODB_TABLE": settings.dynamodb_table,
        "CLOUDALBUM_SQS_QUEUE": settings.sqs_queue,
        "CLOUDALBUM_SQS_DLQ": settings.sqs_dlq,
        "CLOUDALBUM_MAX_RECEIVES": str(settings.max_receives),
        "CLOUDALBUM_VISIBILITY_TIMEOUT_S": str(settings.visibility_timeout_s),
    }


def _placeholder_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("README.txt", "cloudalbum's handler comes from PYTHONPATH; see tests/deploy/test_ministack_lambda.py")
    return buf.getvalue()


def _depth(sqs: Any, url: str) -> tuple[int, int]:
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                               "ApproximateNumberOfMessagesNotVisible"])
    return int(a["Attributes"]["ApproximateNumberOfMessages"]), int(a["Attributes"]["ApproximateNumberOfMessagesNotVisible"])


def test_real_handler_in_lambda_processes_photos_and_sends_poison_to_the_dlq(
        ministack: dict[str, Any], aws_env: dict[str, str], tmp_path: Path) -> None:
    photos_dir = needs_corpus()
    rows = manifest()
    deadline = time.monotonic() + DEADLINE_S
    url, log = ministack["url"], ministack["log"]
    suffix = str(int(time.time() * 1000))
    settings = Settings(backend="aws", env="development", data_dir=tmp_path / "data", workers=0, aws_region=REGION,
                        s3_bucket=f"photos-{suffix}", dynamodb_table=f"cloudalbum-{suffix}",
                        sqs_queue=f"jobs-{suffix}", sqs_dlq=f"jobs-dlq-{suffix}",
                        visibility_timeout_s=120, max_receives=2)

    # 1. the resources, as `cloudalbum aws-init` makes them
    from cloudalbum.adapters.aws_init import init_aws

    assert init_aws(settings), "aws-init created nothing"
    sqs, lam = _client("sqs", url), _client("lambda", url)
    queue_url = sqs.get_queue_url(QueueName=settings.sqs_queue)["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName=settings.sqs_dlq)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.loads(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])
                         ["Attributes"]["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == 2 and redrive["deadLetterTargetArn"].endswith(settings.sqs_dlq)

    # 2. the function and its event source mapping, as the template's ProcessingFunction and its Jobs event
    name = f"processing-{suffix}"
    lam.create_function(FunctionName=name, Runtime="python3.11", Handler=HANDLER, Timeout=120, MemorySize=2048,
                        Role=f"arn:aws:iam::{ACCOUNT}:role/cloudalbum-processing",
                        Code={"ZipFile": _placeholder_zip()},
                        Environment={"Variables": _function_env(settings, url)})
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=name, BatchSize=4,
                                    MaximumBatchingWindowInSeconds=1,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])

    # 3. two real photos, uploaded through the API as the EC2 instances serve it (the Flask app on the AWS
    #    adapters: S3 original, DynamoDB record, SQS message)
    from cloudalbum.entrypoints.api import create_app

    container = bootstrap.build(settings)
    try:
        client = create_app(container).test_client()
        account = {"email": "lambda@example.com", "password": "correct horse battery"}
        assert client.post("/api/auth/register", json=account).status_code == 201
        token = client.post("/api/auth/login", json=account).get_json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        uploaded = {}
        for rel in ("objects/dog.jpg", "gps/DSCN0010.jpg"):
            with open(photos_dir / rel, "rb") as f:
                r = client.post("/api/photos", headers=auth, data={"file": (f, Path(rel).name)},
                                content_type="multipart/form-data")
            assert r.status_code == 202, r.get_data(as_text=True)
            uploaded[rel] = r.get_json()["id"]

        def all_processed() -> dict[str, Any] | None:
            states = [client.get(f"/api/photos/{pid}", headers=auth).get_json()["status"]
                      for pid in uploaded.values()]
            if all(s in ("done", "needs_input", "failed") for s in states):
                return {rel: container.store.get_photo(pid, None) for rel, pid in uploaded.items()}
            return None

        done = _wait_until("both photos processed by the Lambda function", all_processed, deadline, log)
        for rel, photo in done.items():
            assert photo.status in ("done", "needs_input"), f"{rel}: {photo.status} {photo.error!r}"
            for key in photo.thumbnail_keys.values():
                assert container.blobs.exists(key), f"{rel}: thumbnail {key} not in S3"
            assert photo.thumbnail_keys, rel
        dog = done["objects/dog.jpg"]
        assert "dog" in {label.name for label in dog.labels}, dog.labels
        assert all(label.model and label.model.startswith("yolov8n@") for label in dog.labels)
        arezzo = done["gps/DSCN0010.jpg"]
        row = rows["gps/DSCN0010.jpg"]
        assert arezzo.location is not None
        assert abs(arezzo.location.lat - float(row["expected_lat"])) < 1e-4
        assert abs(arezzo.location.lon - float(row["expected_lon"])) < 1e-4
        assert arezzo.location.place and arezzo.location.place.country_code == "IT"
        _wait_until("the job queue to drain", lambda: _depth(sqs, queue_url) == (0, 0), deadline, log)
        assert _depth(sqs, dlq_url) == (0, 0)

        # 4. a poison message: the handler reports it in batchItemFailures (it is not deleted), the queue
        #    redelivers it, and after maxReceiveCount receives SQS moves it to the dead-letter queue. The
        #    function is warm now; a short visibility timeout keeps the two receives quick.
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "2"})
        poison = sqs.send_message(QueueUrl=queue_url, MessageBody="this is not a job")["MessageId"]
        _wait_until("the poison message in the dead-letter queue", lambda: _depth(sqs, dlq_url)[0] == 1,
                    deadline, log)
        assert _depth(sqs, queue_url) == (0, 0)
        dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
        assert [m["MessageId"] for m in dead] == [poison]
        assert dead[0]["Body"] == "this is not a job"
        assert int(dead[0]["Attributes"]["ApproximateReceiveCount"]) >= 2
        assert "poison message" in log.read_text(errors="replace")
    finally:
        container.close()
