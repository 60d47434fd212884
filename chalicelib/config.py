"""Settings, read once from the environment. Every name here is documented in the README."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

# Stages that run without real citizens' data may fall back to a known access-code key.
KEYLESS_STAGES = ("local", "dev", "test")
DEV_ACCESS_CODE_KEY = "lapor-dev-access-code-key-never-use-in-production"
MIN_KEY_LENGTH = 32


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_prefix: str
    user_pool_id: str
    user_pool_client_id: str
    cognito_issuer: str
    cognito_jwks_url: str
    ses_sender: str
    attachments_bucket: str
    ombudsman_topic_arn: str
    alarm_topic_arn: str
    public_origin: str
    # Where a browser reaches Cognito's API (the staff console signs in there, never through us).
    cognito_endpoint: str = ""
    inbound_mail_bucket: str = "lapor-dev-inbound-mail"  # where SES's receipt rule stores incoming mail
    inbound_address: str = ""  # lapor@<domain>: the Reply-To of the platform's e-mail (replies become report replies)
    inbound_mail_prefix: str = "inbound/"
    ranking_min_reports: int = 10       # reports an agency needs in the period to be ranked
    s3_endpoint_from_env: bool = False  # AWS_ENDPOINT_URL(_S3) set: a local S3 (moto), its URL left to botocore
    submissions_per_client_per_hour: int = 30
    inbound_messages_per_number_per_hour: int = 20  # SMS/WhatsApp/e-mail messages one sender may send
    access_code_attempts_per_report: int = 10
    access_code_attempts_per_client: int = 10
    access_code_key_text: str = field(default="", repr=False)
    supports_per_client_per_hour: int = 20          # issue 14: supports (and code requests) per client
    support_codes_per_contact_per_hour: int = 3     # one-time codes sent to one e-mail/phone

    def table(self, name: str) -> str:
        return f"{self.table_prefix}{name}"

    @property
    def access_code_key(self) -> bytes:
        """The HMAC key for access codes (and the idempotency records that carry one). Checked on
        use, not at start: a stage without it fails where a code is made or read, loudly."""
        text = self.access_code_key_text or (DEV_ACCESS_CODE_KEY if self.stage in KEYLESS_STAGES else "")
        if len(text) < MIN_KEY_LENGTH:
            raise RuntimeError(f"ACCESS_CODE_KEY must be set to at least {MIN_KEY_LENGTH} characters "
                               f"in stage {self.stage!r}")
        return text.encode()


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-southeast-3"
    pool = env.get("COGNITO_USER_POOL_ID", "")
    issuer = env.get("COGNITO_ISSUER") or f"https://cognito-idp.{region}.amazonaws.com/{pool}"
    return Settings(
        stage=env.get("STAGE", "dev"),
        region=region,
        table_prefix=env.get("TABLE_PREFIX", "lapor-dev-"),
        user_pool_id=pool,
        user_pool_client_id=env.get("COGNITO_CLIENT_ID", ""),
        cognito_issuer=issuer,
        cognito_jwks_url=env.get("COGNITO_JWKS_URL") or f"{issuer}/.well-known/jwks.json",
        ses_sender=env.get("SES_SENDER", "noreply@lapor.example.go.id"),
        attachments_bucket=env.get("ATTACHMENTS_BUCKET", "lapor-dev-attachments"),
        ombudsman_topic_arn=env.get("OMBUDSMAN_TOPIC_ARN", ""),
        alarm_topic_arn=env.get("ALARM_TOPIC_ARN", ""),
        public_origin=env.get("PUBLIC_ORIGIN", ""),
        cognito_endpoint=(env.get("COGNITO_ENDPOINT") or env.get("AWS_ENDPOINT_URL_COGNITO_IDP")
                          or env.get("AWS_ENDPOINT_URL") or f"https://cognito-idp.{region}.amazonaws.com").rstrip("/") + "/",
        ranking_min_reports=int(env.get("STATISTICS_RANKING_MIN_REPORTS", "10")),
        inbound_mail_bucket=env.get("INBOUND_MAIL_BUCKET", "lapor-dev-inbound-mail"),
        inbound_address=env.get("INBOUND_ADDRESS", ""),
        inbound_mail_prefix=env.get("INBOUND_MAIL_PREFIX", "inbound/"),
        s3_endpoint_from_env=bool(env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL")),
        submissions_per_client_per_hour=int(env.get("SUBMISSIONS_PER_CLIENT_PER_HOUR", "30")),
        inbound_messages_per_number_per_hour=int(env.get("INBOUND_MESSAGES_PER_SENDER_PER_HOUR", "20")),
        access_code_attempts_per_report=int(env.get("ACCESS_CODE_ATTEMPTS_PER_HOUR", "10")),
        access_code_attempts_per_client=int(env.get("ACCESS_CODE_ATTEMPTS_PER_CLIENT_PER_HOUR", "10")),
        access_code_key_text=env.get("ACCESS_CODE_KEY", ""),
        supports_per_client_per_hour=int(env.get("SUPPORTS_PER_CLIENT_PER_HOUR", "20")),
        support_codes_per_contact_per_hour=int(env.get("SUPPORT_CODES_PER_CONTACT_PER_HOUR", "3")),
    )
