"""Provision a Cognito user pool for staff, for local runs (moto server) and tests (moto in-process).

The real pool is created by CloudFormation in ``infra/``; keep the two in step:
groups named exactly like the staff ``Role`` values, mutable string custom attributes
``agency_id``, ``unit_id``, ``province_code``, an app client without secret that allows
``USER_PASSWORD_AUTH`` and refresh, which may *read* the scope attributes (so they appear in the
ID token) but may not *write* them (staff cannot widen their own scope).
"""
from __future__ import annotations

from typing import Any

from chalicelib.domain.roles import STAFF_ROLES, Role

SCOPE_ATTRIBUTES = ("agency_id", "unit_id", "province_code")

GROUP_DESCRIPTIONS = {
    Role.CENTRAL_ADMIN: "Admin pusat (KemenPAN-RB) — seluruh laporan",
    Role.AGENCY_ADMIN: "Admin instansi — laporan instansinya",
    Role.LIAISON_OFFICER: "Petugas penghubung — laporan unit kerjanya",
    Role.PROVINCIAL_ADMIN: "Admin provinsi — laporan di provinsinya",
}

# Lower precedence wins for cognito:preferred_role; mirrors auth.ROLE_PRECEDENCE.
GROUP_PRECEDENCE = {
    Role.CENTRAL_ADMIN: 0,
    Role.AGENCY_ADMIN: 10,
    Role.LIAISON_OFFICER: 20,
    Role.PROVINCIAL_ADMIN: 30,
}

READ_ATTRIBUTES = [
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "name",
    *[f"custom:{a}" for a in SCOPE_ATTRIBUTES],
]
WRITE_ATTRIBUTES = ["email", "phone_number", "name"]


def create_user_pool(cognito_client: Any, name: str) -> tuple[str, str]:
    """Create the staff pool, its four role groups and the web app client.

    Returns ``(pool_id, client_id)``.
    """
    pool = cognito_client.create_user_pool(
        PoolName=name,
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
                "TemporaryPasswordValidityDays": 3,
            }
        },
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        AutoVerifiedAttributes=["email"],
        MfaConfiguration="OFF",
        Schema=[
            {
                "Name": "email",
                "AttributeDataType": "String",
                "Mutable": True,
                "Required": False,
            },
            {
                "Name": "phone_number",
                "AttributeDataType": "String",
                "Mutable": True,
                "Required": False,
            },
            *[
                {
                    "Name": attr,
                    "AttributeDataType": "String",
                    "Mutable": True,
                    "Required": False,
                    "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "64"},
                }
                for attr in SCOPE_ATTRIBUTES
            ],
        ],
        UserPoolTags={"app": "lapor"},
    )
    pool_id = pool["UserPool"]["Id"]
    for role in STAFF_ROLES:
        cognito_client.create_group(
            GroupName=role.value,
            UserPoolId=pool_id,
            Description=GROUP_DESCRIPTIONS[role],
            Precedence=GROUP_PRECEDENCE[role],
        )
    client = cognito_client.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=f"{name}-web",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ReadAttributes=READ_ATTRIBUTES,
        WriteAttributes=WRITE_ATTRIBUTES,
        PreventUserExistenceErrors="ENABLED",
        IdTokenValidity=60,
        AccessTokenValidity=60,
        RefreshTokenValidity=12,
        TokenValidityUnits={"IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "hours"},
    )
    return pool_id, client["UserPoolClient"]["ClientId"]


def create_staff_user(
    cognito_client: Any,
    pool_id: str,
    username: str,
    password: str,
    role: Role | str,
    email: str,
    agency_id: str | None = None,
    unit_id: str | None = None,
    province_code: str | None = None,
    phone: str | None = None,
) -> None:
    """Create a confirmed staff user with a permanent password, its scope attributes and group.

    If the user exists already, its attributes are updated and the password reset (idempotent).
    """
    role = Role(role)
    if role not in STAFF_ROLES:
        raise ValueError(f"{role.value} is not a staff role")
    attributes = [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
    ]
    if phone:
        attributes += [
            {"Name": "phone_number", "Value": phone},
            {"Name": "phone_number_verified", "Value": "true"},
        ]
    for name, value in (("agency_id", agency_id), ("unit_id", unit_id), ("province_code", province_code)):
        if value:
            attributes.append({"Name": f"custom:{name}", "Value": str(value)})
    try:
        cognito_client.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=attributes,
            MessageAction="SUPPRESS",
        )
    except cognito_client.exceptions.UsernameExistsException:
        cognito_client.admin_update_user_attributes(
            UserPoolId=pool_id, Username=username, UserAttributes=attributes
        )
        for other in STAFF_ROLES:
            if other is not role:
                cognito_client.admin_remove_user_from_group(
                    UserPoolId=pool_id, Username=username, GroupName=other.value
                )
    cognito_client.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    cognito_client.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=role.value)
