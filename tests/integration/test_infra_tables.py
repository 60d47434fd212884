"""infra/template.json against the code it deploys, read straight from the source: the tables and
indexes of every PynamoDB model, the idempotency table Powertools expects, the Cognito pool the
local stack provisions, and the settings the app reads. Needs no build: it runs in a second."""
from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest
from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

import chalicelib.adapters
from chalicelib import config
from chalicelib.adapters import cognito_setup
from chalicelib.domain.roles import STAFF_ROLES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = json.loads((ROOT / "infra" / "template.json").read_text())
RESOURCES = TEMPLATE["Resources"]
ENV = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]

# Tables whose rows a library writes, not a PynamoDB model of ours.
LIBRARY_TABLES = {"idempotency"}
# A table whose TTL attribute is written by something other than a TTLAttribute of its model
# (none today); an entry here fails once the model declares it (the test below says so).
TTL_DECLARED_OUTSIDE_THE_MODEL: dict[str, str] = {}


def _models() -> dict[str, list[type[Model]]]:
    """Every PynamoDB model under chalicelib/adapters, by table suffix (several may share one)."""
    for info in pkgutil.iter_modules(chalicelib.adapters.__path__, "chalicelib.adapters."):
        importlib.import_module(info.name)
    prefix = config.settings().table_prefix
    found: dict[str, list[type[Model]]] = {}
    seen: set[type] = set()
    stack = list(Model.__subclasses__())
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        if model in seen or not model.__module__.startswith("chalicelib."):
            continue
        seen.add(model)
        name = model.Meta.table_name
        assert name.startswith(prefix), f"{model.__name__}: table {name} ignores TABLE_PREFIX"
        found.setdefault(name[len(prefix):], []).append(model)
    return found


MODELS = _models()


def _tables() -> dict[str, tuple[str, dict]]:
    """Template tables by suffix: {suffix: (logical id, properties)}."""
    tables = {}
    for logical_id, resource in RESOURCES.items():
        if resource.get("Type") == "AWS::DynamoDB::Table":
            name = resource["Properties"]["TableName"]["Fn::Sub"]
            assert name.startswith("lapor-${Stage}-"), f"{logical_id}: TableName must be TABLE_PREFIX + suffix"
            tables[name[len("lapor-${Stage}-"):]] = (logical_id, resource["Properties"])
    return tables


TABLES = _tables()


def _shape(key_schema, attribute_types, indexes) -> dict:
    """Keys with their types, and each index's keys and projection: what must agree."""
    def keys(schema):
        return tuple((k["KeyType"], k["AttributeName"], attribute_types[k["AttributeName"]]) for k in
                     sorted(schema, key=lambda k: k["KeyType"]))

    return {"keys": keys(key_schema),
            "indexes": {i["index_name"]: (keys(i["key_schema"]), i["projection"]["ProjectionType"]) for i in indexes}}


def model_shape(model: type[Model]) -> dict:
    schema = model._get_schema()
    types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
    indexes = schema.get("global_secondary_indexes", []) + schema.get("local_secondary_indexes", [])
    return _shape(schema["key_schema"], types, indexes)


def template_shape(props: dict) -> dict:
    types = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    indexes = [{"index_name": i["IndexName"], "key_schema": i["KeySchema"], "projection": i["Projection"]}
               for i in props.get("GlobalSecondaryIndexes", []) + props.get("LocalSecondaryIndexes", [])]
    used = {k["AttributeName"] for k in props["KeySchema"]} | {k["AttributeName"] for i in indexes for k in i["key_schema"]}
    assert set(types) == used, "AttributeDefinitions must name exactly the key attributes"
    return _shape(props["KeySchema"], types, indexes)


def test_the_code_has_models_for_the_tables_everyone_expects():
    assert {"reports", "events", "directory", "settings"} <= set(MODELS)


@pytest.mark.parametrize("suffix", sorted(MODELS))
def test_every_model_table_is_in_the_template_with_the_same_keys_and_indexes(suffix):
    assert suffix in TABLES, f"no table lapor-${{Stage}}-{suffix} in infra/template.json for {MODELS[suffix]}"
    expected = template_shape(TABLES[suffix][1])
    for model in MODELS[suffix]:
        assert model_shape(model) == expected, f"{model.__name__} and {TABLES[suffix][0]} differ"


def test_every_template_table_belongs_to_a_model_or_a_library():
    assert set(TABLES) - set(MODELS) <= LIBRARY_TABLES


