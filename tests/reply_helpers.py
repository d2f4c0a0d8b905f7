"""Helpers for reply tests: send a campaign, receive and process an SMS, send the queued auto-replies."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy import select

from campaigns.delivery.dispatch import due_batches
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import GridLevel, OutboxMessage, ReportDuty, Run
from campaigns.replies.inbound import receive_sms
from campaigns.replies.processing import process_inbound
from campaigns.runs.planning import launch_campaign
from campaigns.simulator.channel import SimulatorChannel
from tests.conftest import TEST_REDIS_URL
from tests.factories import NOW, make_campaign
from tests.fakes import NoLimit, ScriptedChannel
from workers.queues import DEFAULT

_sids = itertools.count(1)
FIELDS = [
    {"key": "returnees", "label": "返乡人员", "names": ["返乡", "ཕྱིར་ལོག"]},
    {"key": "fever", "label": "发热", "names": ["发烧", "ཚ་བ"]},
]


def send_campaign(session_factory, tree, at: datetime = NOW, **overrides) -> int:
    """Launch a 'now' SMS campaign to 齐哈玛镇 at `at`, send it with a scripted channel; returns the run id."""
    with session_factory.begin() as session:
        campaign = make_campaign(session, tree, **overrides)
        planned = launch_campaign(session, Actor.system(), campaign["id"], at)
    send_run(session_factory, planned.run_id, at, ScriptedChannel())
    return planned.run_id


def send_run(session_factory, run_id: int, at: datetime, channel=None) -> None:
    """Send every due row of run `run_id` at `at` (the simulator by default, so phones log what they got)."""
    channel = channel or SimulatorChannel(session_factory, lambda: at)
    with session_factory() as session:
        batches = due_batches(session, at, 500, run_id=run_id)
    for batch in batches:
        send_batch(session_factory, channel, NoLimit(), SendPolicy(), lambda: at, run_id, batch.first_id, batch.last_id)


def receive(session_factory, phone: str, body: str, at: datetime | None = None, *, auto_replies: bool = True,
            outbox_ttl: timedelta | None = None) -> dict:  # fmt: skip
    """Receive `body` from `phone` at `at` (default: five minutes after NOW) and process it (auto-replies expiring
    `outbox_ttl` later); returns the summary."""
    at = at or NOW + timedelta(minutes=5)
    sid = f"SM{next(_sids):032d}"
    with session_factory.begin() as session:
        message, _ = receive_sms(session, "twilio", sid, phone, "+15005550006", body, {"Body": body}, at)
    with session_factory.begin() as session:
        return process_inbound(session, message.id, at, auto_replies=auto_replies, outbox_ttl=outbox_ttl)


def replies_to(session_factory, phone: str) -> list[OutboxMessage]:
    """The auto-replies queued (or sent) to `phone`, oldest first."""
    with session_factory() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .join(Run, Run.id == OutboxMessage.run_id)
                .where(Run.kind == "auto_reply", OutboxMessage.to == phone)
                .order_by(OutboxMessage.id)
            )
        )


def add_duty(session, tree: dict[str, int], level: str = "group") -> ReportDuty:
    """A daily report duty for the groups of 齐哈玛镇, reported by liaisons and grid leaders, with two count fields."""
    level_id = session.scalar(select(GridLevel.id).where(GridLevel.key == level))
    duty = ReportDuty(name="疫情零报告", root_grid_id=tree["623025101"], level_id=level_id, fields=FIELDS)
    session.add(duty)
    session.flush()
    return duty


def inbound_redis() -> Iterator[Redis]:
    """The tests' Redis without the reply jobs and queue earlier tests left (message ids restart at 1 in every
    test), emptied of them again afterwards: the body of a `redis` fixture."""
    connection = Redis.from_url(TEST_REDIS_URL)
    _forget_inbound_jobs(connection)
    yield connection
    _forget_inbound_jobs(connection)
    connection.close()


def _forget_inbound_jobs(connection: Redis) -> None:
    connection.delete(f"rq:queue:{DEFAULT}", *connection.keys("rq:job:inbound-*"))
