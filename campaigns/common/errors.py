"""Errors raised by domain services; the gateway turns each kind into one HTTP status.

Each error carries an English `message` (for the API and the logs) and, when raised through `coded`, a stable
`message_id` ("grid.not_found"), the English `template` it was built from and its `params`. The console renders
`message_id` + `template` + `params` in the reader's language through its gettext catalogs (the template is the
msgid, the message id its msgctxt); the domain itself never translates anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self


def english_value(value: Any) -> Any:
    """A parameter as it reads in the English message: a nested error's message, a list joined by commas."""
    if isinstance(value, DomainError):
        return value.message
    if isinstance(value, (list, tuple)):
        separator = "; " if any(isinstance(item, DomainError) for item in value) else ", "
        return separator.join(str(english_value(item)) for item in value)
    return value


def plain_value(value: Any) -> Any:
    """A parameter as JSON can carry it: a nested error as its details, a tuple as a list, anything else that JSON
    has no type for (another exception, a date) as its text."""
    if isinstance(value, DomainError):
        return value.details()
    if isinstance(value, (list, tuple)):
        return [plain_value(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool, dict)):
        return value
    return str(value)


class DomainError(Exception):
    """Base class: a message fit to show a member of staff, and optional per-field details."""

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        message_id: str | None = None,
        template: str | None = None,
        params: Mapping[str, Any] | None = None,
        plural: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.message_id = message_id
        self.template = template
        self.plural = plural
        self.params: dict[str, Any] = dict(params or {})

    @classmethod
    def coded(cls, message_id: str, template: str, /, *, fields: dict[str, str] | None = None, **params: Any) -> Self:
        """The error `message_id`, its English `template` ("grid %(code)s not found") filled with `params`.

        A parameter may be a list (joined by commas in English) or another domain error (its message in English,
        its own translation on the console)."""
        english = {name: english_value(value) for name, value in params.items()}
        message = template % english if params else template
        return cls(message, fields=fields, message_id=message_id, template=template, params=params)

    @classmethod
    def coded_plural(
        cls,
        message_id: str,
        singular: str,
        plural: str,
        /,
        *,
        fields: dict[str, str] | None = None,
        **params: Any,
    ) -> Self:
        """Like `coded`, with a singular and a plural template chosen by the `n` parameter."""
        english = {name: english_value(value) for name, value in params.items()}
        template = singular if params["n"] == 1 else plural
        error = cls(template % english, fields=fields, message_id=message_id, template=singular, params=params)
        error.plural = plural
        return error

    def details(self) -> dict[str, Any]:
        """The error's id, English template(s) and parameters, as JSON (an API body, a preview's reasons, a rejected
        import row); the English message only for an error without a template (it follows from the rest)."""
        if self.template is None:
            return {"message_id": self.message_id, "message": self.message, "params": {}}
        details: dict[str, Any] = {"message_id": self.message_id, "template": self.template}
        if self.plural is not None:
            details["plural"] = self.plural
        return {**details, "params": {name: plain_value(value) for name, value in self.params.items()}}

    @classmethod
    def from_details(cls, details: dict[str, Any]) -> DomainError:
        """The error `details` describe (nested errors rebuilt too), for rendering it again in another language."""
        params = {name: _rebuilt(value) for name, value in details.get("params", {}).items()}
        template, plural = details.get("template"), details.get("plural")
        if template is None:
            return cls(details.get("message", ""), message_id=details.get("message_id"))
        english = {name: english_value(value) for name, value in params.items()}
        chosen = plural if plural is not None and params.get("n") != 1 else template
        message = chosen % english if params else chosen
        return cls(message, message_id=details.get("message_id"), template=template, params=params, plural=plural)

    def with_fields(self, fields: dict[str, str]) -> Self:
        """The same error (message, id and parameters) with per-field details."""
        return type(self)(
            self.message,
            fields=fields,
            message_id=self.message_id,
            template=self.template,
            params=self.params,
            plural=self.plural,
        )

    def as_kind(self, kind: type[DomainError]) -> DomainError:
        """The same error (message, id and parameters) as another kind (a NotFound grid becomes a ValidationError)."""
        return kind(
            self.message,
            fields=self.fields,
            message_id=self.message_id,
            template=self.template,
            params=self.params,
            plural=self.plural,
        )


def _rebuilt(value: Any) -> Any:
    if isinstance(value, dict) and "message_id" in value and "params" in value:
        return DomainError.from_details(value)
    if isinstance(value, list):
        return [_rebuilt(item) for item in value]
    return value


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
