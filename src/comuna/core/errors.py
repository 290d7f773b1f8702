"""Domain errors and the one API error body `{"detail", "code", "fields"}`."""

from __future__ import annotations

from typing import Any, TypedDict

from django.core.exceptions import PermissionDenied


class ErrorBody(TypedDict):
    detail: str
    code: str
    fields: dict[str, list[str]]


class DomainError(Exception):
    """A domain rule refused the operation. `message` is already translated."""

    status = 422

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}

    def body(self) -> ErrorBody:
        return error_body(self.message, self.code, self.fields)


class PermissionDeniedError(PermissionDenied):
    """Visible but not allowed: pages and API answer 403 with this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def error_body(detail: str, code: str, fields: dict[str, Any] | None = None) -> ErrorBody:
    return {"detail": detail, "code": code, "fields": fields or {}}
