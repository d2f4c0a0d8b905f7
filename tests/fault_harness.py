"""What the fault tests share: a run of a few hundred recipients, real RQ worker subprocesses pointed at the
provider stand-in, the tick driven in a loop in real time, and the end-of-run invariant for every recipient."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, insert, select

from campaigns.common.settings import Settings
from campaigns.identity.access import Actor
from campaigns.models import Contact, OutboxMessage, Run
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from tests.conftest import TEST_REDIS_URL
from tests.factories import make_campaign
from tests.provider_standin import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, ProviderStandIn
from tests.servers import subprocess_env
from workers.channel_factory import build_sms_channel
from workers.queues import SENDS
from workers.tick import tick

PROVIDER_TIMEOUT = 1.0
LEASE_SECONDS = 3
PUBLIC = "https://gridcast.example/gw"
OPEN = ("queued", "sending")


def fault_settings(settings: Settings, standin: ProviderStandIn, **overrides) -> Settings:
    """The test's settings, sending through the stand-in with a short timeout and a short lease."""
    values = {
        "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN,
        "twilio_from_number": FROM_NUMBER,
        "twilio_api_base": standin.url,
        "provider_timeout_seconds": PROVIDER_TIMEOUT,
        "lease_seconds": LEASE_SECONDS,
        "send_batch_size": 50,
        "sms_rate_per_second": 100.0,
        "max_attempts": 4,
        "public_base_url": PUBLIC,
    }
    return dataclasses.replace(settings, **{**values, **overrides})


def worker_env(settings: Settings) -> dict[str, str]:
    """The environment of a `gridcast worker` subprocess with exactly `settings`."""
    return subprocess_env(
        DATABASE_URL=settings.database_url,
        REDIS_URL=TEST_REDIS_URL,
        GRIDCAST_VAR_DIR=str(settings.var_dir),
        TWILIO_ACCOUNT_SID=settings.twilio_account_sid,
        TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
        TWILIO_FROM_NUMBER=settings.twilio_from_number,
        TWILIO_API_BASE=settings.twilio_api_base,
        GRIDCAST_PROVIDER_TIMEOUT=str(settings.provider_timeout_seconds),
        GRIDCAST_LEASE_SECONDS=str(settings.lease_seconds),
        GRIDCAST_SEND_BATCH=str(settings.send_batch_size),
        GRIDCAST_SMS_RATE=str(settings.sms_rate_per_second),
        GRIDCAST_MAX_ATTEMPTS=str(settings.max_attempts),
        GRIDCAST_SEND_CONCURRENCY=str(settings.send_concurrency),
        PUBLIC_BASE_URL=settings.public_base_url,
    )


