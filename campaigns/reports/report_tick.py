"""The daily reports' reminders and escalations (逐级上报), run by the periodic tick.

For each active duty and day: at each reminder time before the deadline, the reporters of the grids that have not
reported get a reminder; after the deadline (plus the first escalation delay) the leaders of the missing grids'
parent grids get one SMS listing them by name, and after each further delay the leaders one level higher (never
above the duty's root grid). Each step happens once: a `DutyNotice` with grid 0 marks the step as taken (the
unique row makes a second tick skip it), and one row per grid records who was reminded or told. Nothing is sent
while the duty's send window is closed; a step that falls in the night is taken when the window opens (a reminder
only if the deadline has not passed by then).

Each step's run is a "duty_reminder" or "duty_escalation" of its duty, keyed by day and step ("2026-11-23
reminder 08:00"), occurring at the step's real time. A paused or ended duty takes no steps. A step's rows expire by
the outbox's one rule (campaigns.delivery.expiry): `outbox_ttl` after the step is taken, and a reminder at the
day's deadline if that comes first (a reminder to report by 10:00 is no use at 10:30, when the escalation goes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaigns.delivery.expiry import outbox_expiry
from campaigns.models import Campaign, Contact, DailyReport, DutyNotice, Grid, ReportDuty
from campaigns.models.grid import path_ids, subtree_bounds
from campaigns.reports.report_duties import duty_campaign
from campaigns.runs.notices import (
    Notice,
    Recipient,
    create_notice_run,
    fill,
    leaders_of,
    name_list,
    reachable_by_sms,
    recipient_columns,
    text_for,
    window_is_open,
    write_notices,
)

STEP_MARKER_GRID = 0


@dataclass(frozen=True)
class Step:
    """One notice step of a duty's day: a reminder at a time, or the escalation `levels_up` levels above."""

    key: str
    kind: str
    due: datetime
    levels_up: int = 0


@dataclass(frozen=True)
class MissingGrid:
    id: int
    path: str
    name: str


def duty_notices_due(session: Session, now: datetime, outbox_ttl: timedelta | None = None) -> list[int]:
    """Take every reminder and escalation step that is due at `now`; returns the ids of the runs created. Their rows
    expire `outbox_ttl` later (None: never), a reminder's at the deadline if that is sooner."""
    run_ids: list[int] = []
    for duty in session.scalars(select(ReportDuty).where(ReportDuty.active.is_(True)).order_by(ReportDuty.id)):
        campaign = duty_campaign(session, duty)
        if not window_is_open(campaign.send_window, campaign.timezone, now):
            continue
        today = now.astimezone(ZoneInfo(duty.timezone)).date()
        for day in (today - timedelta(days=1), today):
            taken = _taken_steps(session, duty.id, day)
            for step in due_steps(duty, day, now):
                if step.key in taken:
                    continue
                if run_id := _take_step(session, duty, campaign, day, step, now, outbox_ttl):
                    run_ids.append(run_id)
    return run_ids


def local_moment(day: date, clock: str, tz_name: str) -> datetime:
    return datetime.combine(day, datetime.strptime(clock, "%H:%M").time(), tzinfo=ZoneInfo(tz_name))


def due_steps(duty: ReportDuty, day: date, now: datetime) -> list[Step]:
    """The steps of `day` due at `now`: the latest reminder time passed before the deadline, and every escalation
    whose time has come. Steps before the duty existed are left out."""
    deadline = local_moment(day, duty.deadline, duty.timezone)
    steps = []
    reminders = [
        moment
        for moment in (local_moment(day, clock, duty.timezone) for clock in duty.reminder_times)
        if duty.created_at <= moment <= now < deadline
    ]
    if reminders:
        latest = max(reminders)
        steps.append(Step(f"reminder {latest:%H:%M}", "reminder", latest))
    if deadline < duty.created_at:
        return steps
    after = timedelta()
    for level, delay in enumerate(duty.escalation_delays, start=1):
        after += timedelta(minutes=delay)
        if deadline + after <= now:
            steps.append(Step(f"escalation {level}", "escalation", deadline + after, level))
    return steps


def _taken_steps(session: Session, duty_id: int, day: date) -> set[str]:
    query = select(DutyNotice.step).where(
        DutyNotice.duty_id == duty_id, DutyNotice.day == day, DutyNotice.grid_id == STEP_MARKER_GRID
    )
    return set(session.scalars(query))


