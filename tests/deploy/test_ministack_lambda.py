"""The AWS shape end to end in MiniStack: deploy/template.yaml deployed as a CloudFormation stack (SAM
transform included), the API on the stack's S3 bucket, DynamoDB table and SQS queue, and our REAL handler
(`cloudalbum.entrypoints.handler.handle`) running as a Lambda function behind the stack's queue with
FunctionResponseTypes [ReportBatchItemFailures]; a poison message ends in the stack's dead-letter queue.

How MiniStack runs a function (ministack 1.5.33, studied in its core/lambda_runtime.py): a Python *zip*
function runs in a warm subprocess of MiniStack's own interpreter (.venvs/ministack/bin/python), with the zip
extracted to a temporary directory first on sys.path and the function's Environment.Variables in the process
environment from the start. Container-image functions (the stack's ProcessingFunction) need Docker, which
neither this machine nor CI has. So the test disables the stack's event source mapping and maps the stack's
queue, with the same settings, to a zip twin of the function: the same handler, the stack function's own
environment (the template's CLOUDALBUM_* variables) plus PYTHONPATH = this repository's src/ and .venv's
site-packages, so the handler imports exactly the code under test with its dependencies (both venvs must be
the same Python minor version, for the compiled wheels; the fixture checks). MiniStack's poller (`_poll_sqs`)
receives batches, invokes the function, deletes the records not listed in batchItemFailures and leaves the
listed ones to come back after the visibility timeout; the queue's RedrivePolicy moves them to the
dead-letter queue after maxReceiveCount receives.

MiniStack runs with AUTH=true and USE_SSL=1: every call is signed, evaluated against IAM policies, and made
over TLS (the buckets' policies deny plain HTTP). It evaluates actions, resources and most condition keys, but
(ministack 1.5.33, core/iam_evaluator.py) it supplies no `dynamodb:LeadingKeys` (nor `s3:prefix`) to the
evaluation: an absent key satisfies ForAllValues, so the roles' LeadingKeys conditions (issue 12) are NOT
enforced here. They are checked statically (test_template.py) and by recording every key the handler and the
maintenance pass name while they work on DynamoDB Local (tests/aws/test_maintenance_on_aws.py); here the
restricted roles' actions are exercised, and the deployed policy is checked to carry the condition. The function runs with the stack's ProcessingRole session
credentials and the API with an IAM user carrying exactly the ApiRole's policies, so the template's least
privilege is exercised, not only read: a role missing, say, s3:PutObject on thumbnails/* fails the photos.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cloudalbum import bootstrap, config
from support import ROOT, manifest, needs, needs_corpus

from .cfn import TEMPLATE, TOOLS_HOW, tool

pytestmark = pytest.mark.emulator

HANDLER = "cloudalbum.entrypoints.handler.handle"
ACCOUNT = "000000000000"  # MiniStack's account: it takes the access key id as the account
REGION = "us-east-1"
STACK = "cloudalbum-test"
PARAMETERS = {"FunctionTimeout": "30", "MaxReceiveCount": "2", "BatchSize": "4", "MaxConcurrency": "2"}
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


_CA: dict[str, str] = {}


def _client(service: str, url: str) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=ACCOUNT,
                        aws_secret_access_key="test", verify=_CA.get("ca", True))


@pytest.fixture(scope="module")
def ministack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    exe = tool("ministack", "ministack")
    needs(exe.exists(), "MiniStack in .venvs/ministack", TOOLS_HOW)
    py = tool("ministack", "python")
    theirs = subprocess.run([str(py), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                            text=True, check=True).stdout.strip()
    needs(theirs == str(sys.version_info[:2]), "MiniStack's venv on this Python version",
          f"it runs {theirs}, the project {sys.version_info[:2]}: recreate .venvs/ministack (rm -r it; make tools)")
    has_sam = subprocess.run([str(py), "-c", "import samtranslator"], capture_output=True).returncode == 0
    needs(has_sam, "aws-sam-translator in .venvs/ministack (SAM stacks)", TOOLS_HOW)
    port = _free_port()
    log = tmp_path_factory.mktemp("ministack") / "ministack.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(GATEWAY_PORT=str(port), BIND_HOST="127.0.0.1", MINISTACK_REGION=REGION, LOG_LEVEL="INFO",
               AWS_ACCESS_KEY_ID=ACCOUNT, AWS_SECRET_ACCESS_KEY="test", TMPDIR=str(log.parent),
               AUTH="true", USE_SSL="1")
    with open(log, "w") as out:
        # Its own process group: the function workers it spawns end with it.
        proc = subprocess.Popen([str(exe)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent,
                                start_new_session=True)
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
        cert = log.parent / "ministack-tls" / "server.crt"
        _wait_until("MiniStack's TLS certificate", cert.exists, time.monotonic() + 30, log)
        yield {"url": f"https://127.0.0.1:{port}", "log": log, "ca": str(cert)}
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM MiniStack's process group (it and its function workers), SIGKILL what is left after 5 s."""
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 20)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def stack(ministack: dict[str, Any]) -> dict[str, Any]:
    """deploy/template.yaml deployed with what an operator prepares first: a VPC with two subnets, an ACM
    certificate and the JWT key in SSM (docs/deploy.md)."""
    url = ministack["url"]
    _CA["ca"] = ministack["ca"]
    ec2, acm, ssm, cfn = (_client(s, url) for s in ("ec2", "acm", "ssm", "cloudformation"))
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = ",".join(ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{REGION}{az}")
                       ["Subnet"]["SubnetId"] for i, az in enumerate("ab"))
    cert = acm.request_certificate(DomainName="photos.example.com", ValidationMethod="DNS")["CertificateArn"]
    ssm.put_parameter(Name="/cloudalbum/jwt-key", Type="SecureString", Value="k" * 48)
    params = {"VpcId": vpc, "VpcCidr": "10.20.0.0/16", "LoadBalancerSubnetIds": subnets, "InstanceSubnetIds": subnets,
              "CertificateArn": cert, **PARAMETERS}
    cfn.create_stack(StackName=STACK, TemplateBody=TEMPLATE.read_text(), Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
                     Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()])
    deadline = time.monotonic() + 120
    described = _wait_until("the stack", lambda: next(
        (s for s in cfn.describe_stacks(StackName=STACK)["Stacks"] if not s["StackStatus"].endswith("IN_PROGRESS")),
        None), deadline, ministack["log"])
    failures = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}"
                for e in cfn.describe_stack_events(StackName=STACK)["StackEvents"] if "FAILED" in e["ResourceStatus"]]
    assert described["StackStatus"] == "CREATE_COMPLETE", (described.get("StackStatusReason"), failures)
    return {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}


