"""Choosing the SMS channel from the settings: Twilio, Kannel or the simulator, or several routed by number."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from campaigns.channels.base import RateLimiter, SmsAndVoiceChannel, SmsChannel, VoiceChannel
from campaigns.channels.calls_attached import WithCalls
from campaigns.channels.kannel.channel import DLR_PATH as KANNEL_DLR_PATH
from campaigns.channels.kannel.channel import KannelChannel
from campaigns.channels.routing import RoutedChannel
from campaigns.channels.twilio.channel import HTTP_LOG, TwilioChannel
from campaigns.channels.twilio.local_http import StandInHttpClient
from campaigns.common.settings import Settings, SettingsError
from campaigns.simulator.calls import SimulatedVoice
from campaigns.simulator.channel import SimulatorChannel
from campaigns.voice.call_flow import CallFlowPolicy
from campaigns.voice.call_status import CallRetryPolicy

STATUS_CALLBACK_PATH = "/twilio/status"
CALL_TWIML_PATH = "/twilio/voice"
CALL_ANSWER_PATH = "/twilio/voice/answer"
CALL_STATUS_PATH = "/twilio/call-status"


def build_sms_channel(
    settings: Settings,
    session_factory: sessionmaker[Session],
    now: Callable[[], datetime],
    limiter_for: Callable[[str], RateLimiter] | None = None,
) -> SmsChannel:
    """The SMS channel of this deployment: the one channel every number goes to, or a RoutedChannel when
    GRIDCAST_SMS_ROUTES sends numbers to several (each paced by `limiter_for(channel name)`, if given).

    Without routes: Twilio when TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set, else Kannel when
    KANNEL_SENDSMS_URL is, else the simulator.
    """
    routes = settings.sms_route_table
    names = list(dict.fromkeys(channel for _, channel in routes))
    if len(names) == 1:
        return build_named_channel(names[0], settings, session_factory, now)
    channels = {name: build_named_channel(name, settings, session_factory, now) for name in names}
    limiters = {name: limiter_for(name) for name in names} if limiter_for else None
    return RoutedChannel(routes, channels, limiters)


def build_named_channel(
    name: str, settings: Settings, session_factory: sessionmaker[Session], now: Callable[[], datetime]
) -> SmsChannel:
    """One channel by name ("twilio", "kannel" or "simulator"), configured from the settings."""
    if name == "kannel":
        if not settings.kannel_sendsms_url:
            raise SettingsError("set KANNEL_SENDSMS_URL to send through Kannel")
        return KannelChannel(
            settings.kannel_sendsms_url,
            settings.kannel_username or "",
            settings.kannel_password or "",
            sender=settings.kannel_from,
            smsc=settings.kannel_smsc,
            dlr_url=settings.public_base_url + KANNEL_DLR_PATH,
            dlr_mask=settings.kannel_dlr_mask,
            secret=settings.kannel_secret,
            timeout=settings.provider_timeout_seconds,
        )
    if name == "simulator" or (name == "twilio" and not settings.twilio_configured):
        return SimulatorChannel(session_factory, now, simulated_voice(settings))
    return _twilio_channel(settings)


def _twilio_channel(settings: Settings) -> TwilioChannel:
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        raise SettingsError("set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to send through Twilio")
    if not (settings.twilio_from_number or settings.twilio_messaging_service_sid):
        raise SettingsError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID to send through Twilio")
    http_client = None
    if settings.twilio_api_base:
        http_client = StandInHttpClient(
            settings.twilio_api_base, timeout=settings.provider_timeout_seconds, logger=HTTP_LOG
        )
    return TwilioChannel(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        from_number=settings.twilio_from_number,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        timeout=settings.provider_timeout_seconds,
        http_client=http_client,
        ring_seconds=settings.call_ring_seconds,
    )


def preload_channels() -> None:
    """Import what the channels would import on first use (twilio loads its REST API lazily, ~0.1 s), so that work
    horses forked from a worker find it loaded; opens no connection."""
    importlib.import_module("twilio.rest.api")


def status_callback_url(settings: Settings) -> str | None:
    """The StatusCallback URL Twilio is given (the sender appends `?o=<outbox id>`); None in simulator mode."""
    if not settings.twilio_configured:
        return None
    return settings.public_base_url + STATUS_CALLBACK_PATH


def with_calls(
    channel: SmsChannel, settings: Settings, session_factory: sessionmaker[Session], now: Callable[[], datetime]
) -> SmsAndVoiceChannel:
    """`channel` itself when it places calls too (Twilio, the simulator); otherwise `channel` with Twilio's calls
    (or the simulator's, without Twilio) attached, so an SMS route through Kannel still leaves calls to Twilio."""
    if isinstance(channel, TwilioChannel | SimulatorChannel):
        return channel
    voice: VoiceChannel
    if settings.twilio_configured:
        voice = _twilio_channel(settings)
    else:
        voice = SimulatorChannel(session_factory, now, simulated_voice(settings))
    return WithCalls(channel, voice)


def call_urls(settings: Settings) -> tuple[str, str] | None:
    """The TwiML URL and the call status URL Twilio is given (the sender appends `?o=<id>&a=<attempt>`); None in
    simulator mode."""
    if not settings.twilio_configured:
        return None
    return settings.public_base_url + CALL_TWIML_PATH, settings.public_base_url + CALL_STATUS_PATH


def call_flow_policy(settings: Settings) -> CallFlowPolicy:
    """What a call plays: GRIDCAST_CALL_PLAYS and GRIDCAST_CALL_PROMPT_TRIES."""
    return CallFlowPolicy(announcement_plays=settings.call_announcement_plays, prompt_tries=settings.call_prompt_tries)


def call_retry_policy(settings: Settings) -> CallRetryPolicy:
    """When unanswered calls are tried again: GRIDCAST_CALL_MAX_TRIES, GRIDCAST_CALL_RETRY_MINUTES."""
    return CallRetryPolicy(max_tries=settings.call_max_tries, delay=timedelta(minutes=settings.call_retry_minutes))


def simulated_voice(settings: Settings) -> SimulatedVoice:
    """How simulated phones take calls: the settings' call flow and retries, pressing GRIDCAST_SIMULATOR_CALL_KEY."""
    return SimulatedVoice(call_flow_policy(settings), call_retry_policy(settings), settings.simulator_call_key)