def missing_grids(session: Session, duty: ReportDuty, day: date) -> list[MissingGrid]:
    """The duty's reporting grids with no report for `day`."""
    low, high = subtree_bounds(session.get(Grid, duty.root_grid_id).path)
    reported = exists().where(DailyReport.duty_id == duty.id, DailyReport.day == day, DailyReport.grid_id == Grid.id)
    rows = session.execute(
        select(Grid.id, Grid.path, Grid.name)
        .where(Grid.level_id == duty.level_id, Grid.path >= low, Grid.path < high, ~reported)
        .order_by(Grid.code)
    )
    return [MissingGrid(*row) for row in rows]


def _take_step(session: Session, duty: ReportDuty, campaign: Campaign, day: date, step: Step, now: datetime,
               ttl: timedelta | None):  # fmt: skip
    try:
        with session.begin_nested():
            marker = DutyNotice(duty_id=duty.id, day=day, grid_id=STEP_MARKER_GRID, step=step.key, sent_at=now)
            session.add(marker)
            session.flush()
    except IntegrityError:
        return None
    missing = missing_grids(session, duty, day)
    if step.kind == "reminder":
        notices, records = _reminders(session, duty, day, missing)
    else:
        notices, records = _escalations(session, duty, day, missing, step.levels_up)
    marker.detail = f"{len(missing)} missing, {len(notices)} messages"
    if records:
        session.execute(insert(DutyNotice), [
            {"duty_id": duty.id, "day": day, "grid_id": grid_id, "step": step.key, "sent_at": now, "detail": detail}
            for grid_id, detail in records.items()
        ])  # fmt: skip
    if not notices:
        return None
    run = create_notice_run(session, campaign.id, f"duty_{step.kind}", f"{day.isoformat()} {step.key}",
                            step.due.astimezone(UTC), now, duty_id=duty.id)  # fmt: skip
    if run is None:
        return None
    deadline = local_moment(day, duty.deadline, duty.timezone) if step.kind == "reminder" else None
    write_notices(session, run, notices, now, outbox_expiry(campaign, now, ttl, deadline))
    return run.id


def _values(duty: ReportDuty, day: date, language: str) -> dict[str, object]:
    shown = f"{day.month}月{day.day}日" if language == "zh" else day.isoformat()
    return {"duty": duty.name, "deadline": duty.deadline, "date": shown}


def _reminders(session: Session, duty: ReportDuty, day: date, missing: list[MissingGrid]):
    """One reminder per reporter of each missing grid; records who was reminded per grid."""
    by_id = {grid.id: grid for grid in missing}
    low, high = subtree_bounds(session.get(Grid, duty.root_grid_id).path)
    reporters = session.execute(
        select(*recipient_columns(), Grid.path)
        .join(Grid, Grid.id == Contact.grid_id)
        .where(Grid.path >= low, Grid.path < high, Contact.role.in_(duty.reporter_roles), *reachable_by_sms())
        .order_by(Contact.id)
    )
    notices, reached = [], {grid.id: 0 for grid in missing}
    for *columns, path in reporters:
        grid = next((by_id[grid_id] for grid_id in path_ids(path) if grid_id in by_id), None)
        if grid is None:
            continue
        recipient = Recipient(*columns)
        language, template = text_for(duty.texts["reminder"], recipient.language)
        body = fill(template, {**_values(duty, day, language), "name": recipient.name, "grid": grid.name})
        notices.append(Notice(recipient, language, body))
        reached[grid.id] += 1
    records = {grid_id: f"{count} reporters reminded" if count else "no reporter reachable by SMS"
               for grid_id, count in reached.items()}  # fmt: skip
    return notices, records


def _escalations(session: Session, duty: ReportDuty, day: date, missing: list[MissingGrid], levels_up: int):
    """One SMS to each leader of the grid `levels_up` above each missing grid, listing the missing grids under it."""
    root_path = session.get(Grid, duty.root_grid_id).path
    root_index = len(path_ids(root_path)) - 1
    under: dict[int, list[MissingGrid]] = {}
    for grid in missing:
        ids = path_ids(grid.path)
        index = len(ids) - 1 - levels_up
        if index >= root_index:
            under.setdefault(ids[index], []).append(grid)
    if not under:
        return [], {}
    names = dict(session.execute(select(Grid.id, Grid.name).where(Grid.id.in_(list(under)))).all())
    leaders = leaders_of(session, under)
    notices, records = [], {}
    for target, grids in under.items():
        listed = name_list(grid.name for grid in grids)
        records[target] = listed if leaders.get(target) else f"no leader reachable by SMS: {listed}"
        for leader in leaders.get(target, []):
            language, template = text_for(duty.texts["escalation"], leader.language)
            values = {**_values(duty, day, language), "name": leader.name, "grid": names[target],
                      "count": len(grids), "missing": listed}  # fmt: skip
            notices.append(Notice(leader, language, fill(template, values)))
    return notices, records
