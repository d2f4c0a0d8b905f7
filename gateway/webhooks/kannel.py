"""Kannel's callbacks: delivery reports at /kannel/dlr (its dlr-url) and incoming SMS at /kannel/incoming (an
sms-service get-url or post-url). GET and POST are both accepted, as Kannel can use either.

Every request must carry the shared secret (`s=KANNEL_WEBHOOK_SECRET` in the URL) when one is set, and come from an
address in KANNEL_ALLOWED_IPS when that is set; otherwise 403 and nothing is stored. Without Kannel configured the
routes are 404. A delivery report is applied forward-only (`apply_kannel_report`); an incoming SMS is stored once
per Kannel message (`record_kannel_sms`, de-duplicated by Kannel's id or a hash) and processed by the same reply job as
Twilio's, so classification, confirmations, reports and opt-outs are one path. Both answer with an empty body: an
sms-service's answer would otherwise be sent back to the phone as an SMS (replies go out through the outbox).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
from urllib.parse import parse_qs

from flask import Response, abort, request

from campaigns.channels.kannel.callbacks import decode_text, dlr_status, incoming_sms
from campaigns.common.errors import ValidationError
from campaigns.common.phones import mask_phone
from campaigns.common.settings import Settings
from campaigns.delivery.status_updates import apply_kannel_report
from campaigns.models.base import utcnow
from campaigns.replies.inbound import record_kannel_sms
from gateway.runtime import current_runtime
from gateway.webhooks import webhooks
from gateway.webhooks.inbound_queue import enqueue_processing

log = logging.getLogger(__name__)

TEXT_FIELDS = ("text", "a", "b")


def require_kannel_caller(settings: Settings, what: str) -> None:
    """Abort unless Kannel is configured and the request carries the secret and comes from an allowed address."""
    if not settings.kannel_configured:
        abort(404)
    if settings.kannel_secret and not hmac.compare_digest(
        request.args.get("s", "").encode("utf-8", "replace"), settings.kannel_secret.encode("utf-8")
    ):
        log.warning("%s without the shared secret refused", what)
        abort(403)
    if settings.kannel_allowed_ips and not _allowed(request.remote_addr, settings.kannel_allowed_ips):
        log.warning("%s from an address outside KANNEL_ALLOWED_IPS refused", what)
        abort(403)


def _allowed(address: str | None, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network) for network in networks)


@webhooks.route("/kannel/dlr", methods=["GET", "POST"])
def kannel_dlr():
    """Apply one Kannel delivery report to the outbox row named by `o`."""
    runtime = current_runtime()
    require_kannel_caller(runtime.settings, "kannel delivery report")
    outbox_id, dlr_type = request.values.get("o", ""), request.values.get("type", "")
    if not re.fullmatch(r"[0-9]{1,18}", outbox_id) or dlr_status(dlr_type) is None:
        abort(400, "a delivery report URL carries ?o=<outbox id>&type=<Kannel DLR type>")
    with runtime.session_factory.begin() as session:
        changed = apply_kannel_report(session, int(outbox_id), dlr_type, request.values.get("answer"), utcnow())
    log.info("kannel dlr %s for outbox %s (changed: %s)", dlr_type, outbox_id, changed)
    return Response("", status=200, mimetype="text/plain")


@webhooks.route("/kannel/incoming", methods=["GET", "POST"])
def kannel_incoming():
    """Store one incoming SMS passed on by Kannel and enqueue its processing."""
    runtime = current_runtime()
    settings = runtime.settings
    require_kannel_caller(settings, "kannel incoming sms")
    fields, now = _fields(), utcnow()
    sender = fields.get("from") or fields.get("p") or ""
    if not sender:
        abort(400, "an incoming SMS needs its sender (%p)")
    message = incoming_sms(
        fields.get("id") or fields.get("I"),
        sender,
        fields.get("to") or fields.get("P") or "",
        fields.get("time") or fields.get("t") or fields.get("T"),
        fields.get("smsc") or fields.get("i"),
        _text(fields),
        received_at=now,
    )
    raw = {key: value for key, value in fields.items() if key not in ("s", *TEXT_FIELDS)}
    raw["text"] = message.text
    try:
        with runtime.session_factory.begin() as session:
            received = record_kannel_sms(session, message, raw, now, settings.default_region)
    except ValidationError:
        abort(400, "the incoming SMS could not be named")
    log.info("kannel incoming sms %s from %s (new: %s)", received.id, mask_phone(message.sender), received.created)
    enqueue_processing(received)
    return Response("", status=200, mimetype="text/plain")


def _fields() -> dict[str, str]:
    """The query's parameters and a post-url's X-Kannel-* headers as UTF-8 text, except the SMS text, kept as
    Latin-1 (one character per byte) so that its bytes survive for decoding with the charset Kannel names."""
    fields: dict[str, str] = {}
    for header, value in request.headers.items():
        if header.lower().startswith("x-kannel-"):
            fields[header[9:].lower()] = _utf8(value)
    query = parse_qs(request.query_string.decode("ascii", "replace"), keep_blank_values=True, encoding="latin-1")
    for key, values in query.items():
        fields[key] = values[0] if key in TEXT_FIELDS else _utf8(values[0])
    return fields


def _text(fields: dict[str, str]) -> str:
    """The SMS text, decoded with Kannel's charset (%C) and coding (%c): from the URL (get-url), else the body."""
    charset, coding = fields.get("C") or fields.get("charset"), fields.get("c") or fields.get("coding")
    for key in TEXT_FIELDS:
        if key in fields:
            return decode_text(fields[key].encode("latin-1"), charset, coding)
    if request.method == "POST":
        return decode_text(request.get_data(), charset or request.mimetype_params.get("charset"), coding)
    return ""


def _utf8(value: str) -> str:
    return value.encode("latin-1", "replace").decode("utf-8", "replace")
