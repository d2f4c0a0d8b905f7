"""Auto-replies: the texts (built-in per language and intent, overridden or turned off in `auto_reply_texts`) and
putting a reply in the outbox.

A reply is an ordinary outbox row, sent by the ordinary sender, in a run of kind "auto_reply". Those runs hang on
one hidden campaign row ("自动回复 / auto-replies", status "system": no campaign page, list or operation shows it;
it only gives the sender its time zone and an always-open window). Each day gets a run, keyed "2026-11-23 #1" and
occurring when its first reply was queued; since the outbox holds one row per run, contact and channel, a
contact's second reply of the day goes into the day's second run ("#2"), and so on. The reply to an opt-out is
addressed by phone only (no contact id): the sender skips opted-out contacts, and this one confirmation must still
go out. A reply expires the routine time to live after it was queued (campaigns.delivery.expiry)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.broadcasts.schedules import check_timezone
from campaigns.common.errors import PermissionDenied, ValidationError
from campaigns.common.languages import normalize_language
from campaigns.common.sms_segments import count_segments
from campaigns.common.text import clean_text
from campaigns.delivery.expiry import outbox_expiry
from campaigns.identity.access import Actor, require_admin
from campaigns.models import (
    AutoReplyText,
    Campaign,
    Channel,
    Intent,
    OutboxMessage,
    OutboxStatus,
    Run,
    RunKind,
    RunStatus,
)
from campaigns.models.campaign import SYSTEM_STATUS

AUTO_REPLY = RunKind.AUTO_REPLY
SYSTEM_CAMPAIGN_NAME = "自动回复 / auto-replies"
SYSTEM_SCHEDULE = {"kind": "auto_replies"}
UNREGISTERED = "unregistered"
# The texts sent back: one per intent, and one to a sender who is not a contact.
REPLY_INTENTS = (*Intent, UNREGISTERED)
FALLBACK_LANGUAGE = "zh"

DEFAULT_REPLIES: dict[str, dict[str, str]] = {
    "zh": {
        Intent.CONFIRM: "已收到您的确认，谢谢！",
        Intent.ZERO_REPORT: "今日零报告已收到，谢谢！",
        Intent.INCIDENT: "您报告的情况已收到，工作人员会尽快跟进。",
        Intent.OPT_OUT: "您已退订本平台短信，回复“订阅”可恢复。",
        Intent.OPT_IN: "您已恢复接收本平台短信，回复TD退订。",
        Intent.HELP: (
            "网格通知：回复1确认收到，回复0报零报告，回复如“返乡2人 发热1人”报告情况，回复TD退订。"
            "急事请直接联系网格员。"
        ),
        Intent.UNKNOWN: "您的消息已收到，工作人员会尽快查看。",
        UNREGISTERED: "本号码未登记在网格通讯录中，请联系您的网格员。",
    },
    "bo": {
        Intent.CONFIRM: "ཐུགས་རྗེ་ཆེ། ཁྱེད་ཀྱི་ལན་འབྱོར་སོང་།",
        Intent.ZERO_REPORT: "དེ་རིང་གི་སྙན་ཞུ་འབྱོར་སོང་། ཐུགས་རྗེ་ཆེ།",
        Intent.INCIDENT: "ཁྱེད་ཀྱི་སྙན་ཞུ་འབྱོར་སོང་། ལས་བྱེད་པས་མྱུར་དུ་ལག་ལེན་བྱེད།",
        Intent.OPT_OUT: "འཕྲིན་ཐུང་མཚམས་བཞག་ཟིན། 9 ཡང་ན་ འགོ་འཛུགས་ ཞེས་ལན་བཏབ་ན་སླར་གསོ་ཐུབ།",
        Intent.OPT_IN: "འཕྲིན་ཐུང་སླར་གསོ་བྱས་ཟིན། མཚམས་འཇོག་ ཞེས་ལན་བཏབ་ན་མཚམས་འཇོག་ཐུབ།",
        Intent.HELP: "1 = འབྱོར་སོང་། 0 = གནད་དོན་མེད། STOP = མཚམས་འཇོག ཛ་དྲག་ཡིན་ན་དྲ་མིག་ལས་བྱེད་པར་འབྲེལ་བ་གནང་།",
        Intent.UNKNOWN: "ཁྱེད་ཀྱི་འཕྲིན་འབྱོར་སོང་། ལས་བྱེད་པས་བལྟ་རྒྱུ་ཡིན།",
        UNREGISTERED: "ཁ་པར་འདི་ཐོ་འགོད་བྱས་མེད། དྲ་མིག་ལས་བྱེད་པར་འབྲེལ་བ་གནང་།",
    },
    "en": {
        Intent.CONFIRM: "Thank you, your confirmation was received.",
        Intent.ZERO_REPORT: "Today's zero report was received, thank you.",
        Intent.INCIDENT: "Your report was received; staff will follow up soon.",
        Intent.OPT_OUT: "You will receive no more messages. Reply START to subscribe again.",
        Intent.OPT_IN: "You will receive messages again. Reply STOP to unsubscribe.",
        Intent.HELP: (
            "Reply 1 to confirm, 0 for a zero report, e.g. 'returnees 2 fever 1' to report, STOP to unsubscribe."
        ),
        Intent.UNKNOWN: "Your message was received; staff will read it soon.",
        UNREGISTERED: "This number is not in the contact list; please contact your grid worker.",
    },
}


def reply_text(session: Session, language: str, intent: str) -> str | None:
    """The reply for `intent` in `language` (falling back to Chinese); None when it is turned off."""
    for lang in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        row = session.scalar(
            select(AutoReplyText).where(AutoReplyText.language == lang, AutoReplyText.intent == intent)
        )
        if row is not None:
            return row.text if row.enabled else None
        if intent in DEFAULT_REPLIES.get(lang, {}):
            return DEFAULT_REPLIES[lang][intent]
    return None


def list_auto_replies(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every language and intent with its effective text, whether it is on, and whether staff changed it."""
    rows = {(row.language, row.intent): row for row in session.scalars(select(AutoReplyText))}
    languages = sorted(set(DEFAULT_REPLIES) | {language for language, _ in rows})
    items = []
    for language in languages:
        for intent in REPLY_INTENTS:
            row = rows.get((language, intent))
            default = DEFAULT_REPLIES.get(language, {}).get(intent)
            if row is None and default is None:
                continue
            items.append({
                "language": language,
                "intent": intent,
                "text": row.text if row else default,
                "enabled": row.enabled if row else True,
                "custom": row is not None,
            })  # fmt: skip
    return items


