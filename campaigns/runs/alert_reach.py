"""Who an alert reached: per grid, people with a delivered SMS, an answered call or a confirmation, and the villages
whose loudspeaker played it; how long after approval the first message went, the first loudspeaker played and 90%
of the people were reached; and the grids where nobody was, with the names their liaison must visit.

An alert is counted with its family (campaigns.runs.alerts.alert_family: the alert, its updates and its
all-clear): someone reached by any of their messages was reached. Its runs are the regular runs and the reminder
runs (an SMS again, or the escalation's call); escalation runs go to leaders about others and do not count. A
person's reach time is the first of their delivered SMS, answered call or confirmation. Only grids in the caller's
scope are shown. A drill's dashboard says so (`is_drill`), and drills are never mixed with real alerts: the family
of a drill is all drills.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import ALERT
from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.common.errors import ValidationError
from campaigns.identity.access import Actor, scope_condition
from campaigns.models import (
    Campaign,
    CampaignApproval,
    Confirmation,
    Contact,
    Grid,
    OutboxMessage,
    Run,
    Speaker,
    SpeakerPlay,
)
from campaigns.runs.alerts import alert_family
from campaigns.runs.grid_rollup import roll_up_by_grid

COUNTED_RUN_KINDS = ("regular", "reminder")
ANSWERED_CALL = ("in-progress", "completed")
REACHED_SHARE = 0.9
COUNTS = ("people", "sms_delivered", "calls_answered", "confirmed", "reached", "villages_played")


@dataclass
class Person:
    """One recipient of the alert's family and how they were reached."""

    contact_id: int
    grid_id: int
    sms_delivered: bool = False
    call_answered: bool = False
    confirmed: bool = False
    reached_at: list[datetime] = field(default_factory=list)

    @property
    def reached(self) -> bool:
        return self.sms_delivered or self.call_answered or self.confirmed


def load_alert(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    campaign = load_campaign(session, actor, campaign_id)
    if campaign.kind != ALERT:
        raise ValidationError.coded(
            "alert_reach.campaign_routine_campaign_reach",
            "campaign %(campaign_id)s is a routine campaign: the reach dashboard is for alerts",
            campaign_id=campaign_id,
        )
    return campaign


def family_run_ids(session: Session, members: list[Campaign]) -> list[int]:
    return list(
        session.scalars(
            select(Run.id)
            .where(Run.campaign_id.in_([member.id for member in members]), Run.kind.in_(COUNTED_RUN_KINDS))
            .order_by(Run.id)
        )
    )


def people_of(session: Session, actor: Actor, run_ids: list[int]) -> dict[int, Person]:
    """The family's recipients in the caller's scope, each with what reached them and when."""
    people: dict[int, Person] = {}
    rows = session.execute(
        select(
            OutboxMessage.contact_id,
            OutboxMessage.grid_id,
            OutboxMessage.channel,
            OutboxMessage.status,
            OutboxMessage.call_status,
            func.coalesce(OutboxMessage.finished_at, OutboxMessage.updated_at, OutboxMessage.sent_at),
        )
        .join(Grid, Grid.id == OutboxMessage.grid_id)
        .where(
            OutboxMessage.run_id.in_(run_ids or [-1]),
            OutboxMessage.contact_id.is_not(None),
            OutboxMessage.channel.in_(("sms", "voice")),
            scope_condition(actor, Grid.path),
        )
        .order_by(OutboxMessage.id)
    )
    for contact_id, grid_id, channel, status, call_status, at in rows:
        if contact_id is None:
            continue
        person = people.setdefault(contact_id, Person(contact_id, grid_id))
        if channel == "sms" and status == "delivered":
            person.sms_delivered = True
            person.reached_at += [at] if at else []
        if channel == "voice" and (status == "delivered" or call_status in ANSWERED_CALL):
            person.call_answered = True
            person.reached_at += [at] if at else []
    confirmations = session.execute(
        select(Confirmation.contact_id, func.min(Confirmation.confirmed_at))
        .where(Confirmation.run_id.in_(run_ids or [-1]), Confirmation.contact_id.in_(list(people) or [-1]))
        .group_by(Confirmation.contact_id)
    )
    for contact_id, confirmed_at in confirmations:
        if contact_id in people:
            people[contact_id].confirmed = True
            people[contact_id].reached_at.append(confirmed_at)
    return people


def _plays(session: Session, actor: Actor, run_ids: list[int]) -> dict[int, datetime]:
    """The first play of the family's announcements per village (speaker grid) in the caller's scope."""
    rows = session.execute(
        select(Speaker.grid_id, func.min(SpeakerPlay.played_at))
        .join(Speaker, Speaker.id == SpeakerPlay.speaker_id)
        .join(Grid, Grid.id == Speaker.grid_id)
        .where(SpeakerPlay.run_id.in_(run_ids or [-1]), scope_condition(actor, Grid.path))
        .group_by(Speaker.grid_id)
    )
    return dict(rows.all())


def _by_grid(people: dict[int, Person], plays: dict[int, datetime]) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, int]] = {}
    for person in people.values():
        counts = rows.setdefault(person.grid_id, dict.fromkeys(COUNTS, 0))
        counts["people"] += 1
        for flag in ("sms_delivered", "confirmed", "reached"):
            counts[flag] += int(getattr(person, flag))
        counts["calls_answered"] += int(person.call_answered)
    for grid_id in plays:
        rows.setdefault(grid_id, dict.fromkeys(COUNTS, 0))["villages_played"] += 1
    return [{"grid_id": grid_id, "counts": counts} for grid_id, counts in rows.items()]


