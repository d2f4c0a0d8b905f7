"""Choosing the SMS channel from the settings: Twilio when it is configured, the simulator otherwise."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from campaigns.channels.base import SmsChannel
from campaigns.channels.simulator import SimulatorChannel
from campaigns.channels.twilio import HTTP_LOG, TwilioChannel
from campaigns.channels.twilio_http import StandInHttpClient
from campaigns.settings import Settings, SettingsError

STATUS_CALLBACK_PATH = "/twilio/status"


def build_sms_channel(
    settings: Settings, session_factory: sessionmaker[Session], now: Callable[[], datetime]
) -> SmsChannel:
    """A TwilioChannel when TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are set, else a SimulatorChannel.

    With TWILIO_API_BASE set, every Twilio request goes to that local stand-in instead of api.twilio.com.
    """
    if not settings.twilio_configured:
        return SimulatorChannel(session_factory, now)
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
