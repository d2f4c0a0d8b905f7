"""The one place that reads the environment.

`Settings.from_env()` is called by the entry points (the Flask app factory, the CLI, the worker); everything else
receives the resulting object. Each variable is declared once, in `campaigns.common.settings_model.EnvironmentSettings`
(name, type, default, bounds, description); `Settings` is what the code reads, in the code's units.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit

import annotated_types
import pydantic
from pydantic.fields import FieldInfo

from campaigns.common.settings_model import EnvironmentSettings, env_name, extra
from campaigns.common.upload_limits import MB, ImportLimits

SECRET_FIELDS = tuple(
    name for name, info in EnvironmentSettings.model_fields.items() if extra(info)["show"] == "secret"
)
MAY_HOLD_A_SECRET = ("secret", "url", "scheme", "redis")
IMPORT_LIMIT_FIELDS = (
    "import_max_upload_mb", "import_max_unpacked_mb", "import_max_ratio", "import_max_rows", "import_max_columns",
    "import_max_cell_chars",
)  # fmt: skip


class SettingsError(ValueError):
    """A setting in the environment has a value Gridcast cannot use."""


@dataclass(frozen=True)
class Settings:
    """Gridcast configuration, built from environment variables (defaults and bounds: EnvironmentSettings)."""

    database_url: str
    redis_url: str | None
    var_dir: Path
    public_base_url: str
    timezone: str
    default_region: str
    secret_key: str = field(repr=False)
    twilio_account_sid: str | None
    twilio_auth_token: str | None = field(repr=False)
    twilio_from_number: str | None
    twilio_messaging_service_sid: str | None
    twilio_api_base: str | None
    sms_rate_per_second: float
    sms_price_per_segment: float
    currency: str
    send_batch_size: int
    max_attempts: int
    lease_seconds: int
    provider_timeout_seconds: float
    outbox_ttl_hours: float
    alert_holds_routine: bool
    send_concurrency: int
    auto_replies: bool
    speaker_silent_after_minutes: int
    speaker_feed_cache_seconds: float
    speaker_signing_key: str | None = field(repr=False)
    cap_sender: str
    ebm_resource_code: str | None
    call_rate_per_second: float
    call_price_per_minute: float
    max_concurrent_calls: int
    call_retry_minutes: float
    call_max_tries: int
    call_announcement_plays: int
    call_prompt_tries: int
    call_ring_seconds: int
    simulator_call_key: str
    tts_engines: tuple[str, ...]
    audio_bitrate_kbps: int
    audio_max_upload_bytes: int
    audio_max_seconds: int
    tts_timeout_seconds: float
    session_idle_minutes: int
    secure_cookies: bool
    login_max_failures: int
    login_window_minutes: int
    login_max_delay_seconds: int
    auth_failures_per_minute: int
    approval_threshold: int
    kannel_sendsms_url: str | None
    kannel_username: str | None
    kannel_password: str | None = field(repr=False)
    kannel_from: str | None
    kannel_smsc: str | None
    kannel_rate_per_second: float
    kannel_dlr_mask: int
    kannel_secret: str | None = field(repr=False)
    kannel_allowed_ips: tuple[str, ...]
    sms_routes: tuple[tuple[str, str], ...]
    import_limits: ImportLimits
    import_inline_max_bytes: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build the settings from `environ` (default: the process environment), with the documented defaults.
        A value out of bounds raises SettingsError naming the variable and what it accepts."""
        env = os.environ if environ is None else environ
        try:
            model = EnvironmentSettings.from_mapping(env)
        except pydantic.ValidationError as exc:
            raise SettingsError(explain(exc, env)) from None
        return cls.from_model(model)

    @classmethod
    def from_model(cls, model: EnvironmentSettings) -> Settings:
        """The runtime settings of validated environment settings: units converted, derived defaults filled in."""
        values = model.model_dump(exclude={"audio_max_upload_mb", "import_inline_max_kb", *IMPORT_LIMIT_FIELDS})
        secrets = {name: getattr(model, name) for name in SECRET_FIELDS}
        var_dir = Path(model.var_dir).resolve()
        https = model.public_base_url.startswith("https://")
        derived = {
            **{name: secret.get_secret_value() if secret else None for name, secret in secrets.items()},
            "secret_key": model.secret_key.get_secret_value() if model.secret_key else "",
            "var_dir": var_dir,
            "database_url": model.database_url or f"sqlite:///{var_dir / 'gridcast.db'}",
            "cap_sender": model.cap_sender or _cap_sender(model.public_base_url),
            "secure_cookies": https if model.secure_cookies is None else model.secure_cookies,
            "audio_max_upload_bytes": model.audio_max_upload_mb * MB,
            "import_inline_max_bytes": model.import_inline_max_kb * 1024,
            "import_limits": ImportLimits(
                max_upload_bytes=model.import_max_upload_mb * MB,
                max_unpacked_bytes=model.import_max_unpacked_mb * MB,
                max_compression_ratio=model.import_max_ratio,
                max_rows=model.import_max_rows,
                max_columns=model.import_max_columns,
                max_cell_chars=model.import_max_cell_chars,
            ),
        }
        return cls(**{**values, **derived})

    def environment_values(self) -> dict[str, Any]:
        """Each EnvironmentSettings field's effective value, in the environment's units (the console shows these)."""
        limits = self.import_limits
        converted = {
            "audio_max_upload_mb": self.audio_max_upload_bytes // MB,
            "import_max_upload_mb": limits.max_upload_bytes // MB,
            "import_max_unpacked_mb": limits.max_unpacked_bytes // MB,
            "import_max_ratio": limits.max_compression_ratio,
            "import_max_rows": limits.max_rows,
            "import_max_columns": limits.max_columns,
            "import_max_cell_chars": limits.max_cell_chars,
            "import_inline_max_kb": self.import_inline_max_bytes // 1024,
            "simulator_call_key": self.simulator_call_key or "none",
        }
        return {name: converted.get(name, getattr(self, name, None)) for name in EnvironmentSettings.model_fields}

    @property
    def uses_embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def embedded_redis_path(self) -> Path:
        return self.var_dir / "redis.rdb"

    @property
    def audio_dir(self) -> Path:
        """The content-addressed audio store: `<var_dir>/audio/<sha[:2]>/<sha>.mp3`."""
        return self.var_dir / "audio"

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def kannel_configured(self) -> bool:
        return bool(self.kannel_sendsms_url)

    @property
    def sms_route_table(self) -> tuple[tuple[str, str], ...]:
        """(E.164 prefix or "*", channel) pairs: GRIDCAST_SMS_ROUTES, else every number through the one channel."""
        if self.sms_routes:
            return self.sms_routes
        return (("*", "twilio" if self.twilio_configured else "kannel" if self.kannel_configured else "simulator"),)

    @property
    def outbox_ttl(self) -> timedelta | None:
        """How long a routine outbox row may wait for its send (None: for ever)."""
        return timedelta(hours=self.outbox_ttl_hours) if self.outbox_ttl_hours else None

    def sms_rate_for(self, channel: str) -> float:
        """Messages per second through `channel`: KANNEL_SMS_RATE for Kannel, GRIDCAST_SMS_RATE otherwise."""
        return self.kannel_rate_per_second if channel == "kannel" else self.sms_rate_per_second