def _mark_unreached(nodes: list[dict[str, Any]]) -> None:
    for node in nodes:
        counts = node["counts"]
        node["nobody_reached"] = counts.get("people", 0) > 0 and counts.get("reached", 0) == 0
        _mark_unreached(node["children"])


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return round((end - start).total_seconds(), 1) if start and end else None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def approved_at(session: Session, members: list[Campaign], run_ids: list[int]) -> datetime | None:
    """When the alert was approved (its family's first approval), or launched when no approval was needed."""
    ids = [member.id for member in members]
    approval = session.scalar(
        select(func.min(CampaignApproval.approved_at)).where(CampaignApproval.campaign_id.in_(ids))
    )
    launched = session.scalar(select(func.min(Run.created_at)).where(Run.id.in_(run_ids or [-1])))
    return approval or launched


def unreached_people(session: Session, people: dict[int, Person], grid_ids: set[int]) -> dict[int, list[dict]]:
    """The recipients in `grid_ids` nobody reached, per grid, with name, phone and role, in name order."""
    wanted = [person.contact_id for person in people.values() if person.grid_id in grid_ids and not person.reached]
    found: dict[int, list[dict]] = {}
    contacts = session.scalars(select(Contact).where(Contact.id.in_(wanted or [-1])).order_by(Contact.name, Contact.id))
    for contact in contacts:
        found.setdefault(people[contact.id].grid_id, []).append(
            {"contact_id": contact.id, "name": contact.name, "phone": contact.phone, "role": contact.role}
        )
    return found


def nobody_reached_grids(people: dict[int, Person]) -> set[int]:
    """The recipients' own grids where not one person was reached."""
    grids: dict[int, bool] = {}
    for person in people.values():
        grids[person.grid_id] = grids.get(person.grid_id, False) or person.reached
    return {grid_id for grid_id, any_reached in grids.items() if not any_reached}


def alert_reach(session: Session, actor: Actor, campaign_id: int, now: datetime) -> dict[str, Any]:
    """The alert's reach dashboard (see the module docstring), as of `now`."""
    campaign = load_alert(session, actor, campaign_id)
    members = [campaign, *alert_family(session, campaign)]
    run_ids = family_run_ids(session, members)
    people = people_of(session, actor, run_ids)
    plays = _plays(session, actor, run_ids)
    by_grid = _by_grid(people, plays)
    tree = roll_up_by_grid(session, by_grid)
    _mark_unreached(tree)
    start = approved_at(session, members, run_ids)
    first_message = session.scalar(
        select(func.min(OutboxMessage.sent_at)).where(OutboxMessage.run_id.in_(run_ids or [-1]))
    )
    first_play = min(plays.values(), default=None)
    times = sorted(min(person.reached_at) for person in people.values() if person.reached_at)
    needed = math.ceil(REACHED_SHARE * len(people))
    ninety = times[needed - 1] if people and len(times) >= needed else None
    empty = nobody_reached_grids(people)
    names = unreached_people(session, people, empty)
    grids = {grid.id: grid for grid in session.scalars(select(Grid).where(Grid.id.in_(list(empty) or [-1])))}
    unreached = [
        {"grid_id": grid.id, "code": grid.code, "name": grid.name, "people": names.get(grid.id, [])}
        for grid in sorted(grids.values(), key=lambda grid: grid.code)
    ]
    totals = dict.fromkeys(COUNTS, 0)
    for row in by_grid:
        for key, count in row["counts"].items():
            totals[key] += count
    return {
        "campaign_id": campaign.id,
        "name": campaign.name,
        "is_drill": campaign.is_drill,
        "family": [
            {"id": member.id, "name": member.name, "msg_type": member.msg_type or "alert", "status": member.status}
            for member in sorted(members, key=lambda member: member.id)
        ],
        "as_of": now.isoformat(),
        "totals": totals,
        "times": {
            "approved_at": _iso(start),
            "first_message_at": _iso(first_message),
            "first_loudspeaker_at": _iso(first_play),
            "ninety_percent_at": _iso(ninety),
            "to_first_message_seconds": _seconds(start, first_message),
            "to_first_loudspeaker_seconds": _seconds(start, first_play),
            "to_ninety_percent_seconds": _seconds(start, ninety),
        },
        "grids": tree,
        "villages_played": [
            {"grid_id": grid_id, "played_at": played.isoformat()}
            for grid_id, played in sorted(plays.items(), key=lambda item: item[1])
        ],
        "nobody_reached": unreached,
    }
