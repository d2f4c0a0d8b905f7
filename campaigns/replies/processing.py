"""Processing a received SMS: link it to its sender, classify it, apply what it means, and queue an auto-reply.

What each intent does (the sender is a contact):
- opt_out: the contact is opted out at once (via "sms_stop", at the time the message arrived); the sender skips
  opted-out contacts from then on. The one reply is the opt-out confirmation, and only the first time.
- opt_in: an opted-out contact is opted back in.
- help: a short help text in the contact's language.
- confirm: a `Confirmation` of the run the reply answers (campaigns/replies/confirmations.py `run_awaiting_reply`);
  with no such run the reply is kept for staff review.
- zero_report / incident: `campaigns.reports.daily_reports.record_report` records the grid's report for the day; a
  report confirms its duty's reminder run of the day that reached the contact, if any, and never a campaign's
  run (campaigns/reports/duty_runs.py `awaiting_duty_reminder`). A contact without a report
  duty keeps the reply for staff review (and a "0" still confirms a run that awaits a reply).
- unknown: kept for staff review.
Precedence of the bare digits: "0" is a zero report and "1" a confirmation (the classifier decides that); a "0"
from a contact with no report duty counts as the answer to a run that awaits one, and a "1" with no such run is
only kept. Replies that were fully applied are marked reviewed with a note of what was done; the rest stay
unreviewed, which is what the staff inbox shows by default.

Senders who are not contacts are kept with contact_id NULL (staff can link them later); they get at most one
auto-reply a day (the "not registered" text, or help), and none at all once they have sent an opt-out.
Auto-replies are turned off globally by GRIDCAST_AUTO_REPLIES=off (the caller passes `auto_replies`), and per
language and intent in `auto_reply_texts`; they expire GRIDCAST_OUTBOX_TTL_HOURS after they are queued (the caller
passes `outbox_ttl`). A contact gets at most MAX_REPLIES_PER_DAY auto-replies a day, so two
answering machines cannot keep each other busy.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.delivery.confirmations import record_confirmation
from campaigns.models import Channel, Contact, DailyReport, InboundMessage, Intent, OptOutSource
from campaigns.replies.auto_replies import UNREGISTERED, queue_reply, replies_today, reply_text
from campaigns.replies.classify import Classification, classify_reply
from campaigns.replies.confirmations import run_awaiting_reply
from campaigns.replies.inbound import contact_for_phone
from campaigns.replies.keywords import OPT_IN_DIGIT, keywords_for
from campaigns.reports.daily_reports import record_report, reporting_duties
from campaigns.reports.duty_runs import awaiting_duty_reminder

MAX_REPLIES_PER_DAY = 3
SWEEP_GRACE = timedelta(minutes=1)
UNKNOWN_SENDER_REPLIES_PER_DAY = 1
_TIBETAN = re.compile(r"[\u0f00-\u0fff]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass
class ProcessSummary:
    """What processing one received SMS did."""

    inbound_id: int
    status: str = "processed"
    intent: str | None = None
    counts: dict | None = None
    contact_id: int | None = None
    confirmed_run_id: int | None = None
    report_id: int | None = None
    opted_out: bool = False
    opted_in: bool = False
    reply_run_id: int | None = None
    note: str | None = None


def guess_language(text: str) -> str:
    """The language of a message from an unknown sender, by its script: Tibetan, Chinese, else English if Latin."""
    if _TIBETAN.search(text or ""):
        return "bo"
    if _CJK.search(text or ""):
        return "zh"
    return "en" if _LATIN.search(text or "") else "zh"


def report_fields(session: Session, contact: Contact | None) -> list[dict[str, Any]]:
    """The count fields of the report duties `contact` reports for (most specific duty first, keys once)."""
    if contact is None:
        return []
    fields, keys = [], set()
    for match in reporting_duties(session, contact):
        for field in match.duty.fields or []:
            if isinstance(field, dict) and field.get("key") not in keys:
                keys.add(field.get("key"))
                fields.append(field)
    return fields


def classify_inbound(
    session: Session,
    body: str,
    language: str,
    fields: list[dict],
    grid_path: str | None = None,
    *,
    opted_out: bool = False,
) -> Classification:
    """Classify with the language's keywords, then with every language's when that finds nothing; only the keywords
    that apply to a sender in the grid at `grid_path` count (campaigns/replies/keywords.py).

    For an opted-out contact the opt-in digit (`OPT_IN_DIGIT`, named in the Tibetan opt-out reply) is an opt-in
    keyword too."""
    extra = {Intent.OPT_IN: [OPT_IN_DIGIT]} if opted_out else {}
    result = classify_reply(body, with_words(keywords_for(session, language, grid_path), extra), fields)
    if result.intent == Intent.UNKNOWN:
        result = classify_reply(body, with_words(keywords_for(session, None, grid_path), extra), fields)
    return result


def with_words(keywords: dict[str, list[str]], extra: dict[str, list[str]]) -> dict[str, list[str]]:
    return {intent: [*words, *extra.get(intent, [])] for intent, words in keywords.items()}


def process_inbound(session: Session, inbound_id: int, now: datetime, *, auto_replies: bool = True,
                    outbox_ttl: timedelta | None = None) -> dict:  # fmt: skip
    """Classify received SMS `inbound_id` and apply it; safe to run twice (a processed message is left alone).

    Returns a ProcessSummary as a dict; `reply_run_id` names the auto-reply run whose sending the caller enqueues
    after its commit.
    """
    inbound = session.get(InboundMessage, inbound_id, with_for_update=True)
    if inbound is None:
        return asdict(ProcessSummary(inbound_id, status="missing"))
    if inbound.processed_at is not None:
        return asdict(_summary(inbound, "already processed"))
    contact = session.get(Contact, inbound.contact_id) if inbound.contact_id else None
    contact = contact or contact_for_phone(session, inbound.from_phone)
    inbound.contact_id = contact.id if contact else None
    language = contact.language if contact else guess_language(inbound.body)
    grid_path = contact.grid.path if contact else None
    opted_out = contact is not None and contact.opted_out_at is not None
    fields = report_fields(session, contact)
    result = classify_inbound(session, inbound.body, language, fields, grid_path, opted_out=opted_out)
    inbound.intent, inbound.counts = result.intent, result.counts or None
    summary = _summary(inbound, "processed")
    done = _apply(session, inbound, contact, result, summary) if contact else False
    if contact is None:
        summary.note = "unknown sender: link the phone to a contact"
    if auto_replies:
        summary.reply_run_id = _auto_reply(session, inbound, contact, language, summary, now, outbox_ttl)
    inbound.note = summary.note
    inbound.processed_at = now
    if done and inbound.reviewed_at is None:
        inbound.reviewed_at = now
    session.flush()
    return asdict(summary)


def _summary(inbound: InboundMessage, status: str) -> ProcessSummary:
    return ProcessSummary(
        inbound.id, status=status, intent=inbound.intent, counts=inbound.counts, contact_id=inbound.contact_id,
        confirmed_run_id=inbound.run_id, note=inbound.note,
    )  # fmt: skip


def _apply(session: Session, inbound: InboundMessage, contact: Contact, result: Classification,
           summary: ProcessSummary) -> bool:  # fmt: skip
    """Apply the reply's meaning; True when it needs no human look."""
    at = inbound.received_at
    if result.intent == Intent.OPT_OUT:
        if contact.opted_out_at is None:
            contact.opted_out_at, contact.opted_out_via = at, OptOutSource.SMS_STOP
            summary.opted_out = True
        summary.note = "opted out by SMS"
        return True
    if result.intent == Intent.OPT_IN:
        if contact.opted_out_at is not None:
            contact.opted_out_at, contact.opted_out_via = None, None
            summary.opted_in = True
        summary.note = "opted in by SMS"
        return True
    if result.intent == Intent.HELP:
        summary.note = "asked for help"
        return True
    if result.intent in (Intent.ZERO_REPORT, Intent.INCIDENT):
        report = record_report(
            session, contact=contact, kind=result.intent, counts=result.counts, text=inbound.body, inbound=inbound,
            now=at,
        )  # fmt: skip
        summary.report_id = report.id if report else None
        if report is not None:
            confirmed = _confirm_duty_reminder(session, inbound, contact, report, summary)
            suffix = f", confirmed run {confirmed}" if confirmed else ""
            summary.note = f"daily report {report.id} ({result.intent}){suffix}"
            return True
        confirmed = _confirm(session, inbound, contact, summary)
        summary.note = "no report duty" + (f"; taken as confirming run {confirmed}" if confirmed else "")
        return result.intent == Intent.ZERO_REPORT and confirmed is not None
    if result.intent == Intent.CONFIRM:
        confirmed = _confirm(session, inbound, contact, summary)
        summary.note = f"confirmed run {confirmed}" if confirmed else "no run awaits a reply from this contact"
        return confirmed is not None
    summary.note = "not understood: kept for staff review"
    return False


