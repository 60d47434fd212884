"""Typed domain errors. The HTTP edge maps each class to a status once; nobody parses messages."""
from __future__ import annotations


class DomainError(Exception):
    """Base: carries a stable code and a bilingual message a citizen can read."""

    code = "error"

    def __init__(self, message_id: str, message_en: str, fields: dict[str, str] | None = None):
        super().__init__(f"{message_id} / {message_en}")
        self.message_id = message_id
        self.message_en = message_en
        self.fields = fields or {}

    @property
    def message(self) -> str:
        return f"{self.message_id} / {self.message_en}"


class InvalidInput(DomainError):
    code = "invalid_input"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Unprocessable(DomainError):
    """The request matches the published document but names something that does not exist, or
    fields that do not fit together (or with the stored data): 422, never 400."""

    code = "unprocessable"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Conflict(DomainError):
    """Someone else changed the same thing first (optimistic concurrency, duplicate key)."""

    code = "conflict"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"


class MethodNotAllowed(DomainError):
    code = "method_not_allowed"
