"""deploy/template.yaml: the AWS shape passes sam validate, cfn-lint and checkov, and keeps the promises the
design makes (redrive, partial batch responses, encryption, no public access, least privilege).

The three tools run from their own venvs (.venvs/sam, .venvs/checkov: `make tools`) with dummy credentials;
none of them needs the network. The property tests read the template as CloudFormation does.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from typing import Any

import pytest

from cloudalbum.config import Settings
from support import needs

from .cfn import TEMPLATE, TOOLS_HOW, as_list, load_template, run_tool, tool, walk

HANDLER = "cloudalbum.entrypoints.handler.handle"


@pytest.fixture(scope="module")
def tpl() -> dict[str, Any]:
    return load_template()


def resources(tpl: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in tpl["Resources"].items() if r["Type"] == kind}


def one(tpl: dict[str, Any], kind: str) -> dict[str, Any]:
    found = resources(tpl, kind)
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.values()))["Properties"]


def function(tpl: dict[str, Any]) -> dict[str, Any]:
    """The processing function (the other function is the scheduled MaintenanceFunction)."""
    assert set(resources(tpl, "AWS::Serverless::Function")) == {"ProcessingFunction", "MaintenanceFunction"}
    return tpl["Resources"]["ProcessingFunction"]["Properties"]


def sqs_event(tpl: dict[str, Any]) -> dict[str, Any]:
    events = [e for e in function(tpl)["Events"].values() if e["Type"] == "SQS"]
    assert len(events) == 1
    return events[0]["Properties"]


def role_statements(tpl: dict[str, Any], role: str) -> list[dict[str, Any]]:
    props = tpl["Resources"][role]["Properties"]
    return [s for p in props["Policies"] for s in p["PolicyDocument"]["Statement"]]


# --- the tools ------------------------------------------------------------------------------------------------


def test_sam_validate() -> None:
    sam = tool("sam", "sam")
    needs(sam.exists(), "aws-sam-cli in .venvs/sam", TOOLS_HOW)
    r = run_tool([str(sam), "validate", "--region", "us-east-1", "--template-file", str(TEMPLATE)])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "is a valid SAM Template" in r.stdout + r.stderr


def test_cfn_lint() -> None:
    lint = tool("sam", "cfn-lint")
    needs(lint.exists(), "cfn-lint in .venvs/sam", TOOLS_HOW)
    r = run_tool([str(lint), "--regions", "us-east-1", "--", str(TEMPLATE)])
    assert r.returncode == 0, r.stdout + r.stderr


def test_checkov_passes_and_every_skip_says_why(tpl: dict[str, Any]) -> None:
    checkov = tool("checkov", "checkov")
    needs(checkov.exists(), "checkov in .venvs/checkov", TOOLS_HOW)
    r = run_tool([str(checkov), "--skip-download", "--quiet", "--compact", "--output", "json",
                  "--framework", "cloudformation", "-f", str(TEMPLATE)])
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    report = json.loads(r.stdout)
    summary = report["summary"] if isinstance(report, dict) else report[0]["summary"]
    assert summary["failed"] == 0 and summary["passed"] >= 50 and summary["parsing_errors"] == 0, summary
    for name, res in tpl["Resources"].items():
        for skip in res.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (name, skip)
            assert len(skip.get("comment", "")) > 30, f"{name} skips {skip['id']} without saying why"


# --- processing: queue, dead-letter queue, function -----------------------------------------------------------


def test_visibility_timeout_is_at_least_six_times_the_function_timeout(tpl: dict[str, Any]) -> None:
    fn = function(tpl)
    assert fn["Timeout"] == {"Ref": "FunctionTimeout"}
    queue = tpl["Resources"]["JobsQueue"]["Properties"]
    assert queue["VisibilityTimeout"] == {"Fn::FindInMap": ["VisibilityTimeoutFor", {"Ref": "FunctionTimeout"},
                                                             "Seconds"]}
    table = tpl["Mappings"]["VisibilityTimeoutFor"]
    allowed = tpl["Parameters"]["FunctionTimeout"]["AllowedValues"]
    assert {str(v) for v in allowed} == set(table), "every allowed timeout needs a visibility timeout"
    for timeout, row in table.items():
        assert 6 * int(timeout) <= row["Seconds"] <= 43200, (timeout, row)  # 12 h: the SQS maximum
        assert int(timeout) <= 900  # the Lambda maximum
    assert str(tpl["Parameters"]["FunctionTimeout"]["Default"]) in table


def test_partial_batch_responses_and_bounded_batches(tpl: dict[str, Any]) -> None:
    ev = sqs_event(tpl)
    assert ev["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert ev["Queue"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    assert ev["BatchSize"] == {"Ref": "BatchSize"}
    assert ev["MaximumBatchingWindowInSeconds"] == {"Ref": "MaximumBatchingWindow"}
    assert ev["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "MaxConcurrency"}
    assert tpl["Parameters"]["MaxConcurrency"]["MinValue"] >= 2  # the service's minimum


def test_redrive_to_the_dead_letter_queue_after_max_receive_count(tpl: dict[str, Any]) -> None:
    redrive = tpl["Resources"]["JobsQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["JobsDeadLetterQueue", "Arn"]}
    assert redrive["maxReceiveCount"] == {"Ref": "MaxReceiveCount"}
    param = tpl["Parameters"]["MaxReceiveCount"]
    assert param["Type"] == "Number" and param["MinValue"] >= 1 and param["MaxValue"] <= 1000
    assert param["Default"] == Settings().max_receives  # the same promise as the embedded queue
    dlq = tpl["Resources"]["JobsDeadLetterQueue"]["Properties"]
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert dlq["RedriveAllowPolicy"]["redrivePermission"] == "byQueue"


def test_jobs_queue_is_a_standard_queue_so_owner_groups_make_it_fair(tpl: dict[str, Any]) -> None:
    """Amazon SQS fair queues (issue 12) are standard queues whose messages carry a MessageGroupId (the adapter
    sends the owner): a FIFO queue would serialise each owner's photos instead."""
    for name in ("JobsQueue", "JobsDeadLetterQueue"):
        props = tpl["Resources"][name]["Properties"]
        assert props.get("FifoQueue") in (None, False), name
        assert "ContentBasedDeduplication" not in props and "FifoThroughputLimit" not in props, name
        assert not str(props["QueueName"]).endswith(".fifo"), name


