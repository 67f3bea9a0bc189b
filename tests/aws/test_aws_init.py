"""`cloudalbum aws-init` against moto: creates the bucket (encrypted, public access blocked), the DLQ and the
queue with its redrive policy and visibility timeout, the table with its GSIs and TTL; a second run creates
nothing."""

from __future__ import annotations

import json
import uuid

import pytest

from cloudalbum.adapters.aws.blobstore import aws_client
from cloudalbum.adapters.aws.keys import TTL_ATTRIBUTE
from cloudalbum.adapters.aws.schema import GSIS
from cloudalbum.config import from_env
from cloudalbum.entrypoints.cli import main

pytestmark = pytest.mark.emulator


def test_aws_init_creates_everything_once(moto_env: str, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    tag = uuid.uuid4().hex[:8]
    for name, value in {"BACKEND": "aws", "S3_BUCKET": f"init-{tag}", "DYNAMODB_TABLE": f"init-{tag}",
                        "SQS_QUEUE": f"init-{tag}", "SQS_DLQ": f"init-{tag}-dlq", "MAX_RECEIVES": "5",
                        "VISIBILITY_TIMEOUT_S": "90"}.items():
        monkeypatch.setenv(f"CLOUDALBUM_{name}", value)
    assert main(["aws-init"]) == 0
    out = capsys.readouterr().out
    assert out.count("\ncreated ") + out.startswith("created ") == 4 and "aws-init: created 4" in out, out
    assert main(["aws-init"]) == 0
    assert "everything already existed" in capsys.readouterr().out

    settings = from_env()
    s3, sqs, ddb = (aws_client(svc, settings) for svc in ("s3", "sqs", "dynamodb"))
    rule = s3.get_bucket_encryption(Bucket=settings.s3_bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=settings.s3_bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    cors = s3.get_bucket_cors(Bucket=settings.s3_bucket)["CORSRules"][0]
    assert cors["AllowedMethods"] == ["GET", "HEAD"] and cors["AllowedOrigins"] == ["*"]
    url = sqs.get_queue_url(QueueName=settings.sqs_queue)["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attrs["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == 5 and redrive["deadLetterTargetArn"].endswith(settings.sqs_dlq)
    assert attrs["VisibilityTimeout"] == "90"
    table = ddb.describe_table(TableName=settings.dynamodb_table)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert sorted(g["IndexName"] for g in table["GlobalSecondaryIndexes"]) == list(GSIS)
    ttl = ddb.describe_time_to_live(TableName=settings.dynamodb_table)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == TTL_ATTRIBUTE and ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING")