def start_worker(settings: Settings, log: Path) -> subprocess.Popen:
    """A long-running `gridcast worker` on the sends queue, in its own session; stop it with stop_group."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "gateway.cli", "worker", "--without-scheduler", SENDS],
            env=worker_env(settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def phone(number: int) -> str:
    return f"+86139{number:08d}"


def launch_run(session_factory, tree: dict[str, int], recipients: int) -> int:
    """`recipients` contacts in 秀玛村一组 and a launched SMS campaign to them; returns the run id."""
    grid = tree["62302510120101"]
    rows = [
        {"name": f"牧民{n}", "phone": phone(n), "grid_id": grid, "role": "household_head", "language": "zh",
         "channels": ["sms"]}
        for n in range(recipients)
    ]  # fmt: skip
    with session_factory.begin() as session:
        session.execute(insert(Contact), rows)
        campaign = make_campaign(session, tree)
        planned = launch_campaign(session, Actor.system(), campaign["id"], utcnow())
    assert planned.planned == recipients
    return planned.run_id


def counts(session_factory, run_id: int) -> dict[str, int]:
    with session_factory() as session:
        query = select(OutboxMessage.status, func.count()).where(OutboxMessage.run_id == run_id)
        return dict(session.execute(query.group_by(OutboxMessage.status)).all())


def wait_until(condition, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def tick_once(session_factory, settings: Settings, redis):
    """One tick now, with the channel the workers use: it enqueues the batches of a run just launched."""
    return tick(session_factory, build_sms_channel(settings, session_factory, utcnow), redis, settings, utcnow())


def drive_to_completion(session_factory, settings: Settings, redis, run_id: int, timeout: float = 90) -> int:
    """Run the tick every half second (real time) until the run is done; returns how many ticks it took."""
    channel = build_sms_channel(settings, session_factory, utcnow)
    deadline = time.monotonic() + timeout
    ticks = 0
    while True:
        tick(session_factory, channel, redis, settings, utcnow())
        ticks += 1
        with session_factory() as session:
            status = session.get(Run, run_id).status
        if status == "done":
            return ticks
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id} not done after {timeout} s: {_open_rows(session_factory, run_id)}")
        time.sleep(0.5)


def _open_rows(session_factory, run_id: int) -> str:
    columns = (OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.next_attempt_at,
               OutboxMessage.lease_expires_at, OutboxMessage.error_code)  # fmt: skip
    with session_factory() as session:
        query = select(*columns).where(OutboxMessage.run_id == run_id, OutboxMessage.status.in_(OPEN))
        rows = session.execute(query.limit(10)).all()
    return f"{counts(session_factory, run_id)} at {utcnow():%H:%M:%S}, e.g. {[tuple(row) for row in rows]}"


@dataclass
class Figures:
    """The invariant's figures for one run."""

    recipients: int = 0
    accepted_once: int = 0
    unknown: int = 0
    failed: int = 0
    creates: int = 0
    faults: int = 0
    failed_because: dict[str, int] = dataclasses.field(default_factory=dict)
    failed_numbers: set[str] = dataclasses.field(default_factory=set, repr=False)
    unknown_numbers: set[str] = dataclasses.field(default_factory=set, repr=False)


def check_invariant(session_factory, standin: ProviderStandIn, run_id: int, recipients: int) -> Figures:
    """Every planned recipient has a final row, and that row agrees with what the provider accepted: accepted
    exactly once and sent/delivered/undelivered with that sid, or `unknown` (accepted at most once), or `failed`
    with a reason and never accepted. Nothing accepted twice, nothing accepted that no row asked for."""
    with session_factory() as session:
        rows = session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.contact_id,
                OutboxMessage.to,
                OutboxMessage.body,
                OutboxMessage.status,
                OutboxMessage.provider_sid,
                OutboxMessage.error_message,
            ).where(OutboxMessage.run_id == run_id)
        ).all()
        contacts = set(session.scalars(select(Contact.id)))
    accepted = standin.accepted_by_outbox()
    assert len(rows) == recipients and {row.contact_id for row in rows} == contacts, "a recipient has no row"
    assert set(accepted) <= {row.id for row in rows}, "the provider accepted a message no row asked for"
    problems = []
    figures = Figures(recipients=len(rows), creates=sum(standin.creates.values()))
    figures.faults = figures.creates - standin.faults["ok"]
    for row in rows:
        taken = accepted.get(row.id, [])
        if any((item.to, item.body) != (row.to, row.body) for item in taken):
            problems.append(f"outbox {row.id}: the provider got another number or text")
        if len(taken) > 1:
            problems.append(f"outbox {row.id} ({row.status}): accepted {len(taken)} times")
        elif row.status in ("sent", "delivered", "undelivered"):
            if [item.sid for item in taken] != [row.provider_sid]:
                problems.append(f"outbox {row.id} {row.status} with sid {row.provider_sid}, provider has {taken}")
            figures.accepted_once += 1
        elif row.status == "unknown":
            figures.unknown += 1
            figures.unknown_numbers.add(row.to)
        elif row.status == "failed":
            if taken or not row.error_message:
                problems.append(f"outbox {row.id} failed ({row.error_message!r}) but accepted {len(taken)} times")
            figures.failed += 1
            figures.failed_numbers.add(row.to)
            reason = (row.error_message or "")[:40]
            figures.failed_because[reason] = figures.failed_because.get(reason, 0) + 1
        else:
            problems.append(f"outbox {row.id} left {row.status}")
    assert not problems, f"{len(problems)} broken rows, e.g. {problems[:10]}"
    print(f"invariant figures: {figures}")
    return figures
