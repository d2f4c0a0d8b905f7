"""System notices (report reminders, escalations, confirmation reminders) written into the normal outbox.

A notice run is a `Run` of kind "reminder" or "escalation" (a campaign's confirmation follow-up) or
"duty_reminder" or "duty_escalation" (a report duty's), unique per campaign row, kind and natural key, so two ticks
never create the same one; its outbox rows carry bodies rendered here and the expiry of every outbox row
(campaigns.delivery.expiry.outbox_expiry), and the tick's usual batch dispatch sends them through the send window and
rate limit like any other run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.broadcasts.audiences import reaches_by
from campaigns.broadcasts.schedules import window_opens_at
from campaigns.common.errors import ValidationError
from campaigns.common.sms_segments import count_segments
from campaigns.directory.roles import LEADER_ROLES
from campaigns.models import Channel, Contact, OutboxMessage, OutboxStatus, Run, RunStatus

_BRACED = re.compile(r"\{([^{}]*)\}")
NAMES_IN_LIST = 20


@dataclass(frozen=True)
class Recipient:
    """A contact a notice goes to."""

    contact_id: int
    grid_id: int
    name: str
    phone: str
    language: str


@dataclass(frozen=True)
class Notice:
    """One rendered SMS for one recipient."""

    recipient: Recipient
    language: str
    body: str


def fill(template: str, values: dict[str, object]) -> str:
    """Replace each {placeholder} by its value (placeholders were checked when the text was saved)."""
    return _BRACED.sub(lambda match: str(values.get(match.group(1), match.group(0))), template)


def text_for(texts: dict[str, str], language: str) -> tuple[str, str]:
    """(language, text): the contact's language when there is a text for it, else Chinese, else the first."""
    for candidate in (language, "zh", *texts):
        if candidate in texts:
            return candidate, texts[candidate]
    raise ValidationError.coded("notice.no_text", "no text")


def name_list(names: Iterable[str], separator: str = "、") -> str:
    """At most NAMES_IN_LIST names, then "… (+N)" so a long list stays one or two SMS."""
    names = list(names)
    shown = separator.join(names[:NAMES_IN_LIST])
    return shown if len(names) <= NAMES_IN_LIST else f"{shown}…(+{len(names) - NAMES_IN_LIST})"


def window_is_open(window: dict | None, tz_name: str, now: datetime) -> bool:
    return window_opens_at(window, tz_name, now) <= now


def recipient_columns():
    return (Contact.id, Contact.grid_id, Contact.name, Contact.phone, Contact.language)


def reachable_by_sms():
    """Contacts an SMS notice may go to: not opted out, SMS among their channels."""
    return (Contact.opted_out_at.is_(None), reaches_by(Channel.SMS))


def leaders_of(
    session: Session, grid_ids: Iterable[int], roles: Iterable[str] = LEADER_ROLES
) -> dict[int, list[Recipient]]:
    """The grid leaders (or the contacts of other `roles`) reachable by SMS of each grid in `grid_ids`."""
    ids = sorted(set(grid_ids))
    leaders: dict[int, list[Recipient]] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(*recipient_columns())
            .where(Contact.grid_id.in_(ids[start : start + 500]), Contact.role.in_(list(roles)), *reachable_by_sms())
            .order_by(Contact.id)
        )
        for row in rows:
            leaders.setdefault(row.grid_id, []).append(Recipient(*row))
    return leaders


def create_notice_run(session: Session, campaign_id: int, kind: str, run_key: str, occurrence_at: datetime,
                      now: datetime, *, parent_run_id: int | None = None,
                      duty_id: int | None = None) -> Run | None:  # fmt: skip
    """A new sending run for a notice, or None when the key already has one (another tick made it)."""
    try:
        with session.begin_nested():
            run = Run(campaign_id=campaign_id, occurrence_at=occurrence_at, status=RunStatus.SENDING, kind=kind,
                      run_key=run_key, parent_run_id=parent_run_id, duty_id=duty_id, created_at=now)  # fmt: skip
            session.add(run)
            session.flush()
    except IntegrityError:
        return None
    return run


def write_notices(session: Session, run: Run, notices: list[Notice], first_attempt: datetime,
                  expires_at: datetime | None) -> int:  # fmt: skip
    """Insert one queued outbox row per notice (one per contact), expiring at `expires_at` (the caller takes it from
    campaigns.delivery.expiry.outbox_expiry), and set the run's planned count."""
    rows = {}
    for notice in notices:
        rows.setdefault(notice.recipient.contact_id, {
            "run_id": run.id,
            "contact_id": notice.recipient.contact_id,
            "grid_id": notice.recipient.grid_id,
            "channel": Channel.SMS,
            "to": notice.recipient.phone,
            "language": notice.language,
            "body": notice.body,
            "segments": count_segments(notice.body).segments,
            "status": OutboxStatus.QUEUED,
            "attempts": 0,
            "next_attempt_at": first_attempt,
            "expires_at": expires_at,
        })  # fmt: skip
    if rows:
        session.execute(insert(OutboxMessage), list(rows.values()))
    run.planned = len(rows)
    session.flush()
    return run.planned