def _depth(sqs: Any, url: str) -> tuple[int, int]:
    a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                               "ApproximateNumberOfMessagesNotVisible"])
    return int(a["Attributes"]["ApproximateNumberOfMessages"]), int(a["Attributes"]["ApproximateNumberOfMessagesNotVisible"])


def test_the_stack_deploys_with_the_promised_settings(ministack: dict[str, Any], stack: dict[str, str]) -> None:
    url = ministack["url"]
    sqs, lam, s3, ddb = (_client(s, url) for s in ("sqs", "lambda", "s3", "dynamodb"))
    assert {"Url", "Bucket", "Queue", "DeadLetterQueue", "Table", "Function"} <= set(stack)

    queue_url = sqs.get_queue_url(QueueName=stack["Queue"])["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert int(attrs["VisibilityTimeout"]) >= 6 * int(PARAMETERS["FunctionTimeout"])
    redrive = json.loads(attrs["RedrivePolicy"])
    assert str(redrive["maxReceiveCount"]) == PARAMETERS["MaxReceiveCount"]
    assert redrive["deadLetterTargetArn"] == stack["DeadLetterQueueArn"]
    assert attrs.get("KmsMasterKeyId")

    fn = lam.get_function_configuration(FunctionName=stack["Function"])
    assert fn["PackageType"] == "Image" and fn["Timeout"] == int(PARAMETERS["FunctionTimeout"])
    assert fn["Environment"]["Variables"]["CLOUDALBUM_SQS_QUEUE"] == stack["Queue"]
    (esm,) = lam.list_event_source_mappings(FunctionName=stack["Function"])["EventSourceMappings"]
    assert esm["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert esm["BatchSize"] == int(PARAMETERS["BatchSize"])
    assert esm["ScalingConfig"]["MaximumConcurrency"] == int(PARAMETERS["MaxConcurrency"])

    pab = s3.get_public_access_block(Bucket=stack["Bucket"])["PublicAccessBlockConfiguration"]
    assert all(pab.values()) and len(pab) == 4
    # (MiniStack's CloudFormation does not apply BucketEncryption: test_template.py checks it in the template,
    # and every put names aws:kms and the key itself, CLOUDALBUM_S3_SSE / CLOUDALBUM_S3_KMS_KEY_ID.)

    from cloudalbum.adapters.aws.schema import TABLE_SCHEMA

    table = ddb.describe_table(TableName=stack["Table"])["Table"]
    assert table["KeySchema"] == TABLE_SCHEMA["KeySchema"]
    assert sorted(g["IndexName"] for g in table["GlobalSecondaryIndexes"]) == sorted(
        g["IndexName"] for g in TABLE_SCHEMA["GlobalSecondaryIndexes"])
    # (point-in-time recovery and SSE are not applied by MiniStack's CloudFormation; test_template.py checks them)


def _zip_twin(lam: Any, stack: dict[str, str], url: str) -> str:
    """A zip function like the stack's image function (same handler, timeout, environment), on its queue."""
    fn = lam.get_function_configuration(FunctionName=stack["Function"])
    (esm,) = lam.list_event_source_mappings(FunctionName=stack["Function"])["EventSourceMappings"]
    lam.update_event_source_mapping(UUID=esm["UUID"], Enabled=False)  # the image needs Docker to run
    env = {k: str(v) for k, v in fn["Environment"]["Variables"].items()}  # MiniStack keeps a mapped number as int
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(_site_packages())]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("README.txt", "the handler comes from PYTHONPATH: tests/deploy/test_ministack_lambda.py")
    name = "processing-zip-twin"
    lam.create_function(FunctionName=name, Runtime="python3.11", Handler=HANDLER, Timeout=fn["Timeout"],
                        MemorySize=fn["MemorySize"], Role=fn["Role"], Code={"ZipFile": buf.getvalue()},
                        Environment={"Variables": env})
    lam.create_event_source_mapping(EventSourceArn=esm["EventSourceArn"], FunctionName=name,
                                    BatchSize=esm["BatchSize"],
                                    MaximumBatchingWindowInSeconds=esm.get("MaximumBatchingWindowInSeconds", 0),
                                    FunctionResponseTypes=esm["FunctionResponseTypes"])
    return name


def _run_maintenance_twin(lam: Any, stack: dict[str, str]) -> dict[str, Any]:
    """The scheduled MaintenanceFunction's zip twin (its handler, role and environment), invoked once as its
    EventBridge schedule would: a maintenance pass under the MaintenanceRole's permissions."""
    fn = lam.get_function_configuration(FunctionName=stack["MaintenanceFunctionName"])
    env = {k: str(v) for k, v in fn["Environment"]["Variables"].items()}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(_site_packages())]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("README.txt", "the handler comes from PYTHONPATH: tests/deploy/test_ministack_lambda.py")
    lam.create_function(FunctionName="maintenance-zip-twin", Runtime="python3.11",
                        Handler="cloudalbum.entrypoints.handler.maintain", Timeout=fn["Timeout"],
                        MemorySize=fn["MemorySize"], Role=fn["Role"], Code={"ZipFile": buf.getvalue()},
                        Environment={"Variables": env})
    resp = lam.invoke(FunctionName="maintenance-zip-twin",
                      Payload=json.dumps({"source": "aws.events", "detail-type": "Scheduled Event"}).encode())
    body = resp["Payload"].read().decode()
    assert "FunctionError" not in resp, body
    return json.loads(body)


