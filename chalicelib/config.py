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
    spam_score_threshold: int = 5  # a new report scoring this much (domain/spam.py) waits flagged
    # Data protection (UU PDP): lost-code recovery limits and how long a reporter's identity is kept.
    access_code_recoveries_per_report: int = 3   # a day: each one revokes the code in use
    access_code_recoveries_per_client: int = 10  # an hour, any report
    retention_months_after_closing: int = 24
    spam_retention_days: int = 90
    consent_version: str = "2026-12"  # the privacy notice in force, stored with each report
    # WhatsApp Business Cloud API: the secret (Secrets Manager, JSON: app_secret, verify_token,
    # access_token) is named here and read on first use; "" or no phone number id: not configured.
    whatsapp_secret_name: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    whatsapp_dialogue_minutes: int = 30  # a guided dialogue left this long starts over
    whatsapp_template_language: str = "id"  # the language status-change templates are sent in (id | en)
    # The public list page's map (issue 14): a tile URL template ({z}/{x}/{y}, optional {s}); empty:
    # no map, the page is a list. The page's CSP then allows images from the tiles' origin only.
    map_tile_url: str = ""
    map_tile_attribution: str = ""
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

    @property
    def reply_address_key(self) -> bytes:
        """Signs reply addresses (domain/reply_address.py): derived from the access-code key, so
        no new secret to hold, yet an address never reveals anything about an access code."""
        import hashlib
        import hmac

        return hmac.new(self.access_code_key, b"lapor reply address v1", hashlib.sha256).digest()

    @property
    def inbound_domain(self) -> str:
        return self.inbound_address.rpartition("@")[2]


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
        spam_score_threshold=int(env.get("SPAM_SCORE_THRESHOLD", "5")),
        access_code_recoveries_per_report=int(env.get("ACCESS_CODE_RECOVERIES_PER_REPORT_PER_DAY", "3")),
        access_code_recoveries_per_client=int(env.get("ACCESS_CODE_RECOVERIES_PER_CLIENT_PER_HOUR", "10")),
        retention_months_after_closing=int(env.get("RETENTION_MONTHS_AFTER_CLOSING", "24")),
        spam_retention_days=int(env.get("SPAM_RETENTION_DAYS", "90")),
        consent_version=env.get("CONSENT_VERSION", "2026-12"),
        whatsapp_secret_name=env.get("WHATSAPP_SECRET_NAME", ""),
        whatsapp_phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", ""),
        whatsapp_api_base=env.get("WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0").rstrip("/"),
        whatsapp_dialogue_minutes=int(env.get("WHATSAPP_DIALOGUE_MINUTES", "30")),
        whatsapp_template_language=env.get("WHATSAPP_TEMPLATE_LANGUAGE", "id"),
        map_tile_url=env.get("MAP_TILE_URL", ""),
        map_tile_attribution=env.get("MAP_TILE_ATTRIBUTION", ""),
        supports_per_client_per_hour=int(env.get("SUPPORTS_PER_CLIENT_PER_HOUR", "20")),
        support_codes_per_contact_per_hour=int(env.get("SUPPORT_CODES_PER_CONTACT_PER_HOUR", "3")),
    )


# ---- what the platform tells people about their data (UU PDP notice) ----------------------------------
@dataclass(frozen=True)
class Notice:
    """The consent text's version (stored with each report) and the retention periods the notice
    states; the retention job reads the same settings (RETENTION_MONTHS_AFTER_CLOSING, SPAM_RETENTION_DAYS)."""

    consent_version: str
    retention_months_after_closing: int
    spam_retention_days: int


def notice() -> Notice:
    """What the notice states, from the same settings the retention job reads."""
    s = settings()
    return Notice(consent_version=s.consent_version, retention_months_after_closing=s.retention_months_after_closing,
                  spam_retention_days=s.spam_retention_days)