def test_function_is_the_image_with_our_handler(tpl: dict[str, Any]) -> None:
    fn = function(tpl)
    assert fn["PackageType"] == "Image"
    assert fn["ImageConfig"]["Command"] == [HANDLER]
    assert fn["MemorySize"] == {"Ref": "FunctionMemorySize"}
    assert fn["Role"] == {"Fn::GetAtt": ["ProcessingRole", "Arn"]}, "an explicit least-privilege role"
    assert "Policies" not in fn, "SAM policy templates would widen the role"


def test_every_cloudalbum_variable_is_a_setting(tpl: dict[str, Any]) -> None:
    known = {"CLOUDALBUM_" + f.name.upper() for f in fields(Settings)}
    env = function(tpl)["Environment"]["Variables"]
    user_data = json.dumps(tpl["Resources"]["ApiLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"])
    used = set(env) | set(re.findall(r"CLOUDALBUM_[A-Z0-9_]+", user_data))
    assert used - known == set(), "template sets variables config.py does not read"
    for name in ("CLOUDALBUM_BACKEND", "CLOUDALBUM_S3_BUCKET", "CLOUDALBUM_DYNAMODB_TABLE",
                 "CLOUDALBUM_SQS_QUEUE", "CLOUDALBUM_SQS_DLQ", "CLOUDALBUM_AWS_REGION"):
        assert name in env and name in user_data
    assert env["CLOUDALBUM_BACKEND"] == "aws"
    assert "CLOUDALBUM_JWT_KEY" in user_data and "ssm get-parameter" in user_data and "--with-decryption" in user_data