def set_auto_reply(session: Session, actor: Actor, language: str, intent: str, data: dict[str, Any]) -> dict:
    """Change the text of a reply and/or turn it on or off (unscoped admins only: the texts are global)."""
    require_admin(actor)
    if actor.scope_path is not None:
        raise PermissionDenied.coded(
            "auto_reply.admin_only", "only an admin without a grid scope may change auto-replies"
        )
    language = normalize_language(language)
    if intent not in REPLY_INTENTS:
        raise ValidationError.coded(
            "auto_reply.bad_intent",
            "intent must be one of %(reply_intents)s",
            fields={"intent": "unknown"},
            reply_intents=REPLY_INTENTS,
        )
    if "enabled" in data and not isinstance(data["enabled"], bool):
        raise ValidationError.coded(
            "auto_reply.bad_enabled", "enabled must be true or false", fields={"enabled": "not a boolean"}
        )
    row = session.scalar(
        select(AutoReplyText).where(AutoReplyText.language == language, AutoReplyText.intent == intent)
    )
    text = clean_text(data["text"], "text", max_length=480) if data.get("text") is not None else None
    if row is None:
        text = text or DEFAULT_REPLIES.get(language, {}).get(intent)
        if text is None:
            raise ValidationError.coded(
                "auto_reply.text_required",
                "give the text of the %(intent)s reply in %(language)s",
                fields={"text": "required"},
                intent=intent,
                language=language,
            )
        row = AutoReplyText(language=language, intent=intent, text=text, enabled=True)
        session.add(row)
    elif text is not None:
        row.text = text
    if "enabled" in data:
        row.enabled = data["enabled"]
    session.flush()
    return {"language": language, "intent": intent, "text": row.text, "enabled": row.enabled, "custom": True}


