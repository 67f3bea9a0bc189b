"""`cloudalbum aws-init`: create the bucket, queues and table the AWS shape needs, where they do not exist.

Idempotent: running it twice creates nothing the second time. The SAM template (deploy/template.yaml) creates
the same resources in a real account; this is for emulators, tests and hand-made stacks. The table design is
docs/dynamodb.md; its key schema is defined once, in schema.TABLE_SCHEMA.
"""

from __future__ import annotations

import json
from typing import Any

from ...config import Settings
from .blobstore import aws_client, error_code
from .keys import TTL_ATTRIBUTE
from .schema import TABLE_SCHEMA

PARTS = ("s3", "sqs", "dynamodb")


def init_aws(settings: Settings, parts: tuple[str, ...] = PARTS) -> list[str]:
    """Create what is missing (of the named parts); return a line per thing created (empty when all existed)."""
    created: list[str] = []
    if "s3" in parts:
        created += _init_bucket(aws_client("s3", settings), settings)
    if "sqs" in parts:
        created += _init_queues(aws_client("sqs", settings), settings)
    if "dynamodb" in parts:
        created += _init_table(aws_client("dynamodb", settings), settings.dynamodb_table)
    return created


def _init_bucket(s3: Any, settings: Settings) -> list[str]:
    bucket = settings.s3_bucket
    try:
        s3.head_bucket(Bucket=bucket)
        return []
    except Exception as exc:
        if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if settings.aws_region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": settings.aws_region}
    s3.create_bucket(**kwargs)
    rule: dict[str, Any] = {"SSEAlgorithm": settings.s3_sse or "AES256"}
    if settings.s3_sse == "aws:kms" and settings.s3_kms_key_id:
        rule["KMSMasterKeyID"] = settings.s3_kms_key_id
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": rule, "BucketKeyEnabled": True}]})
    try:
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
    except Exception as exc:  # an S3-compatible store without the call (SeaweedFS): the bucket has no ACLs
        if error_code(exc) not in ("NotImplemented", "MethodNotAllowed"):
            raise
    _put_cors(s3, settings)
    return [f"s3 bucket {bucket} (encrypted {rule['SSEAlgorithm']}, public access blocked)"]


def _put_cors(s3: Any, settings: Settings) -> None:
    """Let the web pages read signed URLs: their fetch follows the API's 302 to the bucket (cross-origin)."""
    origins = settings.s3_cors_origins.split() or ["*"]
    try:
        s3.put_bucket_cors(Bucket=settings.s3_bucket, CORSConfiguration={"CORSRules": [{
            "AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": origins, "AllowedHeaders": ["*"],
            "MaxAgeSeconds": 3600}]})
    except Exception as exc:  # an S3-compatible store without bucket CORS settings
        if error_code(exc) not in ("NotImplemented", "MethodNotAllowed"):
            raise


def _init_queues(sqs: Any, settings: Settings) -> list[str]:
    created: list[str] = []
    dlq_url, made = _queue(sqs, settings.sqs_dlq, {"MessageRetentionPeriod": str(14 * 24 * 3600)})
    if made:
        created.append(f"sqs queue {settings.sqs_dlq} (dead letters, kept 14 days)")
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = {
        "VisibilityTimeout": str(settings.visibility_timeout_s),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": settings.max_receives}),
    }
    _url, made = _queue(sqs, settings.sqs_queue, attributes)
    if made:
        created.append(f"sqs queue {settings.sqs_queue} (visibility {settings.visibility_timeout_s} s, "
                       f"to {settings.sqs_dlq} after {settings.max_receives} receives)")
    return created


def _queue(sqs: Any, name: str, attributes: dict[str, str]) -> tuple[str, bool]:
    """(url, created) of the named queue."""
    try:
        return str(sqs.get_queue_url(QueueName=name)["QueueUrl"]), False
    except Exception as exc:
        if "NonExistentQueue" not in error_code(exc):
            raise
    return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]), True


def _init_table(dynamodb: Any, table: str) -> list[str]:
    try:
        dynamodb.describe_table(TableName=table)
        return []
    except Exception as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
    dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST", **TABLE_SCHEMA)
    dynamodb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": TTL_ATTRIBUTE})
    gsis = ", ".join(g["IndexName"] for g in TABLE_SCHEMA["GlobalSecondaryIndexes"])
    return [f"dynamodb table {table} (on demand; indexes {gsis}; TTL on {TTL_ATTRIBUTE})"]
