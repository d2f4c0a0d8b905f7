"""Checking the X-Twilio-Signature of a webhook request, so the web layer never imports `twilio` itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twilio.request_validator import RequestValidator


def twilio_signature_valid(auth_token: str, url: str, form: Mapping[str, Any], signature: str | None) -> bool:
    """True when `signature` is Twilio's HMAC of `url` and the POSTed `form` under `auth_token`.

    `url` must be the exact public URL Twilio requested (scheme, host, path and query string); `form` may be a
    multi-valued mapping such as Flask's `request.form`.
    """
    if not signature or not auth_token:
        return False
    return bool(RequestValidator(auth_token).validate(url, form, signature))
