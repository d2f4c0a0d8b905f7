"""The one place that reads the environment.

`Settings.from_env()` is called by the entry points (the Flask app factory, the CLI, the worker); everything else
receives the resulting object.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingsError(ValueError):
    """A setting in the environment has a value Gridcast cannot use."""


@dataclass(frozen=True)
class Settings:
    """Gridcast configuration, built from environment variables."""

    database_url: str
    redis_url: str | None
    var_dir: Path
    public_base_url: str
    timezone: str = "Asia/Shanghai"
    default_region: str = "CN"
    secret_key: str = field(default="", repr=False)
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = field(default=None, repr=False)
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base: str | None = None
    sms_rate_per_second: float = 10.0
    sms_price_per_segment: float = 0.05
    currency: str = "CNY"
    send_batch_size: int = 500
    max_attempts: int = 4
    lease_seconds: int = 120
    provider_timeout_seconds: float = 15.0
    send_concurrency: int = 8
    auto_replies: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build the settings from `environ` (default: the process environment), with the documented defaults."""
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("GRIDCAST_VAR_DIR") or "var").resolve()
        timezone = env.get("GRIDCAST_TIMEZONE") or "Asia/Shanghai"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"GRIDCAST_TIMEZONE={timezone!r} is not a known time zone") from exc
        region = (env.get("GRIDCAST_DEFAULT_REGION") or "CN").upper()
        if len(region) != 2 or not region.isalpha():
            raise SettingsError(f"GRIDCAST_DEFAULT_REGION={region!r} must be a two-letter region code such as CN")
        return cls(
            sms_rate_per_second=_positive(env, "GRIDCAST_SMS_RATE", 10.0),
            sms_price_per_segment=_positive(env, "GRIDCAST_SMS_PRICE", 0.05, allow_zero=True),
            currency=env.get("GRIDCAST_CURRENCY") or "CNY",
            send_batch_size=int(_positive(env, "GRIDCAST_SEND_BATCH", 500)),
            max_attempts=int(_positive(env, "GRIDCAST_MAX_ATTEMPTS", 4)),
            lease_seconds=int(_positive(env, "GRIDCAST_LEASE_SECONDS", 120)),
            provider_timeout_seconds=_positive(env, "GRIDCAST_PROVIDER_TIMEOUT", 15.0),
            send_concurrency=int(_positive(env, "GRIDCAST_SEND_CONCURRENCY", 8)),
            auto_replies=_on_off(env, "GRIDCAST_AUTO_REPLIES", True),
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'gridcast.db'}",
            redis_url=env.get("REDIS_URL") or None,
            var_dir=var_dir,
            public_base_url=(env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            timezone=timezone,
            default_region=region,
            secret_key=env.get("SECRET_KEY") or "",
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            twilio_from_number=env.get("TWILIO_FROM_NUMBER") or None,
            twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            twilio_api_base=env.get("TWILIO_API_BASE") or None,
        )

    @property
    def uses_embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def embedded_redis_path(self) -> Path:
        return self.var_dir / "redis.rdb"

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)


def _positive(env: Mapping[str, str], name: str, default: float, allow_zero: bool = False) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not a number") from exc
    if value < 0 or (value == 0 and not allow_zero):
        raise SettingsError(f"{name}={raw!r} must be positive")
    return value


def _on_off(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "true", "yes", "1"):
        return True
    if raw in ("off", "false", "no", "0"):
        return False
    raise SettingsError(f"{name}={raw!r} must be on or off")
