"""The deployable stack as `make package` builds it: the package is built once for this module, its
template linted (cfn-lint), expanded from SAM (aws-sam-translator) and created in moto's
CloudFormation, then checked resource by resource. moto skips some types silently (Cognito,
alarms, SES identities, subscriptions, bucket policies, most bucket settings): those are checked in
the template. Last, the zip itself is opened and its handlers imported the way Lambda would."""
from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from infra import lambda_runtime
from infra.package import MAX_ZIP_BYTES, RUNTIME_PROVIDED, build, prune

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-3"
STACK = "lapor-dev"
PARAMETERS = {"SesDomain": "lapor.example.go.id", "PublicOrigin": "https://lapor.example.go.id",
              "AlarmEmail": "ops@lapor.example.go.id", "AccessCodeKey": "k" * 64}
# Handlers every build must carry, with the schedule EventBridge must give them.
SCHEDULES = {"Sweep": "rate(15 minutes)", "MorningDigest": "cron(0 0 ? * MON-FRI *)",
             "Retention": "cron(0 19 * * ? *)"}  # retention: 02:00 WIB daily
# What moto's CloudFormation skips (with a warning): each type is asserted from the template below.
CHECKED_IN_THE_TEMPLATE = {"AWS::S3::BucketPolicy", "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient",
                           "AWS::Cognito::UserPoolGroup", "AWS::CloudWatch::Alarm", "AWS::SNS::Subscription",
                           "AWS::Lambda::EventInvokeConfig", "AWS::SNS::TopicPolicy", "AWS::SES::ReceiptRuleSet",
                           "AWS::SES::ReceiptRule", "AWS::Lambda::Permission", "AWS::SecretsManager::Secret"}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return build("dev", tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="module")
def sam(package):
    return package.template


def _resources(template, kind):
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def expand(sam_template: dict, code_uri: str) -> dict:
    """SAM -> plain CloudFormation, as CloudFormation's transform does at deploy time."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:  # every role here is written out; nothing refers to a managed policy
        def load(self):
            return {}

    template = copy.deepcopy(sam_template)
    for function in _resources(template, "AWS::Serverless::Function").values():
        function["Properties"]["CodeUri"] = code_uri
    return transform(template, PARAMETERS, NoManagedPolicies())


def without(template: dict, doomed: set[str]) -> dict:
    """The template less `doomed` and whatever refers to them, resources and outputs."""
    template = copy.deepcopy(template)
    prune(template, doomed)
    return template


@pytest.fixture(scope="module")
def stack(package, sam):
    """The expanded template created in moto's CloudFormation, API Gateway left out (moto cannot
    create it from a template); yields the stack's resources by logical id."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="lapor-artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.upload_file(str(package.zip_path), "lapor-artifacts", "deployment.zip")
        cfn = expand(sam, "s3://lapor-artifacts/deployment.zip")
        api = {n for n, r in cfn["Resources"].items() if r["Type"].startswith("AWS::ApiGateway::")}
        skipped_by_moto = {n for n, r in cfn["Resources"].items() if r["Type"] == "AWS::SES::EmailIdentity"}
        client = boto3.client("cloudformation", region_name=REGION)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            client.create_stack(StackName=STACK, TemplateBody=json.dumps(without(cfn, api | skipped_by_moto)),
                                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in PARAMETERS.items()],
                                Capabilities=["CAPABILITY_IAM"])
            status = client.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"]
            summaries = client.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
        skipped = {w.message.args[0].split()[3] for w in caught if "not supported by moto" in str(w.message)}
        assert skipped <= CHECKED_IN_THE_TEMPLATE, skipped - CHECKED_IN_THE_TEMPLATE
        assert status == "CREATE_COMPLETE"
        yield {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}


# ---- the build --------------------------------------------------------------------------------------


def test_the_package_is_under_ten_megabytes_and_carries_no_boto3_or_botocore(package):
    assert package.zip_bytes < MAX_ZIP_BYTES
    with zipfile.ZipFile(package.zip_path) as z:
        tops = {n.split("/", 1)[0].split("-", 1)[0].lower() for n in z.namelist()}
    assert not tops & set(RUNTIME_PROVIDED), tops & set(RUNTIME_PROVIDED)
    assert "aws_xray_sdk" not in tops  # tracing is off: the X-Ray SDK is not even shipped