def _assert_processing_role_excludes_accounts(url: str) -> None:
    """The deployed ProcessingRole policy carries the LeadingKeys condition (MiniStack does not evaluate it)."""
    iam, cfn = _client("iam", url), _client("cloudformation", url)
    role = cfn.describe_stack_resource(StackName=STACK, LogicalResourceId="ProcessingRole")["StackResourceDetail"][
        "PhysicalResourceId"]
    docs = [iam.get_role_policy(RoleName=role, PolicyName=n)["PolicyDocument"]
            for n in iam.list_role_policies(RoleName=role)["PolicyNames"]]
    statements = [s for d in docs for s in (json.loads(d) if isinstance(d, str) else d)["Statement"]]
    (table,) = [s for s in statements if s.get("Sid") == "TableItemsAndIndexes"]
    patterns = table["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert patterns and not [p for p in patterns if p.startswith(("USER#", "EMAIL#", "SESSION#", "TOKEN#", "HITS#"))]


def _api_host_credentials(url: str) -> tuple[str, str]:
    """Credentials with exactly the API instances' permissions: the stack's ApiRole policies on an IAM user.
    (On AWS the instances get them through the instance profile; MiniStack runs no instance for the API.)"""
    iam, cfn = _client("iam", url), _client("cloudformation", url)
    role = cfn.describe_stack_resource(StackName=STACK, LogicalResourceId="ApiRole")["StackResourceDetail"][
        "PhysicalResourceId"]
    iam.create_user(UserName="api-host")
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        doc = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        iam.put_user_policy(UserName="api-host", PolicyName=name,
                            PolicyDocument=doc if isinstance(doc, str) else json.dumps(doc))
    key = iam.create_access_key(UserName="api-host")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _assert_api_host_cannot_consume_jobs_or_read_logs(url: str, queue_url: str, stack: dict[str, str], ca: str) -> None:
    """MiniStack runs with AUTH=true (real IAM evaluation): what the API role lacks is refused."""
    import boto3
    from botocore.exceptions import ClientError

    session = boto3.session.Session(region_name=REGION)  # the API host's credentials, from the environment
    sqs = session.client("sqs", endpoint_url=url, verify=ca)
    s3 = session.client("s3", endpoint_url=url, verify=ca)
    with pytest.raises(ClientError) as denied:
        sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1)
    assert "AccessDenied" in str(denied.value) or "not authorized" in str(denied.value)
    logs_bucket = _client("cloudformation", url).describe_stack_resource(
        StackName=STACK, LogicalResourceId="LogsBucket")["StackResourceDetail"]["PhysicalResourceId"]
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket=logs_bucket, Key="s3/forged.log", Body=b"x")
    assert "AccessDenied" in str(denied.value) or "not authorized" in str(denied.value)


