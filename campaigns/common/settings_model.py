"""Every environment variable Gridcast reads, declared once: its name, type, default, bounds, a one-line
description, the console's label and section, and whether it is a secret.

`EnvironmentSettings` is a pydantic-settings model in the operator's units (MB, KB, "on"/"off"). `Settings.from_env`
(campaigns/common/settings.py) validates the environment with it and derives the runtime `Settings` the code reads. The
console's settings page and the table in docs/running.md are generated from these fields; to add a setting, add one
field here (and its runtime attribute in `Settings` when the code reads it under another name or unit).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from campaigns.common.signing import decode_seed

TTS_ENGINES = ("gtts", "espeak")
MP3_BITRATES_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128)
SMS_CHANNELS = ("twilio", "kannel", "simulator")

CHANNELS, SENDING, CALLS, AUDIO, IMPORTS, ACCESS = (
    "Channels",
    "Sending and rates",
    "Voice calls",
    "Audio",
    "Imports",
    "Console and access",
)
SECTIONS = (CHANNELS, SENDING, CALLS, AUDIO, IMPORTS, ACCESS)


def setting(
    default: Any,
    env: str,
    title: str,
    description: str,
    section: str,
    *,
    show: str = "plain",
    default_text: str | None = None,
    allowed: str | None = None,
    **bounds: Any,
) -> Any:
    """One setting: `env` is its variable, `title` the console's label, `show` how the console shows its value
    (plain, secret, url, scheme, redis or routes), `default_text`/`allowed` override the generated docs wording."""
    extra: dict[str, Any] = {"section": section, "show": show, "default_text": default_text, "allowed": allowed}
    return Field(default, validation_alias=env, title=title, description=description, json_schema_extra=extra, **bounds)


class EnvironmentSettings(BaseSettings):
    """Gridcast's environment variables, validated; see campaigns/common/settings.py for the runtime settings."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True)

    # fmt: off
    sms_routes: Annotated[tuple[tuple[str, str], ...], NoDecode] = setting(
        (), "GRIDCAST_SMS_ROUTES", "SMS routes (number prefix → channel)",
        "which SMS channel serves which numbers, longest prefix first: `+86=kannel,*=twilio`; required when "
        "both Twilio and Kannel are set.", CHANNELS, show="routes",
        default_text="unset: every number through the one configured channel",
        allowed="`<+prefix or *>=<twilio|kannel|simulator>`, comma-separated, ending with `*`")
    twilio_account_sid: str | None = setting(
        None, "TWILIO_ACCOUNT_SID", "Twilio account",
        "Twilio account; with `TWILIO_AUTH_TOKEN` it enables the Twilio channel.", CHANNELS, show="set")
    twilio_auth_token: SecretStr | None = setting(
        None, "TWILIO_AUTH_TOKEN", "Twilio auth token", "Twilio auth token (also checks webhook signatures).", CHANNELS,
        show="secret")
    twilio_from_number: str | None = setting(
        None, "TWILIO_FROM_NUMBER", "Twilio sender number", "sender number for SMS and calls.", CHANNELS)
    twilio_messaging_service_sid: str | None = setting(
        None, "TWILIO_MESSAGING_SERVICE_SID", "Twilio messaging service",
        "send SMS through a messaging service instead of a number.", CHANNELS, show="set")
    twilio_api_base: str | None = setting(
        None, "TWILIO_API_BASE", "Twilio API address",
        "another base URL for the Twilio API (a local stand-in in tests).", CHANNELS, show="url")
    kannel_sendsms_url: str | None = setting(
        None, "KANNEL_SENDSMS_URL", "Kannel sendsms address",
        "Kannel's smsbox `sendsms` URL; enables the Kannel channel (docs/kannel.md).", CHANNELS, show="url",
        allowed="an `http://` or `https://` URL")
    kannel_username: str | None = setting(
        None, "KANNEL_USERNAME", "Kannel user", "Kannel's `sendsms-user`; required with `KANNEL_SENDSMS_URL`.",
        CHANNELS, show="set")
    kannel_password: SecretStr | None = setting(
        None, "KANNEL_PASSWORD", "Kannel password", "that user's password; required with `KANNEL_SENDSMS_URL`.",
        CHANNELS, show="secret")
    kannel_from: str | None = setting(None, "KANNEL_FROM", "Kannel sender", "sender number given to Kannel.", CHANNELS)
    kannel_smsc: str | None = setting(
        None, "KANNEL_SMSC", "Kannel SMSC", "the Kannel SMSC (modem or operator link) to send through.", CHANNELS)
    kannel_secret: SecretStr | None = setting(
        None, "KANNEL_WEBHOOK_SECRET", "Kannel callback secret",
        "secret in Kannel's delivery and inbound callback URLs (or use `KANNEL_ALLOWED_IPS`).", CHANNELS, show="secret",
        allowed="at least 16 letters, digits, `-` or `_`")
    kannel_allowed_ips: Annotated[tuple[str, ...], NoDecode] = setting(
        (), "KANNEL_ALLOWED_IPS", "Kannel callback addresses",
        "addresses Kannel's callbacks may come from (or use `KANNEL_WEBHOOK_SECRET`).", CHANNELS,
        allowed="IP addresses or networks, comma-separated")
    kannel_dlr_mask: int = setting(
        31, "KANNEL_DLR_MASK", "Kannel delivery report mask",
        "which delivery reports Kannel sends (a sum of 1, 2, 4, 8 and 16).", CHANNELS, ge=0, le=31)
    public_base_url: str = setting(
        "http://127.0.0.1:8000", "PUBLIC_BASE_URL", "Public address",
        "the address providers and loudspeakers use to reach us (status callbacks, audio downloads).", CHANNELS,
        show="url")

    sms_rate_per_second: float = setting(
        10.0, "GRIDCAST_SMS_RATE", "SMS per second",
        "messages per second through Twilio or the simulator, shared by all workers.", SENDING, gt=0)
    kannel_rate_per_second: float = setting(
        1.0, "KANNEL_SMS_RATE", "Kannel SMS per second",
        "messages per second through Kannel (a GSM modem: 0.1-0.3), shared by all workers.", SENDING, gt=0)
    sms_price_per_segment: float = setting(
        0.05, "GRIDCAST_SMS_PRICE", "Price per SMS segment", "price of one SMS segment, for cost estimates.", SENDING,
        ge=0)
    currency: str = setting("CNY", "GRIDCAST_CURRENCY", "Currency", "currency of the prices.", SENDING)
    send_batch_size: int = setting(
        500, "GRIDCAST_SEND_BATCH", "Send batch size", "outbox rows per send job.", SENDING, gt=0)
    max_attempts: int = setting(
        4, "GRIDCAST_MAX_ATTEMPTS", "Sending attempts", "tries per message before it is marked failed.", SENDING, gt=0)
    lease_seconds: int = setting(
        120, "GRIDCAST_LEASE_SECONDS", "Claim lease (seconds)",
        "how long a worker holds claimed rows before another may take them over.", SENDING, gt=0)
    send_concurrency: int = setting(
        8, "GRIDCAST_SEND_CONCURRENCY", "Parallel sends", "provider requests in flight per send job.", SENDING, gt=0)
    outbox_ttl_hours: float = setting(
        24.0, "GRIDCAST_OUTBOX_TTL_HOURS", "Message time to live (hours)",
        "a message not handed to the provider this long after it was queued (planned, retried) ends `expired`, never "
        "sent late: campaigns' messages, reminders, escalations, auto-replies; a report reminder expires at its "
        "deadline if sooner, an alert's messages (reminders, escalations, visit lists too) with the alert; `0`: "
        "never.", SENDING, ge=0)
    alert_holds_routine: bool = setting(
        False, "GRIDCAST_ALERT_HOLDS_ROUTINE", "Alerts hold routine runs in their area",
        "`on`: while an alert sends, routine messages to the grids it reaches wait (queued) until it is done; "
        "see docs/alerts.md.", SENDING)
    provider_timeout_seconds: float = setting(
        15.0, "GRIDCAST_PROVIDER_TIMEOUT", "Provider timeout (seconds)",
        "seconds to wait for the SMS/voice provider's API.", SENDING, gt=0)
    timezone: str = setting(
        "Asia/Shanghai", "GRIDCAST_TIMEZONE", "Time zone",
        "IANA zone for schedules and \"today\", and the zone the console and the CLI show times in.", SENDING,
        allowed="an IANA time zone such as `Asia/Shanghai`")
    default_region: str = setting(
        "CN", "GRIDCAST_DEFAULT_REGION", "Phone region", "region for phone numbers written without a country code.",
        SENDING, allowed="a two-letter region code")
    auto_replies: bool = setting(
        True, "GRIDCAST_AUTO_REPLIES", "Automatic replies",
        "`off` stops every automatic SMS answer (acknowledgements, help); see docs/replies.md.", SENDING)
    cap_sender: str | None = setting(
        None, "GRIDCAST_CAP_SENDER", "CAP sender", "the `<sender>` of CAP 1.2 exports.", SENDING,
        default_text="`gridcast@` + the host of `PUBLIC_BASE_URL`")
    ebm_resource_code: str | None = setting(
        None, "GRIDCAST_EBM_RESOURCE_CODE", "EBM resource code",
        "the resource code (资源编码) your county's emergency-broadcast platform gave Gridcast: the source and sender "
        "of EBM exports, and the start of their ids (docs/alerts.md).", SENDING, pattern=r"^[0-9]{23}$",
        default_text="unset: EBM export refused", allowed="23 digits")

    call_rate_per_second: float = setting(
        1.0, "GRIDCAST_CALL_RATE", "Calls per second",
        "voice calls started per second, shared by all workers; see docs/voice.md.", CALLS, gt=0)
    max_concurrent_calls: int = setting(
        10, "GRIDCAST_CALL_CONCURRENCY", "Calls at once", "voice calls in progress at once.", CALLS, gt=0)
    call_price_per_minute: float = setting(
        0.1, "GRIDCAST_CALL_PRICE", "Price per call minute",
        "price of one started call minute, for the preview's cost estimate.", CALLS, ge=0)
    call_retry_minutes: float = setting(
        30.0, "GRIDCAST_CALL_RETRY_MINUTES", "Minutes before calling again",
        "wait before calling again after busy, no-answer or failed.", CALLS, gt=0)
    call_max_tries: int = setting(
        3, "GRIDCAST_CALL_MAX_TRIES", "Tries per person", "calls per recipient and run.", CALLS, ge=1, le=10)
    call_announcement_plays: int = setting(
        2, "GRIDCAST_CALL_PLAYS", "Announcement plays", "times a call plays the announcement when answered.", CALLS,
        ge=1, le=10)
    call_prompt_tries: int = setting(
        3, "GRIDCAST_CALL_PROMPT_TRIES", "Prompt rounds",
        "rounds of \"press 1 to confirm, 9 to hear it again\" before goodbye.", CALLS, ge=1, le=10)
    call_ring_seconds: int = setting(
        30, "GRIDCAST_CALL_RING_SECONDS", "Ring time (seconds)", "how long Twilio lets a phone ring.", CALLS, ge=5,
        le=600)
    simulator_call_key: str = setting(
        "1", "GRIDCAST_SIMULATOR_CALL_KEY", "Key the simulated phones press",
        "the key simulated phones press; `staff`: calls wait for staff on the console's phone page (docs/voice.md).",
        CALLS, allowed="one of `0-9`, `*`, `#`, `none`, `staff`")

    tts_engines: Annotated[tuple[Literal["gtts", "espeak"], ...], NoDecode] = setting(
        TTS_ENGINES, "GRIDCAST_TTS_ENGINES", "Speech engines, in order",
        "speech engines in the order they are tried; see docs/audio.md.", AUDIO,
        allowed="`gtts` and/or `espeak`, comma-separated")
    tts_timeout_seconds: float = setting(
        20.0, "GRIDCAST_TTS_TIMEOUT", "Speech timeout (seconds)",
        "seconds gTTS may take before the next engine is used.", AUDIO, gt=0)
    audio_bitrate_kbps: Literal[32, 40, 48, 56, 64, 80, 96, 112, 128] = setting(
        64, "GRIDCAST_AUDIO_BITRATE", "MP3 bit rate (kbit/s)", "MP3 bit rate in kbit/s of every clip (44.1 kHz mono).",
        AUDIO)
    audio_max_upload_mb: int = setting(
        20, "GRIDCAST_AUDIO_MAX_UPLOAD_MB", "Largest upload (MB)", "largest recording accepted, in MB.", AUDIO, gt=0)
    audio_max_seconds: int = setting(
        600, "GRIDCAST_AUDIO_MAX_SECONDS", "Longest recording (seconds)",
        "longest recording or synthesized clip, in seconds.", AUDIO, gt=0)
    speaker_silent_after_minutes: int = setting(
        30, "GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES", "Loudspeaker silent after (minutes)",
        "a loudspeaker not heard from for longer is flagged `silent`; see docs/loudspeakers.md.", AUDIO, gt=0)
    speaker_feed_cache_seconds: float = setting(
        300.0, "GRIDCAST_SPEAKER_FEED_CACHE_SECONDS", "Loudspeaker feed cache (seconds)",
        "longest a speaker's rendered feed is kept in Redis (`0`: never cached).", AUDIO, ge=0)
    speaker_signing_key: SecretStr | None = setting(
        None, "GRIDCAST_SPEAKER_SIGNING_KEY", "Loudspeaker feed signing key",
        "the Ed25519 private key that signs feed v2 items: its 32-byte seed in base64; see docs/loudspeakers.md.",
        AUDIO, show="secret", default_text="unset: made once and kept in `var/speaker-signing-key` (mode 0600)")

    import_max_upload_mb: int = setting(
        20, "GRIDCAST_IMPORT_MAX_UPLOAD_MB", "Largest spreadsheet (MB)",
        "largest spreadsheet upload (API, console, CLI); see docs/importing.md.", IMPORTS, ge=1, le=1024)
    import_max_unpacked_mb: int = setting(
        200, "GRIDCAST_IMPORT_MAX_UNPACKED_MB", "Largest unpacked XLSX (MB)",
        "largest total an XLSX may unpack to, from its zip directory.", IMPORTS, ge=1, le=4096)
    import_max_ratio: int = setting(
        100, "GRIDCAST_IMPORT_MAX_RATIO", "Largest packing ratio",
        "largest packing ratio of an XLSX member above 1 MB (real sheets pack 10-20 to 1).", IMPORTS, ge=10, le=10_000)
    import_max_rows: int = setting(
        200_000, "GRIDCAST_IMPORT_MAX_ROWS", "Most rows",
        "most rows of an import file, header and title rows included.", IMPORTS, ge=2, le=10_000_000)
    import_max_columns: int = setting(
        50, "GRIDCAST_IMPORT_MAX_COLUMNS", "Most columns", "most columns of a row, up to its last non-empty cell.",
        IMPORTS, ge=4, le=1000)
    import_max_cell_chars: int = setting(
        1000, "GRIDCAST_IMPORT_MAX_CELL_CHARS", "Longest cell (characters)", "longest cell, in characters.", IMPORTS,
        ge=100, le=100_000)
    import_inline_max_kb: int = setting(
        256, "GRIDCAST_IMPORT_INLINE_MAX_KB", "Imported in the request up to (KB)",
        "uploads up to this size are imported in the request, larger ones by a worker (`0`: always a worker).", IMPORTS,
        ge=0, le=1024 * 1024)

    approval_threshold: int = setting(
        1000, "GRIDCAST_APPROVAL_THRESHOLD", "Approval threshold (people)",
        "a campaign to more people than this needs a second person's approval (`0`: every campaign).", ACCESS, ge=0)
    session_idle_minutes: int = setting(
        30, "GRIDCAST_SESSION_IDLE_MINUTES", "Idle timeout (minutes)",
        "a console session ends after this long without a request; see docs/console.md.", ACCESS, gt=0)
    secure_cookies: bool | None = setting(
        None, "GRIDCAST_SECURE_COOKIES", "Secure cookies",
        "mark the console's cookies `Secure` (browsers then send them over HTTPS only).", ACCESS,
        default_text="`on` when `PUBLIC_BASE_URL` is `https://`, else `off`")
    login_max_failures: int = setting(
        5, "GRIDCAST_LOGIN_MAX_FAILURES", "Failed logins before a back-off",
        "failed console logins per username and address before each try must wait (1 s, doubling).", ACCESS, gt=0)
    login_window_minutes: int = setting(
        15, "GRIDCAST_LOGIN_WINDOW_MINUTES", "Failed logins remembered (minutes)",
        "how long failed logins are remembered (a success forgets them).", ACCESS, gt=0)
    login_max_delay_seconds: int = setting(
        60, "GRIDCAST_LOGIN_MAX_DELAY_SECONDS", "Longest login back-off (seconds)",
        "the longest wait of that back-off.", ACCESS, ge=1, le=3600)
    auth_failures_per_minute: int = setting(
        20, "GRIDCAST_AUTH_FAILURES_PER_MINUTE", "Failed token checks per minute and address",
        "refused API and loudspeaker tokens per address and minute before that address gets `429` (docs/api.md).",
        ACCESS, ge=1, le=100_000)
    secret_key: SecretStr | None = setting(
        None, "SECRET_KEY", "Secret key",
        "Flask secret, a long random value; the web app refuses to start without it (`gridcast up` keeps its own in "
        "`var/secret-key`).", ACCESS, show="secret", default_text="none: required")
    database_url: str | None = setting(
        None, "DATABASE_URL", "Database", "SQLAlchemy URL; `postgresql://user:pass@host/db` uses psycopg 3.", ACCESS,
        show="scheme", default_text="`sqlite:///$GRIDCAST_VAR_DIR/gridcast.db`")
    redis_url: str | None = setting(
        None, "REDIS_URL", "Redis", "`redis://host:6379/0`, `rediss://...` or `unix:///path/redis.sock`.", ACCESS,
        show="redis", default_text="unset: embedded Redis")
    var_dir: str = setting(
        "var", "GRIDCAST_VAR_DIR", "Local state directory",
        "SQLite database, embedded Redis data, `demo-admin-token` (relative to the working directory).", ACCESS)
    # fmt: on

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("is not a known time zone") from exc
        return value

    @field_validator("default_region")
    @classmethod
    def _region(cls, value: str) -> str:
        if len(value) != 2 or not value.isalpha():
            raise ValueError("must be a two-letter region code such as CN")
        return value.upper()

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("simulator_call_key")
    @classmethod
    def _simulator_key(cls, value: str) -> str:
        key = value.strip().lower()
        if key not in ("none", "staff") and (len(key) != 1 or key not in "0123456789*#"):
            raise ValueError("must be one key (0-9, * or #), none or staff")
        return "" if key == "none" else key

    @field_validator("tts_engines", mode="before")
    @classmethod
    def _engine_list(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        names = tuple(dict.fromkeys(name.strip().lower() for name in value.split(",") if name.strip()))
        if not names or any(name not in TTS_ENGINES for name in names):
            raise ValueError(f"must name engines in order from {', '.join(TTS_ENGINES)}, e.g. gtts,espeak")
        return names

    @field_validator("audio_bitrate_kbps", mode="before")
    @classmethod
    def _bitrate_number(cls, value: Any) -> Any:
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("kannel_sendsms_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.strip().startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL (Kannel's smsbox /cgi-bin/sendsms)")
        return value.strip() if value else None

    @field_validator("kannel_secret")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        text = value.get_secret_value() if value else ""
        if value and (len(text) < 16 or not text.replace("-", "").replace("_", "").isalnum()):
            raise ValueError("must be at least 16 letters, digits, '-' or '_'")
        return value

    @field_validator("speaker_signing_key")
    @classmethod
    def _ed25519_seed(cls, value: SecretStr | None) -> SecretStr | None:
        if value:
            decode_seed(value.get_secret_value())
        return value

    @field_validator("kannel_allowed_ips", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        return tuple(ip_networks(value)) if isinstance(value, str) else value

    @field_validator("sms_routes", mode="before")
    @classmethod
    def _routes(cls, value: Any) -> Any:
        return sms_routes(value) if isinstance(value, str) else value

    @field_validator("*", mode="before")
    @classmethod
    def _without_spaces(cls, value: Any, info: ValidationInfo) -> Any:
        """Spaces around a value are dropped (a blank one is unset); secrets are taken exactly as given. Declared after
        the other checks so that it runs before them (pydantic runs "before" validators last-declared first)."""
        field = cls.model_fields[str(info.field_name)]
        if not isinstance(value, str) or extra(field)["show"] == "secret":
            return value
        return value.strip() or field.default

    @model_validator(mode="after")
    def _channels_fit_together(self) -> EnvironmentSettings:
        url = self.kannel_sendsms_url
        if url and not (self.kannel_username and self.kannel_password):
            raise ValueError("set KANNEL_USERNAME and KANNEL_PASSWORD (Kannel's sendsms-user) with KANNEL_SENDSMS_URL")
        if url and not (self.kannel_secret or self.kannel_allowed_ips):
            raise ValueError("set KANNEL_WEBHOOK_SECRET and/or KANNEL_ALLOWED_IPS to check Kannel's callbacks")
        used = {channel for _, channel in self.sms_routes}
        if "kannel" in used and not url:
            raise ValueError("GRIDCAST_SMS_ROUTES sends numbers to kannel: set KANNEL_SENDSMS_URL")
        if "twilio" in used and not (self.twilio_account_sid and self.twilio_auth_token):
            raise ValueError(
                "GRIDCAST_SMS_ROUTES sends numbers to twilio: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
            )
        if url and self.twilio_account_sid and not self.sms_routes:
            raise ValueError("both Kannel and Twilio are set: say which numbers each serves in GRIDCAST_SMS_ROUTES")
        return self

    @classmethod
    def from_mapping(cls, environ: Mapping[str, str]) -> EnvironmentSettings:
        """Validate `environ` (variable -> text) as the environment, ignoring the process's own."""
        source = _MappingEnvSource(cls, environ)
        # pydantic-settings takes the sources of one call through this keyword; its stubs do not declare it.
        return cls(_build_sources=((source,), {}))  # type: ignore[call-arg]


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


def env_name(info: FieldInfo) -> str:
    """The environment variable of a field of EnvironmentSettings."""
    return str(info.validation_alias)


def extra(info: FieldInfo) -> dict[str, Any]:
    """The field's section, console display (`show`) and docs wording overrides."""
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def sms_routes(raw: str) -> tuple[tuple[str, str], ...]:
    """GRIDCAST_SMS_ROUTES "+86=kannel,*=twilio" -> (("+86", "kannel"), ("*", "twilio")); "*" is required."""
    routes = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        prefix, _, channel = (piece.strip() for piece in item.partition("="))
        channel = channel.lower()
        if channel not in SMS_CHANNELS or not (prefix == "*" or (prefix[:1] == "+" and prefix[1:].isdigit())):
            raise ValueError(
                f"has {item!r}: each route must be <+prefix or *>=<{'|'.join(SMS_CHANNELS)}>, e.g. +86=kannel"
            )
        routes.append((prefix, channel))
    if routes and "*" not in {prefix for prefix, _ in routes}:
        raise ValueError("must end with a route for every other number, e.g. *=twilio")
    if len({prefix for prefix, _ in routes}) != len(routes):
        raise ValueError("names a prefix twice")
    return tuple(routes)


def ip_networks(raw: str) -> list[str]:
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise ValueError(f"{item!r} is not an IP address or network") from exc
    return networks