def test_the_package_holds_scheduled_and_web_at_its_root(package):
    with zipfile.ZipFile(package.zip_path) as z:
        names = set(z.namelist())
    staged = {"scheduled": package.project / "vendor" / "scheduled", "web": package.project / "vendor" / "web",
              "chalicelib": package.project / "chalicelib"}
    for tree, source in staged.items():
        files = {f"{tree}/{p.relative_to(source).as_posix()}" for p in source.rglob("*") if p.is_file()}
        assert files and files <= names, sorted(files - names)[:5]


def test_every_function_has_its_own_role_and_a_schedule_where_expected(sam):
    functions = _resources(sam, "AWS::Serverless::Function")
    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()]
    assert len(set(roles)) == len(roles)
    assert functions["APIHandler"]["Properties"]["Handler"] == "app.app"
    for name, expression in SCHEDULES.items():
        events = functions[name]["Properties"]["Events"]
        assert [e["Properties"]["Schedule"] for e in events.values()] == [expression]


def test_cfn_lint_finds_nothing_in_the_generated_template(package):
    done = subprocess.run([str(Path(sys.executable).with_name("cfn-lint")), "--regions", REGION, "--",
                           str(package.template_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_stage_parameter_is_pinned_to_the_packaged_stage(sam):
    assert sam["Parameters"]["Stage"]["Default"] == "dev"
    assert sam["Parameters"]["Stage"]["AllowedValues"] == ["dev"]


# ---- created in moto ----------------------------------------------------------------------------------


def test_the_stack_creates_every_table_with_its_keys_indexes_protection_and_encryption(stack, sam):
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    tables = _resources(sam, "AWS::DynamoDB::Table")
    assert len(tables) >= 9
    for logical_id, resource in tables.items():
        props = resource["Properties"]
        table = dynamodb.describe_table(TableName=stack[logical_id])["Table"]
        assert table["TableName"] == props["TableName"]["Fn::Sub"].replace("${Stage}", "dev")
        assert table["KeySchema"] == props["KeySchema"]
        assert {i["IndexName"]: i["KeySchema"] for i in table.get("GlobalSecondaryIndexes", [])} == \
            {i["IndexName"]: i["KeySchema"] for i in props.get("GlobalSecondaryIndexes", [])}
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["DeletionProtectionEnabled"] is True  # SSE, TTL, PITR: moto drops them (test_infra_tables)
    reports = dynamodb.describe_table(TableName="lapor-dev-reports")["Table"]
    assert {i["IndexName"] for i in reports["GlobalSecondaryIndexes"]} == {
        "by_status", "by_agency", "by_unit", "by_province", "by_agency_province", "by_regency", "by_next_action",
        "by_public_update", "by_open_due", "by_agency_open_due", "by_unit_open_due", "by_province_open_due",
        "by_agency_province_open_due", "by_erase_due",
        # public browsing and duplicate suggestions (issue 14)
        "by_public_received", "by_public_province", "by_public_regency", "by_public_supported", "by_open_topic"}


def test_the_stack_creates_the_topics_and_the_encrypted_attachments_bucket(stack):
    topics = {t["TopicArn"] for t in boto3.client("sns", region_name=REGION).list_topics()["Topics"]}
    assert {stack["OmbudsmanTopic"], stack["AlarmTopic"]} <= topics
    encryption = boto3.client("s3", region_name=REGION).get_bucket_encryption(Bucket=stack["AttachmentsBucket"])
    rule = encryption["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"


def test_the_functions_get_their_settings_from_the_stack(stack):
    lam = boto3.client("lambda", region_name=REGION)
    for logical_id in ("APIHandler", "Sweep", "MorningDigest"):
        config = lam.get_function_configuration(FunctionName=stack[logical_id])
        env = config["Environment"]["Variables"]
        assert config["FunctionName"] == f"{STACK}-{config['FunctionName'].split('-', 2)[2]}"
        assert config["Runtime"] == "python3.11"
        assert env["TABLE_PREFIX"] == "lapor-dev-"
        assert env["SES_SENDER"] == "noreply@lapor.example.go.id"
        assert env["ATTACHMENTS_BUCKET"] == stack["AttachmentsBucket"]
        assert env["OMBUDSMAN_TOPIC_ARN"] == stack["OmbudsmanTopic"]
        assert env["ALARM_TOPIC_ARN"] == stack["AlarmTopic"]
        assert env["PUBLIC_ORIGIN"] == PARAMETERS["PublicOrigin"]
        assert env["POWERTOOLS_SERVICE_NAME"] == "lapor"
        assert env["POWERTOOLS_TRACE_DISABLED"] == "true"
        assert env["STAGE"] == "dev"
        assert env["ACCESS_CODE_KEY"] == PARAMETERS["AccessCodeKey"]


def test_eventbridge_runs_the_sweep_every_quarter_hour_and_the_digest_at_seven_wib_on_weekdays(stack):
    events = boto3.client("events", region_name=REGION)
    lam = boto3.client("lambda", region_name=REGION)
    by_target = {}
    for rule in events.list_rules()["Rules"]:
        for target in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
            by_target[target["Arn"]] = rule["ScheduleExpression"]
    for logical_id, expression in SCHEDULES.items():
        arn = lam.get_function_configuration(FunctionName=stack[logical_id])["FunctionArn"]
        assert by_target[arn] == expression


def _policy(stack, role_logical_id: str) -> list[dict]:
    iam = boto3.client("iam", region_name="us-east-1")
    role = stack[role_logical_id]
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    # moto keeps an inline policy created by CloudFormation as the repr of a dict, not as JSON
    return (ast.literal_eval(document) if isinstance(document, str) else document)["Statement"]


def _allowed(statements, action: str) -> list:
    found = []
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        if s["Effect"] == "Allow" and action in actions and "Resource" in s:
            found += s.get("Resource", []) if isinstance(s.get("Resource"), list) else [s.get("Resource")]
    return found


def test_each_role_is_scoped_to_its_tables_and_never_scans(stack):
    table_arn = "arn:aws:dynamodb:ap-southeast-3:123456789012:table/lapor-dev-{}".format
    api, sweep, digest = (_policy(stack, r) for r in ("ApiHandlerRole", "SweepRole", "MorningDigestRole"))
    for statements in (api, sweep, digest):
        text = json.dumps(statements)
        assert "dynamodb:Scan" not in text and '"*"' not in text.replace('"Resource": "*"', "")
        assert not any(s.get("Resource") == "*" for s in statements)
        assert all(r.startswith("arn:aws:") for a in ("dynamodb:PutItem", "dynamodb:Query")
                   for r in _allowed(statements, a))
    assert table_arn("idempotency") in _allowed(api, "dynamodb:PutItem")
    assert table_arn("idempotency") not in _allowed(sweep, "dynamodb:PutItem")
    assert table_arn("reports") not in _allowed(digest, "dynamodb:PutItem")
    assert table_arn("reports") + "/index/*" in _allowed(sweep, "dynamodb:Query")
    assert _allowed(digest, "s3:GetObject") == [] and _allowed(sweep, "s3:GetObject") == []


def test_only_the_api_touches_attachments_and_mail_goes_out_as_the_stage_sender(stack):
    api = _policy(stack, "ApiHandlerRole")
    bucket_arn = f"arn:aws:s3:::{stack['AttachmentsBucket']}/*"
    assert _allowed(api, "s3:PutObject") == [bucket_arn]
    assert _allowed(api, "sns:Publish") == [stack["OmbudsmanTopic"]]
    mail = next(s for s in api if "ses:SendEmail" in s["Action"])
    assert mail["Condition"] == {"StringEquals": {"ses:FromAddress": "noreply@lapor.example.go.id"}}
    sms = next(s for s in api if s.get("NotResource"))
    assert sms["Action"] == "sns:Publish" and sms["NotResource"] == "arn:aws:sns:*:*:*"


# ---- checked in the template (moto creates none of these) ---------------------------------------------


def test_ttl_and_point_in_time_recovery_are_set_where_meant(sam):
    tables = {r["Properties"]["TableName"]["Fn::Sub"].rsplit("-", 1)[1]: r["Properties"]
              for r in _resources(sam, "AWS::DynamoDB::Table").values()}
    assert {n for n, p in tables.items() if "TimeToLiveSpecification" in p} == {"idempotency", "outbox", "attachments", "limits", "audit", "supporters"}
    assert tables["idempotency"]["TimeToLiveSpecification"]["AttributeName"] == "expiration"
    assert all(p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] for p in tables.values())


def test_the_attachments_bucket_is_private_and_cleans_up_abandoned_uploads(sam):
    bucket = sam["Resources"]["AttachmentsBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values()) and len(bucket["PublicAccessBlockConfiguration"]) == 4
    rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    assert rules["expire-uploads-never-accepted"]["TagFilters"] == [{"Key": "state", "Value": "pending"}]
    (cors,) = bucket["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == [{"Ref": "PublicOrigin"}] and "POST" in cors["AllowedMethods"]
    policy = sam["Resources"]["AttachmentsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy)


def test_public_routes_are_throttled_tighter_than_the_stage(sam):
    settings = {(m["ResourcePath"], m["HttpMethod"]): m for m in sam["Resources"]["RestAPI"]["Properties"]["MethodSettings"]}
    assert settings[("/*", "*")]["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    for public in (("/~1reports", "POST"), ("/~1reports~1{tid}~1replies", "POST"), ("/~1reports~1{tid}", "GET")):
        assert "Public" in settings[public]["ThrottlingRateLimit"]["Ref"]
    params = sam["Parameters"]
    assert params["PublicWriteRateLimit"]["Default"] < params["ApiRateLimit"]["Default"]


def test_every_public_write_route_is_throttled_and_every_throttle_names_a_real_route(sam):
    paths = sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    routes = {(path, method.upper()) for path, methods in paths.items() for method in methods}
    throttled = {(m["ResourcePath"][1:].replace("~1", "/"), m["HttpMethod"]): m["ThrottlingRateLimit"]["Ref"]
                 for m in sam["Resources"]["RestAPI"]["Properties"]["MethodSettings"] if m["ResourcePath"] != "/*"}
    assert set(throttled) <= routes, set(throttled) - routes
    public_writes = {(p, m) for p, m in routes if m in ("POST", "PUT", "DELETE") and not p.startswith("/staff/")}
    assert {r for r in public_writes if throttled.get(r, "").startswith("Public")} == public_writes


def test_alarms_watch_errors_throttles_the_sweep_and_the_outbox_backlog(sam):
    alarms = [a["Properties"] for a in _resources(sam, "AWS::CloudWatch::Alarm").values()]
    watched = {(a["Namespace"], a["MetricName"], json.dumps(a["Dimensions"])) for a in alarms}
    fn = lambda name: json.dumps([{"Name": "FunctionName", "Value": {"Ref": name}}])  # noqa: E731
    assert ("AWS/Lambda", "Errors", fn("APIHandler")) in watched
    assert ("AWS/Lambda", "Throttles", fn("APIHandler")) in watched
    assert ("AWS/Lambda", "Errors", fn("Sweep")) in watched
    assert ("AWS/Lambda", "Invocations", fn("Sweep")) in watched  # a sweep that stopped running
    ours = json.dumps([{"Name": "service", "Value": "lapor"}])
    for metric in ("OutboxBacklog", "SweepReportsFailed", "SweepChangesFailed", "NotificationsUndeliverable",
                   "StatisticsDrift"):
        assert ("Lapor", metric, ours) in watched, metric
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms)


@pytest.mark.parametrize("function,event", [("Sweep", "SweepEvent"), ("MorningDigest", "MorningDigestEvent"),
                                            ("MonthlyStats", "MonthlyStatsEvent"), ("Retention", "RetentionEvent")])


def test_a_scheduled_run_never_starts_over_the_previous_one(sam, function, event):
    """One at a time (reserved concurrency 1); a run throttled because the previous one still goes
    is neither retried by EventBridge nor by Lambda's async queue, but dropped within a minute."""
    props = sam["Resources"][function]["Properties"]
    no_overlap = {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60}
    assert props["ReservedConcurrentExecutions"] == 1
    assert props["EventInvokeConfig"] == no_overlap
    assert props["Events"][event]["Properties"]["RetryPolicy"] == no_overlap
    assert props["Events"][event]["Type"] == "Schedule"


def test_the_sweep_and_the_digest_have_time_for_their_budget(sam):
    from chalicelib.services.sweep import STOP_WITH_SECONDS_LEFT

    for function in ("Sweep", "MorningDigest", "Retention"):
        assert sam["Resources"][function]["Properties"]["Timeout"] >= 10 * STOP_WITH_SECONDS_LEFT


def test_the_sender_domain_the_alarm_mail_and_the_referral_endpoint_come_from_parameters(sam):
    (identity,) = _resources(sam, "AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == {"Ref": "SesDomain"}
    subscriptions = {s["Properties"]["Endpoint"]["Ref"]: s for s in _resources(sam, "AWS::SNS::Subscription").values()}
    assert subscriptions["AlarmEmail"]["Condition"] == "HasAlarmEmail"
    assert subscriptions["OmbudsmanEndpoint"]["Properties"]["TopicArn"] == {"Ref": "OmbudsmanTopic"}


# ---- the zip, imported as Lambda would --------------------------------------------------------------------
IMPORT_CHECK = """
import importlib, os, pkgutil, sys
import app
# As Lambda does: the module before the last dot (a blueprint's handler lives in its own module).
handlers = {name: callable(getattr(importlib.import_module(name.rsplit(".", 1)[0]), name.rsplit(".", 1)[1]))
            for name in HANDLERS}
import scheduled
for info in pkgutil.walk_packages(scheduled.__path__, "scheduled."):
    importlib.import_module(info.name)
import chalicelib
web = os.path.normpath(os.path.join(os.path.dirname(chalicelib.__file__), "..", "web"))
lambda_context = type("Context", (), {"aws_request_id": "r-1", "function_name": "f", "memory_limit_in_mb": 128,
    "invoked_function_arn": "arn:aws:lambda:ap-southeast-3:123456789012:function:f",
    "get_remaining_time_in_millis": lambda self: 30000})()
event = {"resource": "/regions", "path": "/regions", "httpMethod": "GET", "headers": {}, "multiValueHeaders": {},
         "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
         "stageVariables": None, "body": None, "isBase64Encoded": False,
         "requestContext": {"resourcePath": "/regions", "httpMethod": "GET", "requestId": "r-1", "stage": "api"}}
answer = app.app(event, lambda_context)
outside = sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)
                  and not m.__file__.startswith((TASK, RUNTIME, sys.base_prefix))})
result = {"handlers": handlers, "web": sorted(os.listdir(web)) if os.path.isdir(web) else None,
          "regions_status": answer["statusCode"], "outside": outside,
          "xray": any(m.startswith("aws_xray_sdk") for m in sys.modules),
          "botocore_from": getattr(sys.modules.get("botocore"), "__file__", None)}
"""


def test_the_built_zip_imports_every_handler_with_only_the_runtime_beside_it(package, tmp_path):
    task = lambda_runtime.extract(package.zip_path, tmp_path / "task")
    runtime = lambda_runtime.runtime_dir(tmp_path / "runtime")
    code = (f"HANDLERS = {sorted(package.functions.values())!r}\nTASK = {str(task)!r}\nRUNTIME = {str(runtime)!r}\n"
            + IMPORT_CHECK)
    env = lambda_runtime.lambda_env({"TABLE_PREFIX": "lapor-dev-", "STAGE": "dev", "POWERTOOLS_SERVICE_NAME": "lapor",
                                     "POWERTOOLS_METRICS_NAMESPACE": "Lapor", "POWERTOOLS_TRACE_DISABLED": "true"})
    result = lambda_runtime.run(code, task, runtime, env)
    assert result["handlers"] == {h: True for h in package.functions.values()}
    assert result["web"] == sorted(p.name for p in (ROOT / "web").iterdir())  # files and web/console/
    assert result["regions_status"] == 200
    assert result["outside"] == []
    assert result["xray"] is False
    assert result["botocore_from"] is None or result["botocore_from"].startswith(str(runtime))


def test_inbound_sms_reaches_its_function_from_the_stacks_own_topic(stack, sam):
    topics = [t["TopicArn"] for t in boto3.client("sns", region_name=REGION).list_topics()["Topics"]]
    assert f"arn:aws:sns:{REGION}:123456789012:{STACK}-inbound-sms" in topics
    events = sam["Resources"]["InboundSms"]["Properties"]["Events"]
    assert events == {"InboundSmsSnsSubscription": {"Type": "SNS", "Properties": {"Topic": {"Fn::Sub": "${InboundSmsTopic}"}}}}
    (policy,) = _resources(sam, "AWS::SNS::TopicPolicy").values()  # moto skips it: asserted here
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert policy["Properties"]["Topics"] == [{"Ref": "InboundSmsTopic"}]
    assert statement["Principal"] == {"Service": "sms-voice.amazonaws.com"} and statement["Action"] == "sns:Publish"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def _inbound_role(stack, role: str, also_puts: tuple[str, ...] = ()) -> list[dict]:
    """An inbound channel's role: no Scan, no wildcard, puts only where an inbound message writes
    (the report, its events, the outbox, the message markers, and for e-mail the attachments a
    message carries); never idempotency."""
    table_arn = "arn:aws:dynamodb:ap-southeast-3:123456789012:table/lapor-dev-{}".format
    statements = _policy(stack, role)
    text = json.dumps(statements)
    assert "dynamodb:Scan" not in text and not any(s.get("Resource") == "*" for s in statements)
    assert sorted(_allowed(statements, "dynamodb:PutItem")) == sorted(
        table_arn(t) for t in ("reports", "events", "outbox", "limits") + also_puts)
    assert table_arn("idempotency") not in text
    assert (table_arn("attachments") in text) == ("attachments" in also_puts)
    return statements


def test_the_inbound_sms_role_writes_only_what_an_inbound_message_changes(stack):
    statements = _inbound_role(stack, "InboundSmsRole")
    assert _allowed(statements, "s3:GetObject") == [] and _allowed(statements, "ses:SendEmail") == []
    assert _allowed(statements, "sns:Publish") == []  # SMS to numbers only (NotResource: no topic)


def test_inbound_mail_is_stored_privately_by_ses_then_handed_to_its_function(stack, sam):
    """The receipt rule (moto skips SES receipt resources: asserted from the template) stores the
    message under inbound/ in a private, encrypted, expiring bucket only SES of this account may
    write, then invokes inbound_email, which only SES of this account's rule set may invoke."""
    assert "InboundMailBucket" in stack
    bucket = sam["Resources"]["InboundMailBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    (expiry,) = [r for r in bucket["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in r]
    assert expiry["Prefix"] == "inbound/" and expiry["ExpirationInDays"] <= 30
    policy = sam["Resources"]["InboundMailBucketPolicy"]["Properties"]
    (ses,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert ses["Principal"] == {"Service": "ses.amazonaws.com"} and ses["Action"] == "s3:PutObject"
    assert ses["Resource"] == {"Fn::Sub": "${InboundMailBucket.Arn}/inbound/*"}
    assert ses["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    rule = sam["Resources"]["InboundMailRule"]
    assert set(rule["DependsOn"]) == {"InboundMailBucketPolicy", "InboundEmailInvokePermission"}
    assert rule["Properties"]["RuleSetName"] == {"Ref": "InboundMailRuleSet"}
    # r@ matches every r+<token>@ (SES matches an address's +label forms): the signed reply addresses
    assert rule["Properties"]["Rule"]["Recipients"] == [{"Fn::Sub": "${InboundLocalPart}@${SesDomain}"},
                                                        {"Fn::Sub": "r@${SesDomain}"}]
    store, invoke = rule["Properties"]["Rule"]["Actions"]
    assert store["S3Action"] == {"BucketName": {"Ref": "InboundMailBucket"}, "ObjectKeyPrefix": "inbound/"}
    assert invoke["LambdaAction"] == {"FunctionArn": {"Fn::GetAtt": ["InboundEmail", "Arn"]}, "InvocationType": "Event"}
    permission = sam["Resources"]["InboundEmailInvokePermission"]["Properties"]
    assert permission["Principal"] == "ses.amazonaws.com" and permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
    assert permission["SourceArn"] == ses["Condition"]["ArnLike"]["aws:SourceArn"]
    variables = sam["Resources"]["InboundEmail"]["Properties"]["Environment"]["Variables"]
    assert variables["INBOUND_MAIL_BUCKET"] == {"Ref": "InboundMailBucket"}


def test_the_inbound_email_role_reads_received_mail_and_writes_only_what_a_message_changes(stack):
    statements = _inbound_role(stack, "InboundEmailRole", also_puts=("attachments",))
    (mail,) = _allowed(statements, "s3:GetObject")
    assert mail.endswith("/inbound/*") and "attachments" not in mail
    (files,) = _allowed(statements, "s3:PutObject")  # a mailed photo, kept as an attachment is
    assert files.endswith("/reports/*") and "attachments" in files
    assert _allowed(statements, "sns:Publish") == []
    assert _allowed(statements, "ses:SendEmail")  # answers go back by e-mail, as the sender address only


def test_retention_erases_attachment_objects_and_records_but_never_scans_or_writes_files(stack):
    """The retention job's role: the reports and their index, the attachments' records and
    objects to delete; it reads or writes no file's bytes and scans nothing."""
    role = _policy(stack, "RetentionRole")
    assert _allowed(role, "s3:DeleteObject") == [f"arn:aws:s3:::{stack['AttachmentsBucket']}/*"]
    assert _allowed(role, "s3:GetObject") == [] and _allowed(role, "s3:PutObject") == []
    assert _allowed(role, "dynamodb:Scan") == []
    assert _allowed(role, "dynamodb:DeleteItem")


def test_the_whatsapp_secret_holds_the_noecho_parameters_and_only_the_api_and_sweep_read_it(stack, sam):
    (name, secret), = _resources(sam, "AWS::SecretsManager::Secret").items()
    text = secret["Properties"]["SecretString"]["Fn::Sub"]
    assert json.loads(text.replace("${", "").replace("}\"", "\"")) == {
        "app_secret": "WhatsAppAppSecret", "verify_token": "WhatsAppVerifyToken", "access_token": "WhatsAppAccessToken"}
    for parameter in ("WhatsAppAppSecret", "WhatsAppVerifyToken", "WhatsAppAccessToken"):
        assert sam["Parameters"][parameter]["NoEcho"] is True
    assert sam["Globals"]["Function"]["Environment"]["Variables"]["WHATSAPP_SECRET_NAME"] == {"Ref": name}
    readers = {logical_id for logical_id, r in sam["Resources"].items() if r["Type"] == "AWS::IAM::Role"
               and "secretsmanager:GetSecretValue" in json.dumps(r)}
    assert readers == {"ApiHandlerRole", "SweepRole"}
    for role in readers:
        statements = sam["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        assert _allowed(statements, "secretsmanager:GetSecretValue") == [{"Ref": name}]
    throttles = {(m["ResourcePath"], m["HttpMethod"]) for m in sam["Resources"]["RestAPI"]["Properties"]["MethodSettings"]}
    assert ("/~1inbound~1whatsapp", "POST") in throttles


def test_the_api_keeps_whatsapp_markers_and_dialogues_and_the_sweep_only_fallbacks_in_the_limits_table(stack):
    """The webhook runs in the API function: its message markers (also inside the report's
    transaction), the dialogue rows (put, deleted) and the SMS fallbacks of the templates it sends;
    the sweep retries templates, so it keeps their fallbacks too. Nobody scans it."""
    limits = "arn:aws:dynamodb:ap-southeast-3:123456789012:table/lapor-dev-limits"
    api, sweep = _policy(stack, "ApiHandlerRole"), _policy(stack, "SweepRole")
    for action in ("dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem"):
        assert limits in _allowed(api, action), action
    assert _allowed(sweep, "dynamodb:PutItem").count(limits) == 1
    assert limits not in _allowed(sweep, "dynamodb:DeleteItem") + _allowed(sweep, "dynamodb:GetItem")
