"""A run's progress over time, for its chart: how many messages were handed to the network, delivered and
confirmed by each of a few evenly spaced moments from the run's first send to its end (or now).

One aggregate query per series, a `SUM(CASE ...)` per moment, so a run of any size costs three table passes and the
same SQL works on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from campaigns.identity.access import Actor
from campaigns.models import Confirmation, OutboxMessage, OutboxStatus
from campaigns.runs.progress import load_run

MOMENTS = 24


class RunTimeline(TypedDict):
    """A run's cumulative counts at evenly spaced instants (ISO times), for its chart."""

    run_id: int
    total: int
    times: list[str]
    sent: list[int]
    delivered: list[int]
    confirmed: list[int]


def _cumulative(session: Session, column, moments: list[datetime], *where) -> list[int]:
    sums = [func.coalesce(func.sum(case((column <= moment, 1), else_=0)), 0) for moment in moments]
    return [int(value) for value in session.execute(select(*sums).where(*where)).one()]


def run_timeline(session: Session, actor: Actor, run_id: int, now: datetime, moments: int = MOMENTS) -> RunTimeline:
    """Cumulative counts (`sent`, `delivered`, `confirmed`) at `moments` instants from the first send to the run's
    end (its finish, or `now` while it runs); `times` is empty before anything was sent."""
    run = load_run(session, actor, run_id)
    mine = OutboxMessage.run_id == run.id
    first, last = session.execute(
        select(func.min(OutboxMessage.sent_at), func.max(OutboxMessage.finished_at)).where(mine)
    ).one()
    total = session.scalar(select(func.count()).where(mine)) or 0
    if first is None:
        return {"run_id": run.id, "total": total, "times": [], "sent": [], "delivered": [], "confirmed": []}
    confirmed_last = session.scalar(select(func.max(Confirmation.confirmed_at)).where(Confirmation.run_id == run.id))
    end = now
    if run.finished_at is not None:
        end = min(now, max(moment for moment in (run.finished_at, last, confirmed_last) if moment is not None))
    end = max(end, first + timedelta(seconds=1))
    step = (end - first) / (moments - 1)
    times = [first + step * index for index in range(moments - 1)] + [end]  # the step is rounded to microseconds
    return {
        "run_id": run.id,
        "total": total,
        "times": [moment.isoformat() for moment in times],
        "sent": _cumulative(session, OutboxMessage.sent_at, times, mine),
        "delivered": _cumulative(
            session, OutboxMessage.finished_at, times, mine, OutboxMessage.status == OutboxStatus.DELIVERED
        ),
        "confirmed": _cumulative(session, Confirmation.confirmed_at, times, Confirmation.run_id == run.id),
    }
