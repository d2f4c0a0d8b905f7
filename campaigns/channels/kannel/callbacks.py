"""What Kannel calls us with: delivery reports (its dlr-url) and incoming SMS (its sms-service get-url/post-url).

Delivery reports carry Kannel's numeric DLR type: 1 delivered to the phone, 2 not delivered to the phone, 4 queued
at the SMSC (buffered), 8 delivered to the SMSC (submitted), 16 rejected by the SMSC. They are read here
(`delivery_report`) and applied by `campaigns.delivery.status_updates.apply_kannel_report`, forward-only, so a
repeated or late report changes nothing.

Incoming texts arrive as bytes in the charset Kannel names (`%C`) and the coding of the SMS (`%c`: 0 GSM-7, 1 8-bit,
2 UCS-2): without `mo-recode`, a Chinese or Tibetan SMS comes as UTF-16BE bytes, so the text is decoded here, never
by a web framework that assumes UTF-8. A message's id is Kannel's own (`%I`) when the URL carries it, otherwise a
hash of sender, receiver, the SMSC's time (`%t`) and text, so Kannel's retries of one message are stored once.
Without `%I` and `%t` nothing tells two identical texts apart (a herder's "0" today and tomorrow), so such texts are
merged only within `DEDUP_WINDOW` of each other: Kannel's retries come within seconds, the next report days later.
`campaigns.replies.inbound.record_kannel_sms` stores them.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

KANNEL = "kannel"
DEDUP_WINDOW = timedelta(minutes=10)  # identical texts without %I or %t are merged only this close together
DLR_TYPES = {
    1: ("delivered", None),
    2: ("undelivered", "kannel-dlr-2"),
    4: ("queued", None),
    8: ("sent", None),
    16: ("failed", "kannel-dlr-16"),
}
DLR_MEANING = {1: "delivered to the phone", 2: "not delivered to the phone", 4: "queued at the SMSC",
               8: "accepted by the SMSC", 16: "rejected by the SMSC"}  # fmt: skip
UCS2_CHARSETS = {"utf-16be", "utf-16", "ucs-2", "ucs2", "ucs-2be", "unicodebig"}


def dlr_status(dlr_type: str) -> tuple[str, str | None] | None:
    """The provider status (Twilio's words, as `apply_status` takes them) and error code of a DLR type; None when
    the type is not one of Kannel's."""
    text = str(dlr_type or "").strip()
    if not text.isdigit():
        return None
    return DLR_TYPES.get(int(text))


@dataclass(frozen=True)
class DeliveryReport:
    """A Kannel delivery report in `apply_status`'s words: the status, the error code and, for a failure, the reason
    (with the SMSC's answer)."""

    status: str
    error_code: str | None = None
    reason: str | None = None


def delivery_report(dlr_type: str, answer: str | None) -> DeliveryReport:
    """Read one delivery report; ValueError when `dlr_type` is not one of Kannel's."""
    mapped = dlr_status(dlr_type)
    if mapped is None:
        raise ValueError(f"not a Kannel DLR type: {dlr_type!r}")
    status, error_code = mapped
    reason = None
    if error_code:
        reason = f"Kannel: {DLR_MEANING[int(dlr_type)]}" + (f" ({answer.strip()[:200]})" if answer else "")
    return DeliveryReport(status, error_code, reason)


def decode_text(raw: bytes, charset: str | None, coding: str | None) -> str:
    """An incoming SMS's text from Kannel's bytes: UCS-2 (coding 2 or a UTF-16 charset) as UTF-16BE, else the
    named charset, else UTF-8; undecodable bytes become U+FFFD rather than failing."""
    name = (charset or "").strip().lower()
    if name in UCS2_CHARSETS or (str(coding or "").strip() == "2" and not name.startswith("utf-8")):
        return raw.decode("utf-16-be", errors="replace")
    try:
        codec = codecs.lookup(name).name if name else "utf-8"
    except LookupError:
        codec = "utf-8"
    return raw.decode(codec, errors="replace")


@dataclass(frozen=True)
class IncomingSms:
    """One SMS Kannel passed on: who sent it, to which number, its text, and a stable id for de-duplication."""

    message_id: str
    sender: str
    receiver: str
    text: str
    previous_id: str | None = None  # a text named by its receiving window: its name in the window before


def incoming_sms(
    kannel_id: str | None,
    sender: str,
    receiver: str,
    sent_at: str | None,
    smsc: str | None,
    text: str,
    received_at: datetime | None = None,
) -> IncomingSms:
    """Name an incoming SMS: Kannel's id (`%I`) when given, else a hash of what identifies it on the network; with
    neither the id nor the SMSC's time, the hash includes the `DEDUP_WINDOW` it was received in (`received_at`)."""
    kannel_id = (kannel_id or "").strip()
    if kannel_id and len(kannel_id) <= 60:
        return IncomingSms(f"I:{kannel_id}", sender.strip(), receiver.strip(), text)
    parts = (sender, receiver, sent_at or "", smsc or "", text)
    if (sent_at or "").strip() or received_at is None:
        return IncomingSms(_hashed("H:", parts), sender.strip(), receiver.strip(), text)
    window = int(received_at.timestamp() // DEDUP_WINDOW.total_seconds())
    return IncomingSms(
        _hashed("W:", (*parts, str(window))),
        sender.strip(),
        receiver.strip(),
        text,
        previous_id=_hashed("W:", (*parts, str(window - 1))),
    )


def _hashed(prefix: str, parts: tuple[str, ...]) -> str:
    material = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return prefix + hashlib.sha256(material).hexdigest()[:48]
