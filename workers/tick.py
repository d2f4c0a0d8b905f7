"""The periodic tick: plan due runs, take due report reminders and escalations and confirmation follow-ups, settle
expired leases, expire queued rows whose time has passed, re-enqueue batches whose job vanished, finish runs,
enqueue received SMS and imports whose job was lost.

Everything it needs is in the database, so it rebuilds whatever Redis lost. `run_ticker` runs it every minute in
its own process (`gridcast tick`, the `clock` line of the Procfile, a child of `gridcast up`).
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from campaigns.channels.base import SmsAndVoiceChannel
from campaigns.common.settings import Settings
from campaigns.delivery.dispatch import due_batches, finish_runs
from campaigns.delivery.expiry import expire_queued
from campaigns.delivery.reconcile import reconcile_expired
from campaigns.directory.import_jobs import imports_to_enqueue
from campaigns.replies.confirmation_tick import confirmation_work_due
from campaigns.replies.processing import unprocessed_inbound
from campaigns.reports.report_tick import duty_notices_due
from campaigns.runs.planning import plan_due_runs
from workers.composition import configure
from workers.dispatching import enqueue_batches
from workers.import_queue import enqueue_imports
from workers.inbound import enqueue_inbound
from workers.sending_services import now

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """What one tick did."""

    planned_runs: list[int] = field(default_factory=list)
    expired: int = 0
    notice_runs: list[int] = field(default_factory=list)
    reconciled: dict = field(default_factory=dict)
    enqueued: int = 0
    finished_runs: list[int] = field(default_factory=list)
    inbound_enqueued: int = 0
    imports_enqueued: int = 0


def tick(
    session_factory: sessionmaker[Session],
    channel: SmsAndVoiceChannel,
    connection: Redis,
    settings: Settings,
    now: datetime,
) -> TickReport:
    """One pass of the periodic work; safe to run concurrently with itself and with the workers."""
    report = TickReport()
    with session_factory.begin() as session:
        report.planned_runs = [planned.run_id for planned in plan_due_runs(session, now, settings.outbox_ttl)]
    with session_factory.begin() as session:
        report.notice_runs = duty_notices_due(session, now, settings.outbox_ttl)
    with session_factory.begin() as session:
        report.notice_runs += confirmation_work_due(session, now, settings.outbox_ttl)
    grace = timedelta(seconds=settings.provider_timeout_seconds)
    report.reconciled = asdict(reconcile_expired(session_factory, channel, settings.max_attempts, now, grace=grace))
    with session_factory.begin() as session:
        report.expired = expire_queued(session, now)
    with session_factory() as session:
        batches = due_batches(session, now, settings.send_batch_size)
    report.enqueued = enqueue_batches(connection, batches)
    with session_factory.begin() as session:
        report.finished_runs = finish_runs(session, now)
    with session_factory() as session:
        report.inbound_enqueued = enqueue_inbound(connection, unprocessed_inbound(session, now))
    with session_factory() as session:
        report.imports_enqueued = enqueue_imports(connection, imports_to_enqueue(session, now))
    return report


def run_ticker(settings: Settings, every_seconds: float = 60.0, once: bool = False) -> None:
    """Run `tick` every `every_seconds` until SIGINT/SIGTERM; errors are logged and the next tick tries again."""
    base = configure(settings)
    connection = base.redis()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.is_set():
        try:
            report = tick(base.session_factory, base.sending().channel, connection, settings, now())
            log.info("tick: %s", report)
        except Exception:
            log.exception("tick failed; retrying at the next tick")
            if once:
                raise
        if once:
            return
        stop.wait(every_seconds)
