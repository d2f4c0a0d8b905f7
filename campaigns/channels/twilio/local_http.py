"""An HTTP client for the twilio library that sends every request to a local stand-in for Twilio.

Used by the integration tests (Prism serving Twilio's OpenAPI description, or a stub of our own) and by the
benchmarks. Rewriting the scheme and host of each URL is more robust than `client.api.base_url`, which the
TWILIO_EDGE and TWILIO_REGION variables mangle.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response


class StandInHttpClient(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    """A TwilioHttpClient whose requests go to `base_url` (e.g. http://127.0.0.1:4010) instead of *.twilio.com."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base URL {base_url!r} must look like http://host:port")
        self.base_url = base_url
        self.base_scheme = parts.scheme
        self.base_netloc = parts.netloc
        self.base_path = parts.path.rstrip("/")

    def rewrite(self, url: str) -> str:
        """`url` with the stand-in's scheme and host (and path prefix, if it has one)."""
        parts = urlsplit(url)
        return urlunsplit((self.base_scheme, self.base_netloc, self.base_path + parts.path, parts.query, ""))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        return super().request(method, self.rewrite(url), *args, **kwargs)