def _cap_sender(public_base_url: str) -> str:
    """The default CAP <sender>: gridcast@ the host of PUBLIC_BASE_URL."""
    host = urlsplit(public_base_url).hostname or "127.0.0.1"
    return f"gridcast@{host}"


def explain(error: pydantic.ValidationError, env: Mapping[str, str]) -> str:
    """One line per refused variable: `NAME='value' must be <what it accepts>` (or the check's own words)."""
    fields = {env_name(info): info for info in EnvironmentSettings.model_fields.values()}
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        message = problem["msg"].removeprefix("Value error, ")
        if name not in fields:
            lines.append(message)
            continue
        hidden = extra(fields[name])["show"] in MAY_HOLD_A_SECRET
        given = name if hidden else f"{name}={env.get(name)!r}"
        if problem["type"] == "value_error":
            lines.append(f"{given} {message}")
        else:
            lines.append(f"{given} must be {allowed_text(fields[name])}")
    return "; ".join(lines)


def allowed_text(info: FieldInfo) -> str:
    """What a setting accepts, in words: "a whole number from 1 to 10", "on or off", "one of 32, 40, ..."."""
    if extra(info).get("allowed"):
        return str(extra(info)["allowed"])
    kind = info.annotation
    if get_origin(kind) in (Union, UnionType):
        kind = next(arg for arg in get_args(kind) if arg is not type(None))
    if kind is bool:
        return "`on` or `off`"
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(f"`{value}`" for value in get_args(kind))
    if kind not in (int, float):
        return "text"
    number = "a whole number" if kind is int else "a number"
    low = next((bound.ge for bound in info.metadata if isinstance(bound, annotated_types.Ge)), None)
    above = next((bound.gt for bound in info.metadata if isinstance(bound, annotated_types.Gt)), None)
    high = next((bound.le for bound in info.metadata if isinstance(bound, annotated_types.Le)), None)
    if low is not None and high is not None:
        return f"{number} from {low} to {high}"
    if above is not None:
        return f"{number} above {above}"
    if low is not None:
        return f"{number}, {low} or more"
    return number


def default_text(info: FieldInfo) -> str:
    """The default, in words, as the docs show it."""
    if extra(info).get("default_text"):
        return str(extra(info)["default_text"])
    value = info.default
    if value is None or value == ():
        return "unset"
    if isinstance(value, bool):
        return "`on`" if value else "`off`"
    if isinstance(value, tuple):
        return "`" + ",".join(str(item) for item in value) + "`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"