def test_real_handler_processes_photos_uploaded_through_the_api_and_poison_goes_to_the_dlq(
        ministack: dict[str, Any], stack: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photos_dir = needs_corpus()
    rows = manifest()
    deadline = time.monotonic() + DEADLINE_S
    url, log = ministack["url"], ministack["log"]
    sqs, lam = _client("sqs", url), _client("lambda", url)
    _zip_twin(lam, stack, url)
    queue_url = sqs.get_queue_url(QueueName=stack["Queue"])["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName=stack["DeadLetterQueue"])["QueueUrl"]

    # The API as an EC2 instance runs it: settings from the template's variables (the function's copy of
    # them), boto3 from the standard environment, with the API role's permissions only.
    key_id, secret = _api_host_credentials(url)
    for k in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(k)
    for k, v in {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
                 "AWS_DEFAULT_REGION": REGION, "AWS_CA_BUNDLE": ministack["ca"]}.items():
        monkeypatch.setenv(k, v)
    template_env = {k: str(v) for k, v in
                    lam.get_function_configuration(FunctionName=stack["Function"])["Environment"]["Variables"].items()}
    settings = config.from_env(template_env, data_dir=tmp_path / "data", workers=0)
    assert (settings.backend, settings.s3_bucket, settings.s3_sse) == ("aws", stack["Bucket"], "aws:kms")

    _assert_api_host_cannot_consume_jobs_or_read_logs(url, queue_url, stack, ministack["ca"])

    from cloudalbum.entrypoints.api import create_app

    container = bootstrap.build(settings)
    try:
        client = create_app(container).test_client()
        account = {"email": "lambda@example.com", "password": "correct horse battery"}
        assert client.post("/api/auth/register", json=account).status_code == 201
        token = client.post("/api/auth/login", json=account).get_json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        uploaded = {}
        for rel in ("objects/dog.jpg", "gps/DSCN0010.jpg", "objects/hopper.jpg"):
            with open(photos_dir / rel, "rb") as f:
                r = client.post("/api/photos", headers=auth, data={"file": (f, Path(rel).name)},
                                content_type="multipart/form-data")
            assert r.status_code == 202, r.get_data(as_text=True)
            uploaded[rel] = r.get_json()["id"]

        def all_processed() -> dict[str, Any] | None:
            states = [client.get(f"/api/photos/{pid}", headers=auth).get_json()["status"]
                      for pid in uploaded.values()]
            if all(s in ("done", "needs_input", "failed") for s in states):
                return {rel: container.store.photos.get_photo(pid, None) for rel, pid in uploaded.items()}
            return None

        done = _wait_until("both photos processed by the Lambda function", all_processed, deadline, log)
        for rel, photo in done.items():
            assert photo.status in ("done", "needs_input"), f"{rel}: {photo.status} {photo.error!r}"
            assert photo.thumbnail_keys, rel
            for key in photo.thumbnail_keys.values():
                assert container.blobs.exists(key), f"{rel}: thumbnail {key} not in S3"
        dog = done["objects/dog.jpg"]
        assert "dog" in {label.name for label in dog.labels}, dog.labels
        assert all(label.model and label.model.startswith("yolov8n@") for label in dog.labels)
        arezzo, row = done["gps/DSCN0010.jpg"], rows["gps/DSCN0010.jpg"]
        assert arezzo.location is not None
        assert abs(arezzo.location.lat - float(row["expected_lat"])) < 1e-4
        assert abs(arezzo.location.lon - float(row["expected_lon"])) < 1e-4
        assert arezzo.location.place and arezzo.location.place.country_code == "IT"
        hopper = done["objects/hopper.jpg"]
        assert len(hopper.faces) == 1 and hopper.faces[0].person_id, hopper.faces
        assert container.blobs.exists(f"thumbnails/{hopper.owner_id}/{hopper.id}/face-{hopper.faces[0].id}.jpg")
        _wait_until("the job queue to drain", lambda: _depth(sqs, queue_url) == (0, 0), deadline, log)
        assert _depth(sqs, dlq_url) == (0, 0)

        # Face grouping off deletes the face data (the API host's role); on again scans the library: the
        # function runs the scan step, which queues the photos (its role may send to the jobs queue), and
        # processes them again, so Hopper's face comes back.
        for on in (False, True):
            r = client.patch("/api/me/settings", headers=auth, json={"face_grouping": on})
            assert r.status_code == 200 and r.get_json() == {"face_grouping": on, "timezone": None}, r.get_data(as_text=True)
            if not on:
                assert container.store.photos.get_photo(hopper.id, None).faces == []
        _wait_until("Hopper's face found again by the library scan",
                    lambda: container.store.photos.get_photo(hopper.id, None).faces or None, deadline, log)
        _wait_until("the job queue to drain", lambda: _depth(sqs, queue_url) == (0, 0), deadline, log)
        assert _depth(sqs, dlq_url) == (0, 0)

        # A poison message: the handler lists it in batchItemFailures (so it is not deleted), the queue
        # redelivers it, and after maxReceiveCount receives SQS moves it to the dead-letter queue. The
        # function is warm now; a short visibility timeout keeps the receives quick.
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "2"})
        poison = sqs.send_message(QueueUrl=queue_url, MessageBody="this is not a job")["MessageId"]
        _wait_until("the poison message in the dead-letter queue", lambda: _depth(sqs, dlq_url)[0] == 1,
                    deadline, log)
        assert _depth(sqs, queue_url) == (0, 0)
        dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
        assert [m["MessageId"] for m in dead] == [poison]
        assert dead[0]["Body"] == "this is not a job"
        assert int(dead[0]["Attributes"]["ApproximateReceiveCount"]) >= int(PARAMETERS["MaxReceiveCount"])
        assert "poison message" in log.read_text(errors="replace")

        # Issue 12: the photos above were processed under the restricted ProcessingRole (no Transact*, keys
        # limited by LeadingKeys, which MiniStack does not evaluate: see the module docstring); the scheduled
        # maintenance pass runs under its own role and finds nothing to repair in a finished library.
        _assert_processing_role_excludes_accounts(url)
        report = _run_maintenance_twin(lam, stack)
        assert report["requeued"] == 0 and report["orphans_deleted"] == 0, report
    finally:
        container.close()