def test_the_idempotency_table_has_the_keys_and_expiry_powertools_uses():
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    layer = DynamoDBPersistenceLayer(table_name=config.settings().table("idempotency"))
    props = TABLES["idempotency"][1]
    assert props["KeySchema"] == [{"AttributeName": layer.key_attr, "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": layer.key_attr, "AttributeType": "S"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": layer.expiry_attr, "Enabled": True}


def _declared_ttl(suffix: str) -> str | None:
    names = {name for model in MODELS.get(suffix, []) for name, attr in model.get_attributes().items()
             if isinstance(attr, TTLAttribute)}
    assert len(names) <= 1, f"{suffix}: models disagree on the TTL attribute {names}"
    return next(iter(names), None)


@pytest.mark.parametrize("suffix", sorted(set(TABLES) - LIBRARY_TABLES))
def test_a_table_expires_items_only_where_its_model_declares_a_ttl(suffix):
    declared = _declared_ttl(suffix)
    if suffix in TTL_DECLARED_OUTSIDE_THE_MODEL:
        assert declared is None, f"{suffix} now declares a TTLAttribute: drop it from TTL_DECLARED_OUTSIDE_THE_MODEL"
        declared = TTL_DECLARED_OUTSIDE_THE_MODEL[suffix]
    ttl = TABLES[suffix][1].get("TimeToLiveSpecification")
    assert (ttl and ttl["AttributeName"]) == declared or (ttl is None and declared is None)
    if ttl:
        assert ttl["Enabled"] is True


@pytest.mark.parametrize("suffix", sorted(TABLES))
def test_every_table_is_protected_recoverable_encrypted_and_on_demand(suffix):
    logical_id, props = TABLES[suffix]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["DeletionProtectionEnabled"] is True
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert RESOURCES[logical_id]["DeletionPolicy"] == RESOURCES[logical_id]["UpdateReplacePolicy"] == "Retain"


def test_the_table_prefix_the_functions_get_is_the_prefix_of_every_table_name():
    assert ENV["TABLE_PREFIX"] == {"Fn::Sub": "lapor-${Stage}-"}


def test_every_setting_the_app_reads_is_given_by_the_template_the_runtime_or_the_stage_config():
    read = set(re.findall(r'env\.get\("([A-Z0-9_]+)"', (ROOT / "chalicelib" / "config.py").read_text()))
    from_runtime = {"AWS_REGION", "AWS_DEFAULT_REGION"}
    # computed from the region and the pool id (the console's Cognito endpoint: the region's)
    derived = {"COGNITO_ISSUER", "COGNITO_JWKS_URL", "COGNITO_ENDPOINT"}
    local_only = {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_COGNITO_IDP"}  # moto, locally
    stage_config = set(json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"]
                       .get("environment_variables", {}))
    # a function's own environment, merged into what chalice generates (the inbound-mail bucket)
    per_function = {name for r in RESOURCES.values()
                    for name in r.get("Properties", {}).get("Environment", {}).get("Variables", {})}
    assert read - from_runtime - derived - local_only - stage_config <= set(ENV) | per_function, read - set(ENV)
    assert {k for k in ENV if k.startswith("POWERTOOLS_")} >= {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"}


# ---- the Cognito pool: the same contract as the one the local stack and the tests provision ------------
def _of_type(kind: str) -> dict[str, dict]:
    return {k: r["Properties"] for k, r in RESOURCES.items() if r.get("Type") == kind}


def test_the_user_pool_has_a_group_per_staff_role_with_the_local_precedence():
    groups = {g["GroupName"]: g for g in _of_type("AWS::Cognito::UserPoolGroup").values()}
    assert set(groups) == {r.value for r in STAFF_ROLES}
    for role in STAFF_ROLES:
        assert groups[role.value]["Precedence"] == cognito_setup.GROUP_PRECEDENCE[role]
        assert groups[role.value]["Description"] == cognito_setup.GROUP_DESCRIPTIONS[role]
        assert groups[role.value]["UserPoolId"] == {"Ref": "StaffUserPool"}


def test_the_user_pool_carries_the_scope_attributes_and_only_admins_create_users():
    (pool,) = _of_type("AWS::Cognito::UserPool").values()
    custom = {a["Name"]: a for a in pool["Schema"] if a["Name"] in cognito_setup.SCOPE_ATTRIBUTES}
    assert set(custom) == set(cognito_setup.SCOPE_ATTRIBUTES) == {"agency_id", "unit_id", "province_code"}
    assert all(a["AttributeDataType"] == "String" and a["Mutable"] for a in custom.values())
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert pool["DeletionProtection"] == "ACTIVE"
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12


def test_the_app_client_has_no_secret_password_and_srp_sign_in_and_cannot_write_its_scope():
    (client,) = _of_type("AWS::Cognito::UserPoolClient").values()
    assert client["GenerateSecret"] is False
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["ReadAttributes"] == cognito_setup.READ_ATTRIBUTES
    assert client["WriteAttributes"] == cognito_setup.WRITE_ATTRIBUTES
    assert not any(a.startswith("custom:") for a in client["WriteAttributes"])
    assert ENV["COGNITO_USER_POOL_ID"] == {"Ref": "StaffUserPool"}
    assert ENV["COGNITO_CLIENT_ID"] == {"Ref": "StaffWebClient"}