def find_system_campaign(session: Session) -> Campaign | None:
    """The hidden campaign row that carries the auto-reply runs (status "system", like the duties' rows)."""
    for campaign in session.scalars(select(Campaign).where(Campaign.status == SYSTEM_STATUS).order_by(Campaign.id)):
        if campaign.schedule.get("kind") == SYSTEM_SCHEDULE["kind"]:
            return campaign
    return None


def system_campaign(session: Session) -> Campaign:
    """The auto-reply campaign, made on first use."""
    campaign = find_system_campaign(session)
    if campaign is None:
        campaign = Campaign(
            name=SYSTEM_CAMPAIGN_NAME, status=SYSTEM_STATUS, channels=[Channel.SMS.value], audience={}, texts={},
            schedule=dict(SYSTEM_SCHEDULE), expects_reply=False,
        )  # fmt: skip
        session.add(campaign)
        session.flush()
    return campaign


def _day_bounds(campaign: Campaign, at: datetime) -> tuple[datetime, datetime]:
    local = at.astimezone(check_timezone(campaign.timezone))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def replies_today(session: Session, phone: str, at: datetime) -> int:
    """How many auto-replies went (or are going) to `phone` on the day of `at`."""
    campaign = find_system_campaign(session)
    if campaign is None:
        return 0
    start, end = _day_bounds(campaign, at)
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .join(Run, Run.id == OutboxMessage.run_id)
            .where(Run.campaign_id == campaign.id, Run.kind == AUTO_REPLY)
            .where(Run.occurrence_at >= start, Run.occurrence_at < end, OutboxMessage.to == phone)
        )
        or 0
    )


def queue_reply(
    session: Session, *, phone: str, body: str, language: str, contact_id: int | None, grid_id: int | None,
    at: datetime, outbox_ttl: timedelta | None = None,
) -> int:  # fmt: skip
    """Add one reply to the outbox (due at once, expiring `outbox_ttl` later; None: never) in one of today's
    auto-reply runs; returns the run's id.

    The caller enqueues the run's sending after its commit. The run is locked while the row goes in and set
    back to `sending` if it had finished.
    """
    campaign = system_campaign(session)
    for _ in range(10):
        run = _day_run(session, campaign, contact_id, at)
        session.execute(select(Run.id).where(Run.id == run.id).with_for_update())
        session.refresh(run)
        try:
            with session.begin_nested():
                session.add(
                    OutboxMessage(
                        run_id=run.id,
                        contact_id=contact_id,
                        grid_id=grid_id or 0,
                        channel=Channel.SMS,
                        to=phone,
                        language=language,
                        body=body,
                        segments=count_segments(body).segments,
                        status=OutboxStatus.QUEUED,
                        attempts=0,
                        next_attempt_at=at,
                        expires_at=outbox_expiry(campaign, at, outbox_ttl),
                    )
                )
                session.flush()
        except IntegrityError:
            continue
        if run.status != RunStatus.SENDING:
            run.status, run.finished_at = RunStatus.SENDING, None
        run.planned += 1
        session.flush()
        return run.id
    raise RuntimeError(f"no auto-reply run of the day could take a reply to contact {contact_id}")


def _day_run(session: Session, campaign: Campaign, contact_id: int | None, at: datetime) -> Run:
    start, end = _day_bounds(campaign, at)
    runs = list(
        session.scalars(
            select(Run)
            .where(Run.campaign_id == campaign.id, Run.kind == AUTO_REPLY)
            .where(Run.occurrence_at >= start, Run.occurrence_at < end)
            .order_by(Run.occurrence_at, Run.id)
        )
    )
    for run in runs:
        if contact_id is None or not _has_row(session, run.id, contact_id):
            return run
    try:
        with session.begin_nested():
            run = Run(
                campaign_id=campaign.id, occurrence_at=at, status=RunStatus.SENDING, kind=AUTO_REPLY,
                run_key=f"{start.date().isoformat()} #{len(runs) + 1}", planned=0, created_at=at,
            )  # fmt: skip
            session.add(run)
            session.flush()
        return run
    except IntegrityError:
        return _day_run(session, campaign, contact_id, at)


def _has_row(session: Session, run_id: int, contact_id: int) -> bool:
    query = select(OutboxMessage.id).where(
        OutboxMessage.run_id == run_id, OutboxMessage.contact_id == contact_id, OutboxMessage.channel == Channel.SMS
    )
    return session.scalar(query) is not None
