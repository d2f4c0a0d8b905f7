"""Errors raised by domain services; the gateway turns each kind into one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a message fit to show a member of staff, and optional per-field details."""

    code = "error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationError(DomainError):
    """The input is malformed or breaks a rule (bad phone, unknown language...)."""

    code = "invalid"


class NotFound(DomainError):
    """No such thing, or not in the caller's scope: the two are indistinguishable on purpose."""

    code = "not_found"


class PermissionDenied(DomainError):
    """The caller's role does not allow the action."""

    code = "forbidden"


class Conflict(DomainError):
    """The action clashes with the current state (a grid that is not empty, a code already taken...)."""

    code = "conflict"


class AuthenticationFailed(DomainError):
    """Missing, unknown, revoked or malformed credentials."""

    code = "unauthenticated"
