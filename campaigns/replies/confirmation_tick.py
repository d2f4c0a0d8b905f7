"""Confirmation follow-up, run by the periodic tick: remind those who have not confirmed a run, then tell leaders.

For every recent run of a campaign with a confirmation policy (campaigns/broadcasts/confirmation_policy.py), the
non-confirmers are the contacts with a sent or delivered message in the run and no `Confirmation` for the run or
any of its reminder and escalation runs (a reply to a reminder counts for the run it reminds of). Each step is a
run of the same campaign with `parent_run_id` set: reminder runs resend each non-confirmer's own message; an
escalation run sends each leader of the non-confirmers' grids one SMS listing them by name (the first escalation
goes to the nearest grid at or above theirs with a grid leader, the second to the next one above that; the
policy's `escalate_to` may name liaisons or grid workers as well, each role told by its nearest holders). With a
voice policy (an alert's default) the reminder is a call to those who can be called. A step's run is keyed
"<parent run>:<number>" within its kind, so two ticks never take it twice; it occurs when it is taken.
Steps wait while the campaign's send window is closed. Every step's rows expire by the outbox's one rule
(campaigns.delivery.expiry): an alert's with the alert, whose follow-up stops once it has expired; any other
campaign's `outbox_ttl` after the step is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, func, insert, literal, or_, select, true
from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import ALERT
from campaigns.broadcasts.audiences import reaches_by
from campaigns.broadcasts.confirmation_policy import DEFAULT_ESCALATION_TEXTS
from campaigns.delivery.expiry import outbox_expiry
from campaigns.directory.roles import LEADER_ROLES
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Confirmation,
    Contact,
    Grid,
    OutboxMessage,
    OutboxStatus,
    Run,
    RunKind,
    RunStatus,
)
from campaigns.models.grid import path_ids
from campaigns.runs.notices import (
    Notice,
    create_notice_run,
    fill,
    leaders_of,
    name_list,
    text_for,
    window_is_open,
    write_notices,
)
from campaigns.runs.planning import OUTBOX_COLUMNS
from campaigns.voice.audio_readiness import heard_language_expr, languages_with_audio
from campaigns.voice.voice_campaigns import languages_with_prompts

HORIZON = timedelta(days=14)
ANSWERED_STATUSES = (OutboxStatus.SENT, OutboxStatus.DELIVERED)


@dataclass(frozen=True)
class NonConfirmer:
    contact_id: int
    name: str
    path: str


def confirmation_work_due(session: Session, now: datetime, outbox_ttl: timedelta | None = None) -> list[int]:
    """Take the reminder or escalation step that is due for each run awaiting confirmations (not of an expired
    alert); returns new run ids. The steps' rows of a routine campaign expire `outbox_ttl` later (None: never)."""
    candidates = session.execute(
        select(Run, Campaign)
        .join(Campaign, Campaign.id == Run.campaign_id)
        .where(
            Run.kind == RunKind.REGULAR,
            Run.parent_run_id.is_(None),
            Run.status.in_((RunStatus.SENDING, RunStatus.DONE)),
            Run.occurrence_at >= now - HORIZON,
            Campaign.expects_reply.is_(True),
            Campaign.status.not_in((CampaignStatus.PAUSED, CampaignStatus.CANCELLED)),
            or_(Campaign.kind != ALERT, Campaign.expires_at.is_(None), Campaign.expires_at > now),
        )
        .order_by(Run.id)
    ).all()
    made = []
    for run, campaign in candidates:
        if campaign.confirmation and window_is_open(campaign.send_window, campaign.timezone, now):
            step = _take_due_step(session, run, campaign, campaign.confirmation, now, outbox_ttl)
            if step is not None:
                made.append(step)
    return made


def _take_due_step(session: Session, run: Run, campaign: Campaign, policy: dict, now: datetime,
                   ttl: timedelta | None) -> int | None:  # fmt: skip
    first_sent = session.scalar(select(func.min(OutboxMessage.sent_at)).where(OutboxMessage.run_id == run.id))
    if first_sent is None:
        return None
    family = session.scalars(select(Run).where(Run.parent_run_id == run.id).order_by(Run.created_at, Run.id)).all()
    reminders = [step for step in family if step.kind == RunKind.REMINDER]
    escalations = [step for step in family if step.kind == RunKind.ESCALATION]
    previous = max([first_sent, *(step.created_at for step in family)])
    family_ids = [run.id, *(step.id for step in family)]
    if not escalations and len(reminders) < policy["max_reminders"]:
        if now >= previous + timedelta(minutes=policy["remind_after_minutes"]):
            return _remind(session, run, campaign, len(reminders) + 1, family_ids, now, ttl)
        return None
    delay = policy.get("escalate_after_minutes") if not escalations else None
    if len(escalations) == 1:
        delay = policy.get("escalate_up_after_minutes")
    if delay is None or len(escalations) > 1 or now < previous + timedelta(minutes=delay):
        return None
    return _escalate(session, run, campaign, len(escalations) + 1, family_ids, now, ttl)


def _unconfirmed(run_id: int, family_ids: list[int]):
    confirmed = exists().where(Confirmation.contact_id == OutboxMessage.contact_id, Confirmation.run_id.in_(family_ids))
    return (OutboxMessage.run_id == run_id, OutboxMessage.status.in_(ANSWERED_STATUSES), ~confirmed)