def _confirm(session: Session, inbound: InboundMessage, contact: Contact, summary: ProcessSummary) -> int | None:
    run_id = run_awaiting_reply(session, contact.id, inbound.received_at)
    if run_id is None:
        return None
    record_confirmation(session, run_id, contact, Channel.SMS, inbound.id, inbound.received_at)
    inbound.run_id = summary.confirmed_run_id = run_id
    return run_id


def _confirm_duty_reminder(session: Session, inbound: InboundMessage, contact: Contact, report: DailyReport,
                           summary: ProcessSummary) -> int | None:  # fmt: skip
    """A daily report answers its duty's reminder of the day that reached the contact, never a campaign run."""
    run_id = awaiting_duty_reminder(session, report.duty_id, report.day, contact.id)
    if run_id is None:
        return None
    record_confirmation(session, run_id, contact, Channel.SMS, inbound.id, inbound.received_at)
    inbound.run_id = summary.confirmed_run_id = run_id
    return run_id


def _auto_reply(session: Session, inbound: InboundMessage, contact: Contact | None, language: str,
                summary: ProcessSummary, now: datetime, ttl: timedelta | None) -> int | None:  # fmt: skip
    phone = inbound.from_phone
    if not phone.startswith("+"):
        return None
    if contact is None:
        if inbound.intent == Intent.OPT_OUT or _unknown_sender_opted_out(session, phone):
            return None
        if replies_today(session, phone, now) >= UNKNOWN_SENDER_REPLIES_PER_DAY:
            return None
        text = reply_text(session, language, Intent.HELP if inbound.intent == Intent.HELP else UNREGISTERED)
        return _queue(session, phone, text, language, None, None, now, ttl)
    if inbound.intent == Intent.OPT_OUT:
        text = reply_text(session, language, Intent.OPT_OUT) if summary.opted_out else None
        return _queue(session, phone, text, language, None, contact.grid_id, now, ttl)
    if contact.opted_out_at is not None or replies_today(session, phone, now) >= MAX_REPLIES_PER_DAY:
        return None
    return _queue(session, phone, reply_text(session, language, inbound.intent), language, contact.id,
                  contact.grid_id, now, ttl)  # fmt: skip


def _queue(session: Session, phone: str, text: str | None, language: str, contact_id: int | None,
           grid_id: int | None, now: datetime, ttl: timedelta | None) -> int | None:  # fmt: skip
    if not text:
        return None
    return queue_reply(session, phone=phone, body=text, language=language, contact_id=contact_id, grid_id=grid_id,
                       at=now, outbox_ttl=ttl)  # fmt: skip


def _unknown_sender_opted_out(session: Session, phone: str) -> bool:
    last = session.scalar(
        select(InboundMessage.intent)
        .where(
            InboundMessage.from_phone == phone,
            InboundMessage.contact_id.is_(None),
            InboundMessage.intent.in_((Intent.OPT_OUT, Intent.OPT_IN)),
        )
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(1)
    )
    return last == Intent.OPT_OUT


def unprocessed_inbound(session: Session, now: datetime, limit: int = 1000) -> list[int]:
    """Received SMS still unprocessed a minute after they arrived (their job was lost): the tick enqueues them."""
    return list(
        session.scalars(
            select(InboundMessage.id)
            .where(InboundMessage.processed_at.is_(None), InboundMessage.received_at < now - SWEEP_GRACE)
            .order_by(InboundMessage.id)
            .limit(limit)
        )
    )
