"""The deployment's effective settings as the admins' settings page shows them: sections of (label, environment
variable, value), read-only. Secrets (tokens, passwords, keys) and anything that may carry one (the database and
Redis URLs, a URL's user part or query) are never shown, only whether they are set."""

from __future__ import annotations

from urllib.parse import urlsplit

from campaigns.report_duties import DEFAULT_WINDOW
from campaigns.settings import Settings
from gateway.console.web import _

Row = tuple[str, str, str]


def is_set(value: object) -> str:
    return _("set") if value else _("not set")


def on_off(value: bool) -> str:
    return _("on") if value else _("off")


def plain(value: object) -> str:
    if value is None or value == "" or value == ():
        return "—"
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def url_without_credentials(url: str | None) -> str:
    """scheme://host[:port]/path of `url`: no user, password, query or fragment."""
    if not url:
        return "—"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"


def effective_settings(settings: Settings) -> list[tuple[str, list[Row]]]:
    """The settings page's sections, in the page's language."""
    routes = ", ".join(f"{prefix} → {channel}" for prefix, channel in settings.sms_route_table)
    return [
        (_("Channels"), [
            (_("SMS routes (number prefix → channel)"), "GRIDCAST_SMS_ROUTES", routes),
            (_("Twilio account"), "TWILIO_ACCOUNT_SID", is_set(settings.twilio_account_sid)),
            (_("Twilio auth token"), "TWILIO_AUTH_TOKEN", is_set(settings.twilio_auth_token)),
            (_("Twilio sender number"), "TWILIO_FROM_NUMBER", plain(settings.twilio_from_number)),
            (_("Twilio messaging service"), "TWILIO_MESSAGING_SERVICE_SID",
             is_set(settings.twilio_messaging_service_sid)),
            (_("Twilio API address"), "TWILIO_API_BASE", url_without_credentials(settings.twilio_api_base)),
            (_("Kannel sendsms address"), "KANNEL_SENDSMS_URL", url_without_credentials(settings.kannel_sendsms_url)),
            (_("Kannel user"), "KANNEL_USERNAME", is_set(settings.kannel_username)),
            (_("Kannel password"), "KANNEL_PASSWORD", is_set(settings.kannel_password)),
            (_("Kannel sender"), "KANNEL_FROM", plain(settings.kannel_from)),
            (_("Kannel SMSC"), "KANNEL_SMSC", plain(settings.kannel_smsc)),
            (_("Kannel callback secret"), "KANNEL_WEBHOOK_SECRET", is_set(settings.kannel_secret)),
            (_("Kannel callback addresses"), "KANNEL_ALLOWED_IPS", plain(settings.kannel_allowed_ips)),
            (_("Public address"), "PUBLIC_BASE_URL", url_without_credentials(settings.public_base_url)),
        ]),
        (_("Sending and rates"), [
            (_("SMS per second"), "GRIDCAST_SMS_RATE", plain(settings.sms_rate_per_second)),
            (_("Kannel SMS per second"), "KANNEL_SMS_RATE", plain(settings.kannel_rate_per_second)),
            (_("Price per SMS segment"), "GRIDCAST_SMS_PRICE",
             f"{settings.sms_price_per_segment} {settings.currency}"),
            (_("Send batch size"), "GRIDCAST_SEND_BATCH", plain(settings.send_batch_size)),
            (_("Sending attempts"), "GRIDCAST_MAX_ATTEMPTS", plain(settings.max_attempts)),
            (_("Parallel sends"), "GRIDCAST_SEND_CONCURRENCY", plain(settings.send_concurrency)),
            (_("Provider timeout (seconds)"), "GRIDCAST_PROVIDER_TIMEOUT", plain(settings.provider_timeout_seconds)),
            (_("Time zone"), "GRIDCAST_TIMEZONE", settings.timezone),
            (_("Phone region"), "GRIDCAST_DEFAULT_REGION", settings.default_region),
            (_("Send window of new campaigns"), "", _("any time (set per campaign)")),
            (_("Send window of daily report reminders"), "", f"{DEFAULT_WINDOW['start']}–{DEFAULT_WINDOW['end']}"),
            (_("Automatic replies"), "GRIDCAST_AUTO_REPLIES", on_off(settings.auto_replies)),
        ]),
        (_("Voice calls"), [
            (_("Calls per second"), "GRIDCAST_CALL_RATE", plain(settings.call_rate_per_second)),
            (_("Calls at once"), "GRIDCAST_CALL_CONCURRENCY", plain(settings.max_concurrent_calls)),
            (_("Price per call minute"), "GRIDCAST_CALL_PRICE",
             f"{settings.call_price_per_minute} {settings.currency}"),
            (_("Minutes before calling again"), "GRIDCAST_CALL_RETRY_MINUTES", plain(settings.call_retry_minutes)),
            (_("Tries per person"), "GRIDCAST_CALL_MAX_TRIES", plain(settings.call_max_tries)),
            (_("Announcement plays"), "GRIDCAST_CALL_PLAYS", plain(settings.call_announcement_plays)),
            (_("Prompt rounds"), "GRIDCAST_CALL_PROMPT_TRIES", plain(settings.call_prompt_tries)),
            (_("Ring time (seconds)"), "GRIDCAST_CALL_RING_SECONDS", plain(settings.call_ring_seconds)),
            (_("Key the simulated phones press"), "GRIDCAST_SIMULATOR_CALL_KEY", plain(settings.simulator_call_key)),
        ]),
        (_("Audio"), [
            (_("Speech engines, in order"), "GRIDCAST_TTS_ENGINES", plain(settings.tts_engines)),
            (_("MP3 bit rate (kbit/s)"), "GRIDCAST_AUDIO_BITRATE", plain(settings.audio_bitrate_kbps)),
            (_("Largest upload (MB)"), "GRIDCAST_AUDIO_MAX_UPLOAD_MB", plain(settings.audio_max_upload_bytes // 2**20)),
            (_("Longest recording (seconds)"), "GRIDCAST_AUDIO_MAX_SECONDS", plain(settings.audio_max_seconds)),
            (_("Loudspeaker silent after (minutes)"), "GRIDCAST_SPEAKER_SILENT_AFTER_MINUTES",
             plain(settings.speaker_silent_after_minutes)),
        ]),
        (_("Console and access"), [
            (_("Approval threshold (people)"), "GRIDCAST_APPROVAL_THRESHOLD", plain(settings.approval_threshold)),
            (_("Idle timeout (minutes)"), "GRIDCAST_SESSION_IDLE_MINUTES", plain(settings.session_idle_minutes)),
            (_("Secure cookies"), "GRIDCAST_SECURE_COOKIES", on_off(settings.secure_cookies)),
            (_("Failed logins before a back-off"), "GRIDCAST_LOGIN_MAX_FAILURES", plain(settings.login_max_failures)),
            (_("Failed logins remembered (minutes)"), "GRIDCAST_LOGIN_WINDOW_MINUTES",
             plain(settings.login_window_minutes)),
            (_("Longest login back-off (seconds)"), "GRIDCAST_LOGIN_MAX_DELAY_SECONDS",
             plain(settings.login_max_delay_seconds)),
            (_("Failed token checks per minute and address"), "GRIDCAST_AUTH_FAILURES_PER_MINUTE",
             plain(settings.auth_failures_per_minute)),
            (_("Secret key"), "SECRET_KEY", is_set(settings.secret_key)),
            (_("Database"), "DATABASE_URL", settings.database_url.split(":", 1)[0].split("+", 1)[0]),
            (_("Redis"), "REDIS_URL", is_set(settings.redis_url) if settings.redis_url else _("embedded")),
        ]),
    ]  # fmt: skip
