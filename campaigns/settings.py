"""The one place that reads the environment.

`Settings.from_env()` is called by the entry points (the Flask app factory, the CLI, the worker); everything else
receives the resulting object.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from campaigns.upload_limits import DEFAULT_LIMITS, MB, ImportLimits


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
    speaker_silent_after_minutes: int = 30
    speaker_feed_cache_seconds: float = 300.0
    cap_sender: str = "gridcast@127.0.0.1"
    call_rate_per_second: float = 1.0
    call_price_per_minute: float = 0.1
    max_concurrent_calls: int = 10
    call_retry_minutes: float = 30.0
    call_max_tries: int = 3
    call_announcement_plays: int = 2
    call_prompt_tries: int = 3
    call_ring_seconds: int = 30
    simulator_call_key: str = "1"
    tts_engines: tuple[str, ...] = ("gtts", "espeak")
    audio_bitrate_kbps: int = 64
    audio_max_upload_bytes: int = 20 * 1024 * 1024
    audio_max_seconds: int = 600
    tts_timeout_seconds: float = 20.0
    session_idle_minutes: int = 30
    secure_cookies: bool = False
    login_max_failures: int = 5
    login_window_minutes: int = 15
    login_max_delay_seconds: int = 60
    auth_failures_per_minute: int = 20
    approval_threshold: int = 1000
    kannel_sendsms_url: str | None = None
    kannel_username: str | None = None
    kannel_password: str | None = field(default=None, repr=False)
    kannel_from: str | None = None
    kannel_smsc: str | None = None
    kannel_rate_per_second: float = 1.0
    kannel_dlr_mask: int = 31
    kannel_secret: str | None = field(default=None, repr=False)
    kannel_allowed_ips: tuple[str, ...] = ()
    sms_routes: tuple[tuple[str, str], ...] = ()
    import_limits: ImportLimits = DEFAULT_LIMITS
    import_inline_max_bytes: int = 256 * 1024

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
        public_base_url = (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
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
            speaker_silent_after_minutes=int(_positive(env, "GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES", 30)),
            speaker_feed_cache_seconds=_positive(env, "GRIDCAST_SPEAKER_FEED_CACHE_SECONDS", 300.0, allow_zero=True),
            cap_sender=env.get("GRIDCAST_CAP_SENDER") or _cap_sender(env.get("PUBLIC_BASE_URL")),
            call_rate_per_second=_positive(env, "GRIDCAST_CALL_RATE", 1.0),
            call_price_per_minute=_positive(env, "GRIDCAST_CALL_PRICE", 0.1, allow_zero=True),
            max_concurrent_calls=int(_positive(env, "GRIDCAST_CALL_CONCURRENCY", 10)),
            call_retry_minutes=_positive(env, "GRIDCAST_CALL_RETRY_MINUTES", 30.0),
            call_max_tries=_whole(env, "GRIDCAST_CALL_MAX_TRIES", 3, 1, 10),
            call_announcement_plays=_whole(env, "GRIDCAST_CALL_PLAYS", 2, 1, 10),
            call_prompt_tries=_whole(env, "GRIDCAST_CALL_PROMPT_TRIES", 3, 1, 10),
            call_ring_seconds=_whole(env, "GRIDCAST_CALL_RING_SECONDS", 30, 5, 600),
            simulator_call_key=_simulator_key(env),
            tts_engines=_tts_engines(env),
            audio_bitrate_kbps=_audio_bitrate(env),
            audio_max_upload_bytes=int(_positive(env, "GRIDCAST_AUDIO_MAX_UPLOAD_MB", 20) * 1024 * 1024),
            audio_max_seconds=int(_positive(env, "GRIDCAST_AUDIO_MAX_SECONDS", 600)),
            tts_timeout_seconds=_positive(env, "GRIDCAST_TTS_TIMEOUT", 20.0),
            session_idle_minutes=int(_positive(env, "GRIDCAST_SESSION_IDLE_MINUTES", 30)),
            secure_cookies=_on_off(env, "GRIDCAST_SECURE_COOKIES", public_base_url.startswith("https://")),
            login_max_failures=int(_positive(env, "GRIDCAST_LOGIN_MAX_FAILURES", 5)),
            login_window_minutes=int(_positive(env, "GRIDCAST_LOGIN_WINDOW_MINUTES", 15)),
            login_max_delay_seconds=_whole(env, "GRIDCAST_LOGIN_MAX_DELAY_SECONDS", 60, 1, 3600),
            auth_failures_per_minute=_whole(env, "GRIDCAST_AUTH_FAILURES_PER_MINUTE", 20, 1, 100_000),
            approval_threshold=int(_positive(env, "GRIDCAST_APPROVAL_THRESHOLD", 1000, allow_zero=True)),
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'gridcast.db'}",
            redis_url=env.get("REDIS_URL") or None,
            var_dir=var_dir,
            public_base_url=public_base_url,
            timezone=timezone,
            default_region=region,
            secret_key=env.get("SECRET_KEY") or "",
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            twilio_from_number=env.get("TWILIO_FROM_NUMBER") or None,
            twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            twilio_api_base=env.get("TWILIO_API_BASE") or None,
            **_kannel_settings(env),
            **_import_settings(env),
        )

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

    def sms_rate_for(self, channel: str) -> float:
        """Messages per second through `channel`: KANNEL_SMS_RATE for Kannel, GRIDCAST_SMS_RATE otherwise."""
        return self.kannel_rate_per_second if channel == "kannel" else self.sms_rate_per_second


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


TTS_ENGINES = ("gtts", "espeak")
MP3_BITRATES_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128)


def _tts_engines(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("GRIDCAST_TTS_ENGINES")
    if raw is None or not raw.strip():
        return TTS_ENGINES
    names = tuple(dict.fromkeys(name.strip().lower() for name in raw.split(",") if name.strip()))
    unknown = [name for name in names if name not in TTS_ENGINES]
    if unknown or not names:
        raise SettingsError(
            f"GRIDCAST_TTS_ENGINES={raw!r}: give engines in order from {', '.join(TTS_ENGINES)}, e.g. gtts,espeak"
        )
    return names


def _audio_bitrate(env: Mapping[str, str]) -> int:
    raw = env.get("GRIDCAST_AUDIO_BITRATE")
    if raw in (None, ""):
        return 64
    if not raw.strip().isdigit() or int(raw) not in MP3_BITRATES_KBPS:
        choices = ", ".join(str(rate) for rate in MP3_BITRATES_KBPS)
        raise SettingsError(f"GRIDCAST_AUDIO_BITRATE={raw!r} must be an MP3 bit rate in kbit/s: one of {choices}")
    return int(raw)


def _whole(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name}={raw!r} must be a whole number from {low} to {high}")
    return int(raw)


def _simulator_key(env: Mapping[str, str]) -> str:
    raw = (env.get("GRIDCAST_SIMULATOR_CALL_KEY") or "1").strip().lower()
    if raw not in ("none", "staff") and (len(raw) != 1 or raw not in "0123456789*#"):
        raise SettingsError(f"GRIDCAST_SIMULATOR_CALL_KEY={raw!r} must be one key (0-9, * or #), none or staff")
    return "" if raw == "none" else raw


def _on_off(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "true", "yes", "1"):
        return True
    if raw in ("off", "false", "no", "0"):
        return False
    raise SettingsError(f"{name}={raw!r} must be on or off")


def _cap_sender(public_base_url: str | None) -> str:
    """The default CAP <sender>: gridcast@ the host of PUBLIC_BASE_URL."""
    host = urlsplit(public_base_url or "http://127.0.0.1:8000").hostname or "127.0.0.1"
    return f"gridcast@{host}"


def _import_settings(env: Mapping[str, str]) -> dict:
    """GRIDCAST_IMPORT_*: the import limits (docs/importing.md) and the largest upload imported in the request."""
    limits = ImportLimits(
        max_upload_bytes=_whole(env, "GRIDCAST_IMPORT_MAX_UPLOAD_MB", 20, 1, 1024) * MB,
        max_unpacked_bytes=_whole(env, "GRIDCAST_IMPORT_MAX_UNPACKED_MB", 200, 1, 4096) * MB,
        max_compression_ratio=_whole(env, "GRIDCAST_IMPORT_MAX_RATIO", 100, 10, 10_000),
        max_rows=_whole(env, "GRIDCAST_IMPORT_MAX_ROWS", 200_000, 2, 10_000_000),
        max_columns=_whole(env, "GRIDCAST_IMPORT_MAX_COLUMNS", 50, 4, 1000),
        max_cell_chars=_whole(env, "GRIDCAST_IMPORT_MAX_CELL_CHARS", 1000, 100, 100_000),
    )
    inline = _whole(env, "GRIDCAST_IMPORT_INLINE_MAX_KB", 256, 0, 1024 * 1024) * 1024
    return {"import_limits": limits, "import_inline_max_bytes": inline}


SMS_CHANNELS = ("twilio", "kannel", "simulator")


def _kannel_settings(env: Mapping[str, str]) -> dict:
    """KANNEL_* and GRIDCAST_SMS_ROUTES (docs/kannel.md), validated together."""
    url = (env.get("KANNEL_SENDSMS_URL") or "").strip() or None
    if url and not url.startswith(("http://", "https://")):
        raise SettingsError(f"KANNEL_SENDSMS_URL={url!r} must be an http(s) URL (Kannel's smsbox /cgi-bin/sendsms)")
    secret = env.get("KANNEL_WEBHOOK_SECRET") or None
    allowed = tuple(_ip_networks(env.get("KANNEL_ALLOWED_IPS") or ""))
    if url and not (env.get("KANNEL_USERNAME") and env.get("KANNEL_PASSWORD")):
        raise SettingsError("set KANNEL_USERNAME and KANNEL_PASSWORD (Kannel's sendsms-user) with KANNEL_SENDSMS_URL")
    if url and not (secret or allowed):
        raise SettingsError("set KANNEL_WEBHOOK_SECRET and/or KANNEL_ALLOWED_IPS to check Kannel's callbacks")
    if secret and (len(secret) < 16 or not secret.replace("-", "").replace("_", "").isalnum()):
        raise SettingsError("KANNEL_WEBHOOK_SECRET must be at least 16 letters, digits, '-' or '_'")
    mask = int(_positive(env, "KANNEL_DLR_MASK", 31, allow_zero=True))
    if mask > 31:
        raise SettingsError(f"KANNEL_DLR_MASK={mask} must be a sum of 1, 2, 4, 8 and 16 (at most 31)")
    routes = _sms_routes(env.get("GRIDCAST_SMS_ROUTES") or "")
    used = {channel for _, channel in routes}
    if "kannel" in used and not url:
        raise SettingsError("GRIDCAST_SMS_ROUTES sends numbers to kannel: set KANNEL_SENDSMS_URL")
    if "twilio" in used and not (env.get("TWILIO_ACCOUNT_SID") and env.get("TWILIO_AUTH_TOKEN")):
        raise SettingsError("GRIDCAST_SMS_ROUTES sends numbers to twilio: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
    if url and env.get("TWILIO_ACCOUNT_SID") and not routes:
        raise SettingsError("both Kannel and Twilio are set: say which numbers each serves in GRIDCAST_SMS_ROUTES")
    return {
        "kannel_sendsms_url": url,
        "kannel_username": env.get("KANNEL_USERNAME") or None,
        "kannel_password": env.get("KANNEL_PASSWORD") or None,
        "kannel_from": (env.get("KANNEL_FROM") or "").strip() or None,
        "kannel_smsc": (env.get("KANNEL_SMSC") or "").strip() or None,
        "kannel_rate_per_second": _positive(env, "KANNEL_SMS_RATE", 1.0),
        "kannel_dlr_mask": mask,
        "kannel_secret": secret,
        "kannel_allowed_ips": allowed,
        "sms_routes": routes,
    }


def _sms_routes(raw: str) -> tuple[tuple[str, str], ...]:
    """GRIDCAST_SMS_ROUTES "+86=kannel,*=twilio" -> (("+86", "kannel"), ("*", "twilio")); "*" is required."""
    routes = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        prefix, _, channel = (piece.strip() for piece in item.partition("="))
        channel = channel.lower()
        if channel not in SMS_CHANNELS or not (prefix == "*" or (prefix[:1] == "+" and prefix[1:].isdigit())):
            raise SettingsError(
                f"GRIDCAST_SMS_ROUTES: {item!r} must be <+prefix or *>=<{'|'.join(SMS_CHANNELS)}>, e.g. +86=kannel"
            )
        routes.append((prefix, channel))
    if routes and "*" not in {prefix for prefix, _ in routes}:
        raise SettingsError("GRIDCAST_SMS_ROUTES must end with a route for every other number, e.g. *=twilio")
    if len({prefix for prefix, _ in routes}) != len(routes):
        raise SettingsError("GRIDCAST_SMS_ROUTES names a prefix twice")
    return tuple(routes)


def _ip_networks(raw: str) -> list[str]:
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise SettingsError(f"KANNEL_ALLOWED_IPS: {item!r} is not an IP address or network") from exc
    return networks