# --- storage: encryption, no public access, TLS only ----------------------------------------------------------


def test_buckets_are_private_encrypted_and_tls_only(tpl: dict[str, Any]) -> None:
    buckets = resources(tpl, "AWS::S3::Bucket")
    policies = {p["Properties"]["Bucket"]["Ref"]: p["Properties"]["PolicyDocument"]
                for p in resources(tpl, "AWS::S3::BucketPolicy").values()}
    assert "PhotosBucket" in buckets
    for name, res in buckets.items():
        props = res["Properties"]
        pab = props["PublicAccessBlockConfiguration"]
        assert all(pab[k] is True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                            "RestrictPublicBuckets")), name
        assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}], name
        sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
        assert sse["SSEAlgorithm"] in ("AES256", "aws:kms", "aws:kms:dsse"), name
        assert res.get("DeletionPolicy") == "Retain", name
        deny = [s for s in policies[name]["Statement"] if s["Effect"] == "Deny"]
        assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in deny), name
    photos = buckets["PhotosBucket"]["Properties"]
    assert photos["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "LogsBucket"}
    assert photos["VersioningConfiguration"]["Status"] == "Enabled"


def test_queues_and_table_are_encrypted_and_table_recoverable(tpl: dict[str, Any]) -> None:
    for name, res in resources(tpl, "AWS::SQS::Queue").items():
        props = res["Properties"]
        assert props.get("KmsMasterKeyId") or props.get("SqsManagedSseEnabled") is True, name
    table = one(tpl, "AWS::DynamoDB::Table")
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["TimeToLiveSpecification"]["Enabled"] is True
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    key = one(tpl, "AWS::KMS::Key")
    assert key["EnableKeyRotation"] is True


def test_table_is_the_one_aws_init_creates(tpl: dict[str, Any]) -> None:
    from cloudalbum.adapters.aws.keys import TTL_ATTRIBUTE
    from cloudalbum.adapters.aws.schema import TABLE_SCHEMA

    table = one(tpl, "AWS::DynamoDB::Table")
    assert {k: table[k] for k in TABLE_SCHEMA} == TABLE_SCHEMA
    assert table["TimeToLiveSpecification"]["AttributeName"] == TTL_ATTRIBUTE


# --- least privilege ------------------------------------------------------------------------------------------


def _allow_statements(tpl: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every Allow statement of every policy document in the template (roles, key policy, bucket policies)."""
    found = []
    for name, res in tpl["Resources"].items():
        for node in walk(res.get("Properties", {})):
            if isinstance(node, dict) and "Statement" in node:
                found += [(name, s) for s in as_list(node["Statement"]) if s.get("Effect") == "Allow"]
    return found


def test_no_wildcard_actions_and_resource_star_only_where_aws_requires_it(tpl: dict[str, Any]) -> None:
    statements = _allow_statements(tpl)
    assert len(statements) > 10
    for name, st in statements:
        for action in as_list(st["Action"]):
            assert "*" not in action, f"{name}: wildcard action {action}"
        if st.get("Resource") == "*" and tpl["Resources"][name]["Type"] == "AWS::IAM::Role":
            assert as_list(st["Action"]) == ["ecr:GetAuthorizationToken"], f"{name}: Resource * for {st['Action']}"
        assert "NotAction" not in st and "NotResource" not in st, name


def test_processing_role_reads_originals_reads_and_writes_thumbnails_and_consumes_and_continues_jobs_only(tpl: dict[str, Any]) -> None:
    by_sid = {s["Sid"]: s for s in role_statements(tpl, "ProcessingRole")}
    s3 = [s for s in by_sid.values() if any(a.startswith("s3:") for a in as_list(s["Action"]))]
    assert sorted((tuple(as_list(s["Action"])), s["Resource"]["Fn::Sub"]) for s in s3) == [
        (("s3:GetObject",), "${PhotosBucket.Arn}/originals/*"),
        (("s3:GetObject", "s3:PutObject", "s3:DeleteObject"), "${PhotosBucket.Arn}/thumbnails/*"),
    ]
    assert sorted(by_sid["ContinueLibraryScans"]["Action"]) == ["sqs:GetQueueUrl", "sqs:SendMessage"]
    assert by_sid["ContinueLibraryScans"]["Resource"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    sqs = by_sid["ConsumeJobs"]
    assert sorted(sqs["Action"]) == ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                     "sqs:ReceiveMessage"]
    assert sqs["Resource"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    table = by_sid["TableItemsAndIndexes"]
    assert table["Resource"] == [{"Fn::GetAtt": ["Table", "Arn"]}, {"Fn::Sub": "${Table.Arn}/index/*"}]
    assert not {"dynamodb:Scan", "dynamodb:DeleteTable", "dynamodb:CreateTable"} & set(table["Action"])


ACCOUNT_PARTITIONS = ("USER#", "EMAIL#", "SESSION#", "TOKEN#", "HITS#")


def table_statements(tpl: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [s for s in role_statements(tpl, role) if any(a.startswith("dynamodb:") for a in as_list(s["Action"]))]


@pytest.mark.parametrize("role", ["ProcessingRole", "MaintenanceRole"])
def test_functions_reach_no_account_item(tpl: dict[str, Any], role: str) -> None:
    """Issue 12, item 6: every table statement of the functions' roles carries a dynamodb:LeadingKeys
    condition (ForAllValues:StringLike) whose patterns leave out every account partition, and grants no
    operation that names no key (Scan, PartiQL), against which ForAllValues would hold vacuously."""
    from cloudalbum.adapters.aws import keys as K

    statements = table_statements(tpl, role)
    assert statements, role
    for st in statements:
        patterns = st["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        assert patterns and all(p.endswith("#*") and p.count("*") == 1 for p in patterns), patterns
        for account in ACCOUNT_PARTITIONS:
            probe = f"{account}someone"
            assert not any(re.fullmatch(re.escape(p[:-1]) + ".*", probe) for p in patterns), (role, account)
        assert set(K.ACCOUNT_PREFIXES) == set(ACCOUNT_PARTITIONS)
        keyless = {"dynamodb:Scan", "dynamodb:ExecuteStatement", "dynamodb:BatchExecuteStatement",
                   "dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate",
                   "dynamodb:PartiQLDelete", "dynamodb:ExecuteTransaction"}
        assert not keyless & set(as_list(st["Action"])), role
    if role == "ProcessingRole":
        (st,) = statements
        assert st["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [
            f"{p}*" for p in K.WORKER_PREFIXES]


def test_maintenance_is_a_scheduled_function_and_not_a_thread_in_every_api_instance(tpl: dict[str, Any]) -> None:
    fn = tpl["Resources"]["MaintenanceFunction"]["Properties"]
    assert fn["ImageConfig"]["Command"] == ["cloudalbum.entrypoints.handler.maintain"]
    assert fn["Role"] == {"Fn::GetAtt": ["MaintenanceRole", "Arn"]} and "Policies" not in fn
    assert fn["ReservedConcurrentExecutions"] == 1
    (event,) = fn["Events"].values()
    assert event["Type"] == "Schedule" and event["Properties"]["Schedule"].startswith("rate(")
    by_sid = {s["Sid"]: s for s in role_statements(tpl, "MaintenanceRole")}
    assert by_sid["ListOnePhotosThumbnails"]["Condition"] == {"StringLike": {"s3:prefix": ["thumbnails/*"]}}
    assert by_sid["RequeueStuckUploads"]["Resource"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    user_data = json.dumps(tpl["Resources"]["ApiLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"])
    assert "CLOUDALBUM_MAINTENANCE_INTERVAL_S=0" in user_data
    env = fn["Environment"]["Variables"]
    known = {"CLOUDALBUM_" + f.name.upper() for f in fields(Settings)}
    assert set(env) <= known and env["CLOUDALBUM_BACKEND"] == "aws"


def test_api_role_sends_jobs_and_reads_only_its_jwt_parameter(tpl: dict[str, Any]) -> None:
    by_sid = {s["Sid"]: s for s in role_statements(tpl, "ApiRole")}
    assert "sqs:SendMessage" in by_sid["SendJobs"]["Action"]
    assert "sqs:ReceiveMessage" not in by_sid["SendJobs"]["Action"], "the API never consumes jobs"
    assert by_sid["ReadJwtKey"]["Action"] == "ssm:GetParameter"
    assert "${JwtKeyParameterName}" in by_sid["ReadJwtKey"]["Resource"]["Fn::Sub"]
    assert tpl["Resources"]["ApiRole"]["Properties"].get("ManagedPolicyArns") is None


# --- the API on EC2 behind the load balancer ------------------------------------------------------------------


def test_instances_imdsv2_encrypted_disks_two_subnets(tpl: dict[str, Any]) -> None:
    data = tpl["Resources"]["ApiLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert all(b["Ebs"]["Encrypted"] is True for b in data["BlockDeviceMappings"])
    asg = one(tpl, "AWS::AutoScaling::AutoScalingGroup")
    assert asg["VPCZoneIdentifier"] == {"Ref": "InstanceSubnetIds"}
    assert tpl["Parameters"]["InstanceSubnetIds"]["Type"] == "List<AWS::EC2::Subnet::Id>"
    assert asg["HealthCheckType"] == "ELB"
    user_data = json.dumps(data["UserData"])
    assert "docker run" in user_data and "ecr get-login-password" in user_data


def test_https_listener_and_http_redirect(tpl: dict[str, Any]) -> None:
    listeners = {r["Properties"]["Port"]: r["Properties"] for r in
                 resources(tpl, "AWS::ElasticLoadBalancingV2::Listener").values()}
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["Certificates"] == [{"CertificateArn": {"Ref": "CertificateArn"}}]
    assert https["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS" and redirect["RedirectConfig"]["StatusCode"] == "HTTP_301"
    tg = one(tpl, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert tg["HealthCheckPath"] == "/api/health" and tg["Port"] == 8000


def test_instances_accept_traffic_from_the_load_balancer_only(tpl: dict[str, Any]) -> None:
    instance_sg = tpl["Resources"]["InstanceSecurityGroup"]["Properties"]
    (ingress,) = instance_sg["SecurityGroupIngress"]
    assert (ingress["IpProtocol"], ingress["FromPort"], ingress["ToPort"]) == ("tcp", 8000, 8000)
    assert ingress["SourceSecurityGroupId"] == {"Ref": "LoadBalancerSecurityGroup"}
    assert "CidrIp" not in ingress and "CidrIpv6" not in ingress
    assert {(e["FromPort"], e["ToPort"]) for e in instance_sg["SecurityGroupEgress"]} == {(443, 443)}
    alb = tpl["Resources"]["LoadBalancerSecurityGroup"]["Properties"]
    assert {r["FromPort"] for r in alb["SecurityGroupIngress"]} == {80, 443}
    assert {(e["FromPort"], e["ToPort"]) for e in alb["SecurityGroupEgress"]} == {(8000, 8000)}


def test_outputs_name_everything_an_operator_needs(tpl: dict[str, Any]) -> None:
    assert {"Url", "Bucket", "Queue", "DeadLetterQueue", "Table", "Function"} <= set(tpl["Outputs"])


def _render_sub(sub: Any) -> str:
    """The text of an Fn::Sub with every ${...} variable replaced by a placeholder (for shell checks)."""
    text = sub[0] if isinstance(sub, list) else sub
    return re.sub(r"\$\{(?!!)[^}]+\}", "placeholder", text)


def test_user_data_is_valid_bash_that_stops_on_errors(tpl: dict[str, Any], tmp_path: Any) -> None:
    import subprocess

    user_data = tpl["Resources"]["ApiLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]
    script = _render_sub(user_data["Fn::Base64"]["Fn::Sub"])
    assert script.startswith("#!/bin/bash\n") and "set -euo pipefail" in script
    path = tmp_path / "user-data.sh"
    path.write_text(script)
    r = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "install -m 600 /dev/null /etc/cloudalbum.env" in script, "the key file is private before it is written"
    assert "--env-file /etc/cloudalbum.env" in script and "-e CLOUDALBUM_JWT_KEY=" not in script


def test_docs_and_samconfig_example_cover_every_parameter(tpl: dict[str, Any]) -> None:
    import tomllib

    from support import ROOT

    params = set(tpl["Parameters"])
    docs = (ROOT / "docs" / "deploy.md").read_text()
    assert {p for p in params if f"`{p}`" not in docs} == set(), "docs/deploy.md must explain every parameter"
    example = tomllib.loads((ROOT / "deploy" / "samconfig.toml.example").read_text())
    overrides = example["default"]["deploy"]["parameters"]["parameter_overrides"]
    given = {item.split("=", 1)[0] for item in overrides}
    assert given <= params
    assert params - given == {"InstanceImageId"}  # an SSM public parameter: its default is the right one


def test_alb_access_logs_can_be_delivered_in_every_region(tpl: dict[str, Any]) -> None:
    mapped = set(tpl["Mappings"]["ElbLogAccount"])
    listed = {eq["Fn::Equals"][1] for name in ("ElbLogAccountRegionA", "ElbLogAccountRegionB")
              for eq in tpl["Conditions"][name]["Fn::Or"]}
    assert listed == mapped, "the condition and the mapping must name the same Regions"
    policy = tpl["Resources"]["LogsBucketPolicy"]["Properties"]["PolicyDocument"]
    (alb,) = [s for s in policy["Statement"] if s.get("Sid") == "LoadBalancerAccessLogs"]
    condition, old_regions, new_regions = alb["Principal"]["Fn::If"]
    assert condition == "HasElbLogAccount" and "AWS" in old_regions
    assert new_regions == {"Service": {"Fn::Sub": "logdelivery.elasticloadbalancing.${AWS::URLSuffix}"}}


def test_api_trusts_forwarded_headers_from_the_vpc_range_only(tpl: dict[str, Any]) -> None:
    """Issue 12: the client address behind the load balancer. The instances believe X-Forwarded-For from the
    VPC's range (where the load balancer's nodes are), and only the load balancer reaches them."""
    from cloudalbum.domain.client_address import client_address, parse_trusted_proxies

    param = tpl["Parameters"]["VpcCidr"]
    pattern = re.compile(param["AllowedPattern"])
    assert pattern.match("10.0.0.0/16") and pattern.match("10.0.0.0/16,100.64.0.0/20")
    assert not pattern.match("0.0.0.0/0 ; rm") and not pattern.match("")
    sub = tpl["Resources"]["ApiLaunchTemplate"]["Properties"]["LaunchTemplateData"]["UserData"]["Fn::Base64"]["Fn::Sub"]
    assert 'echo "CLOUDALBUM_TRUSTED_PROXIES=${VpcCidr}"' in (sub[0] if isinstance(sub, list) else sub)
    Settings(trusted_proxies="10.0.0.0/16,100.64.0.0/20").validate()
    trusted = parse_trusted_proxies("10.0.0.0/16")
    assert client_address("10.0.7.9", "6.6.6.6, 198.51.100.5", trusted) == "198.51.100.5"
    ingress = tpl["Resources"]["InstanceSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [rule.get("SourceSecurityGroupId") for rule in ingress] == [{"Ref": "LoadBalancerSecurityGroup"}]
