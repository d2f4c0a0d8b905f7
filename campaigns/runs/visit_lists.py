"""Sending a grid's liaison the names of the alert's recipients there whom nothing reached, so they go door to door.

Staff ask for it from the alert's reach dashboard (campaigns/runs/alert_reach.py) for a grid where nobody was
reached. The list goes by SMS, through the normal outbox as a system notice (campaigns/runs/notices.py): an
escalation run of the alert with no parent run (so the confirmation follow-up does not count it as one of its
steps), keyed "visit:<grid id>:<number>". It goes to the liaisons of the nearest grid at or above that has one,
else to the grid leaders of the nearest grid that has one; never to the people on the list. A drill's list is
marked as a drill. Each list sent is written to the audit log (phones masked). The list expires with the alert
(campaigns.delivery.expiry), so none is sent for an alert that has expired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaigns.broadcasts.alert_fields import mark_drill
from campaigns.common.errors import Conflict, NotFound
from campaigns.common.phones import mask_phone
from campaigns.delivery.expiry import outbox_expiry
from campaigns.identity.access import Actor, require_write
from campaigns.identity.audit import record_action
from campaigns.models import Grid, Run
from campaigns.models.grid import path_ids
from campaigns.runs.alert_reach import family_run_ids, load_alert, nobody_reached_grids, people_of, unreached_people
from campaigns.runs.alerts import alert_family
from campaigns.runs.notices import Notice, Recipient, create_notice_run, fill, leaders_of, name_list, write_notices

VISIT_TEXT = "{name}：{event}预警「{campaign}」在{grid}无人收到（{count}人），请上门告知：{names}"
VISIT_ROLES = (("liaison",), ("grid_leader",))


def visit_recipients(session: Session, grid: Grid, excluded: set[int]) -> list[Recipient]:
    """The liaisons of the nearest grid at or above `grid` with one, else the nearest grid leaders; SMS only."""
    chain = list(reversed(path_ids(grid.path)))
    for roles in VISIT_ROLES:
        found = leaders_of(session, chain, roles)
        for grid_id in chain:
            people = [person for person in found.get(grid_id, []) if person.contact_id not in excluded]
            if people:
                return people
    return []


def send_visit_list(session: Session, actor: Actor, campaign_id: int, grid_id: int, now: datetime) -> dict[str, Any]:
    """Send the names of grid `grid_id`'s unreached recipients to its liaison by SMS; Conflict when the alert has
    expired, when someone there was reached (or nobody there was sent the alert) or when nobody can be told."""
    require_write(actor)
    campaign = load_alert(session, actor, campaign_id)
    if campaign.expires_at is not None and campaign.expires_at <= now:
        raise Conflict.coded(
            "visit_list.alert_expired",
            "the alert expired at %(expires_at)s: its visit list would never be sent",
            expires_at=campaign.expires_at.isoformat(),
        )
    grid = session.get(Grid, grid_id)
    if grid is None or not actor.sees_path(grid.path):
        raise NotFound.coded("visit_list.grid_not_found", "grid not found")
    run_ids = family_run_ids(session, [campaign, *alert_family(session, campaign)])
    people = people_of(session, actor, run_ids)
    if grid.id not in nobody_reached_grids(people):
        raise Conflict.coded(
            "visit_list.alert_reached_someone_there",
            "%(name)s: the alert reached someone there (or was sent to nobody there)",
            name=grid.name,
        )
    names = unreached_people(session, people, {grid.id})[grid.id]
    recipients = visit_recipients(session, grid, {person["contact_id"] for person in names})
    if not recipients:
        raise Conflict.coded(
            "visit_list.no_liaison_grid_leader",
            "%(name)s: no liaison or grid leader above it can be reached by SMS",
            name=grid.name,
        )
    number = 1 + (session.scalar(select(func.count()).where(Run.campaign_id == campaign.id,
                                                            Run.run_key.like(f"visit:{grid.id}:%"))) or 0)  # fmt: skip
    run = create_notice_run(session, campaign.id, "escalation", f"visit:{grid.id}:{number}", now, now)
    if run is None:
        raise Conflict.coded(
            "visit_list.another_visit_list_grid", "another visit list for this grid is being sent: try again"
        )
    values = {"event": campaign.event_type, "campaign": campaign.name, "grid": grid.name, "count": len(names),
              "names": name_list(person["name"] for person in names)}  # fmt: skip
    notices = []
    for recipient in recipients:
        body = fill(VISIT_TEXT, {**values, "name": recipient.name})
        notices.append(Notice(recipient, "zh", mark_drill({"zh": body}, campaign.is_drill)["zh"]))
    write_notices(session, run, notices, now, outbox_expiry(campaign, now, None))  # an alert's: no time to live
    sent_to = [{"contact_id": person.contact_id, "name": person.name, "phone": mask_phone(person.phone)}
               for person in recipients]  # fmt: skip
    record_action(session, actor, "alert.visit_list", now, grid_id=grid.id, target=f"campaign {campaign.id}",
                  detail={"run_id": run.id, "grid": grid.code, "names": len(names), "sent_to": sent_to})  # fmt: skip
    return {"run_id": run.id, "grid_id": grid.id, "names": [person["name"] for person in names], "sent_to": sent_to}