def non_confirmers(session: Session, run_id: int, family_ids: list[int]) -> list[NonConfirmer]:
    """Contacts with a sent or delivered message in the run and no confirmation in its family of runs."""
    rows = session.execute(
        select(Contact.id, Contact.name, Grid.path, Grid.code)
        .join(OutboxMessage, OutboxMessage.contact_id == Contact.id)
        .join(Grid, Grid.id == Contact.grid_id)
        .where(*_unconfirmed(run_id, family_ids))
        .distinct()
        .order_by(Grid.code, Contact.id)
    )
    return [NonConfirmer(contact_id, name, path) for contact_id, name, path, _ in rows]


def _remind(session: Session, run: Run, campaign: Campaign, number: int, family_ids: list[int], now: datetime,
            ttl: timedelta | None):  # fmt: skip
    """A reminder run resending each remindable non-confirmer their own message, or with a voice policy calling
    those who can be called (the others get the SMS again); empty when none can be reached, so that the follow-up
    moves on to the escalation."""
    if not non_confirmers(session, run.id, family_ids):
        return None
    reminder = create_notice_run(
        session, campaign.id, RunKind.REMINDER, f"{run.id}:{number}", now, now, parent_run_id=run.id
    )
    if reminder is None:
        return None
    first_rows = (
        select(func.min(OutboxMessage.id)).where(*_unconfirmed(run.id, family_ids)).group_by(OutboxMessage.contact_id)
    )
    called = _callable(session, campaign) if campaign.confirmation.get("reminder_channel") == "voice" else None
    expiry = literal(outbox_expiry(campaign, now, ttl), OutboxMessage.expires_at.type)
    for channel, language, body, wanted in _reminder_kinds(campaign, called):
        rows = (
            select(
                literal(reminder.id),
                OutboxMessage.contact_id,
                OutboxMessage.grid_id,
                literal(channel),
                Contact.phone,
                language,
                body,
                OutboxMessage.segments if channel == "sms" else literal(1),
                literal("queued"),
                literal(0),
                literal(now, OutboxMessage.next_attempt_at.type),
                expiry,
            )
            .join(Contact, Contact.id == OutboxMessage.contact_id)
            .where(OutboxMessage.id.in_(first_rows), Contact.opted_out_at.is_(None), wanted)
        )
        session.execute(insert(OutboxMessage).from_select([*OUTBOX_COLUMNS, "expires_at"], rows))
    reminder.planned = session.scalar(select(func.count()).where(OutboxMessage.run_id == reminder.id))
    if not reminder.planned:
        reminder.alert = "every non-confirmer has opted out"
    session.flush()
    return reminder.id


def _callable(session: Session, campaign: Campaign) -> ColumnElement[str]:
    """The language a non-confirmer's call plays: one with the campaign's audio and every prompt phrase, else NULL."""
    ready = languages_with_audio(session, campaign.id) & languages_with_prompts(session)
    return heard_language_expr(campaign, ready)


def _reminder_kinds(campaign: Campaign, called: ColumnElement[str] | None):
    """(channel, language, body, condition) of the reminder rows: a call for those `called` can call, else SMS."""
    if called is None:
        return [("sms", OutboxMessage.language, OutboxMessage.body, true())]
    body = case({lang: literal(text) for lang, text in campaign.texts.items()}, value=called, else_=literal(""))
    can_call = and_(reaches_by("voice"), called.is_not(None))
    return [("voice", called, body, can_call), ("sms", OutboxMessage.language, OutboxMessage.body, ~can_call)]


def escalation_targets(people: list[NonConfirmer], leaders: dict[int, list], level: int) -> dict[int, list[str]]:
    """Names of non-confirmers per grid whose leaders are told: the `level`-th grid at or above theirs that has a
    leader other than themselves."""
    targets: dict[int, list[str]] = {}
    for person in people:
        led = [grid_id for grid_id in reversed(path_ids(person.path))
               if any(leader.contact_id != person.contact_id for leader in leaders.get(grid_id, []))]  # fmt: skip
        if len(led) >= level:
            targets.setdefault(led[level - 1], []).append(person.name)
    return targets


def _escalate(session: Session, run: Run, campaign: Campaign, level: int, family_ids: list[int], now: datetime,
              ttl: timedelta | None):  # fmt: skip
    people = non_confirmers(session, run.id, family_ids)
    if not people:
        return None
    escalation = create_notice_run(session, campaign.id, RunKind.ESCALATION, f"{run.id}:{level}", now, now,
                                   parent_run_id=run.id)  # fmt: skip
    if escalation is None:
        return None
    grid_ids = {grid_id for person in people for grid_id in path_ids(person.path)}
    texts = campaign.confirmation.get("escalation_texts") or DEFAULT_ESCALATION_TEXTS
    notices = []
    for role in campaign.confirmation.get("escalate_to") or LEADER_ROLES:
        leaders = leaders_of(session, grid_ids, (role,))
        targets = escalation_targets(people, leaders, level)
        grid_names = dict(session.execute(select(Grid.id, Grid.name).where(Grid.id.in_(list(targets) or [-1]))).all())
        for grid_id, names in targets.items():
            for leader in leaders[grid_id]:
                language, template = text_for(texts, leader.language)
                values = {"name": leader.name, "grid": grid_names[grid_id], "campaign": campaign.name,
                          "count": len(names), "names": name_list(names)}  # fmt: skip
                notices.append(Notice(leader, language, fill(template, values)))
    write_notices(session, escalation, notices, now, outbox_expiry(campaign, now, ttl))
    if not notices:
        escalation.alert = f"no grid leader to tell about {len(people)} non-confirmers"
    return escalation.id
