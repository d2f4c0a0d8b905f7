"""End to end with a real RQ worker: a signed Twilio SMS is stored by the webhook, processed by the job on the
default queue, and its auto-reply sent by a send job through the simulator; the tick's sweep finds a message whose
job was lost."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from redis import Redis
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from campaigns.models import Confirmation, InboundMessage, SimulatedSms
from campaigns.models.base import utcnow
from campaigns.replies.auto_replies import DEFAULT_REPLIES
from campaigns.replies.inbound import receive_sms
from gateway.app import create_app
from tests.conftest import TEST_REDIS_URL
from tests.reply_helpers import send_campaign
from tests.servers import subprocess_env
from workers.composition import Services
from workers.queues import DEFAULT, SENDS

TOKEN = "twilio-auth-token-for-tests"
PUBLIC = "https://gridcast.example/gw"
WANGFANG = "+8613800000002"


@pytest.fixture
def redis():
    connection = Redis.from_url(TEST_REDIS_URL)
    for name in (DEFAULT, SENDS):
        connection.delete(f"rq:queue:{name}")
    connection.delete(f"rq:queue:{DEFAULT}", *connection.keys("rq:job:inbound-*"))
    yield connection
    connection.delete(f"rq:queue:{DEFAULT}", f"rq:queue:{SENDS}", *connection.keys("rq:job:inbound-*"))
    connection.close()


def run_burst_worker(settings, tmp_path) -> None:
    env = subprocess_env(DATABASE_URL=settings.database_url, REDIS_URL=TEST_REDIS_URL,
                         GRIDCAST_VAR_DIR=str(tmp_path / "var"))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "gateway.cli", "worker", "--burst", "--without-scheduler", DEFAULT, SENDS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_webhook_job_and_reply_through_a_real_worker(settings, engine, session_factory, people, redis, tmp_path):
    run_id = send_campaign(session_factory, people, at=utcnow(), expects_reply=True)
    configured = dataclasses.replace(settings, twilio_account_sid="AC" + "b" * 32, twilio_auth_token=TOKEN,
                                     public_base_url=PUBLIC)  # fmt: skip
    app = create_app(runtime=Services(settings=configured, engine=engine, session_factory=session_factory))
    form = {"MessageSid": "SM" + "e" * 32, "From": WANGFANG, "To": "+15005550006", "Body": "收到", "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature(f"{PUBLIC}/twilio/sms", form)
    response = app.test_client().post("/twilio/sms", data=form, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    assert redis.llen(f"rq:queue:{DEFAULT}") == 1
    run_burst_worker(settings, tmp_path)  # the worker runs in simulator mode: the reply lands on the phone
    with session_factory() as session:
        message = session.scalar(select(InboundMessage))
        confirmation = session.scalar(select(Confirmation))
        got = session.scalars(select(SimulatedSms.body).where(SimulatedSms.phone == WANGFANG)).all()
    assert (message.intent, message.run_id, message.processed_at is not None) == ("confirm", run_id, True)
    assert (confirmation.run_id, confirmation.contact_id, confirmation.inbound_id) == (
        run_id,
        message.contact_id,
        message.id,
    )
    assert got == [DEFAULT_REPLIES["zh"]["confirm"]]


def test_tick_sweep_enqueues_a_message_whose_job_was_lost(settings, session_factory, people, redis, tmp_path):
    from campaigns.simulator.channel import SimulatorChannel
    from workers.tick import tick

    with session_factory.begin() as session:
        receive_sms(session, "twilio", "SM" + "f" * 32, WANGFANG, "", "STOP", {"Body": "STOP"}, utcnow())
    later = utcnow().replace(year=utcnow().year + 1)  # long after: the message is overdue
    report = tick(session_factory, SimulatorChannel(session_factory, utcnow), redis, settings, later)
    assert report.inbound_enqueued == 1
    assert (
        tick(session_factory, SimulatorChannel(session_factory, utcnow), redis, settings, later).inbound_enqueued == 0
    )
    run_burst_worker(settings, tmp_path)
    with session_factory() as session:
        assert session.scalar(select(InboundMessage.intent)) == "opt_out"
