"""Through the real Kannel (bearerbox + smsbox, Debian's package) with its fake SMSC playing the phones, on SQLite
and PostgreSQL: a run arrives with its Chinese and Tibetan text intact, delivery reports move the statuses,
replies typed at the phones become a confirmation, a zero report and an opt-out through the same reply job as
Twilio's, and a Kannel stopped mid-run loses nothing: the sweep sends the rest once it is back."""

from __future__ import annotations

import dataclasses
import threading
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select
from werkzeug.serving import make_server

from campaigns.delivery.dispatch import due_batches
from campaigns.delivery.sending import SendPolicy, send_batch
from campaigns.identity.access import Actor
from campaigns.models import Confirmation, Contact, DailyReport, InboundMessage, OutboxMessage
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from gateway.app import create_app
from tests.conftest import TEST_REDIS_URL
from tests.factories import add_contact, make_campaign
from tests.fakes import NoLimit
from tests.kannel_harness import PASSWORD, USERNAME, FakeSmsc, Kannel, wait_until
from tests.reply_helpers import add_duty
from tests.servers import delete_queue, free_port
from workers.channel_factory import build_sms_channel
from workers.composition import Services, configure, reset
from workers.queues import DEFAULT, SENDS

SECRET = "kannel-integration-secret"
SHORT_CODE = "10690000"
LONG_TIBETAN = "{name} ཉིན་རེའི་སྙན་ཞུ། སང་ཉིན་ཁ་བ་ཆེན་པོ་འབབ། ར་བ་བརྟན་པོ་བཟོས་ནས་ཕྱུགས་ཟོག་ཉེན་སྲུང་གནང་རོགས། འབྱོར་ན་1ལན་འདེབས་གནང་།"
CHINESE = "{name}：明天有暴雪，请转告各户加固棚圈。收到请回复1。"


class SwappableApp:
    """One HTTP server for the module; each test plugs in its own app (its own database)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def kannel(tmp_path_factory):
    directory = tmp_path_factory.mktemp("kannel")
    wsgi = SwappableApp()
    port = free_port()
    server = make_server("127.0.0.1", port, wsgi, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    box = Kannel(directory, f"http://127.0.0.1:{port}", SECRET)
    phones = FakeSmsc(box.ports["smsc"], directory / "fakesmsc.out")
    try:
        box.start()
        phones.start(box)
        yield SimpleNamespace(box=box, phones=phones, wsgi=wsgi, gateway=f"http://127.0.0.1:{port}")
    finally:
        phones.stop()
        box.stop()
        server.shutdown()


@pytest.fixture
def redis():
    connection = Redis.from_url(TEST_REDIS_URL)
    for name in (DEFAULT, SENDS):
        delete_queue(Queue(name, connection=connection))
    yield connection
    for name in (DEFAULT, SENDS):
        delete_queue(Queue(name, connection=connection))
    connection.close()


@pytest.fixture
def kannel_settings(kannel, settings, engine, session_factory, redis):
    """Settings that send every number through this Kannel, and the module's HTTP server serving this database."""
    configured = dataclasses.replace(
        settings,
        kannel_sendsms_url=kannel.box.sendsms_url,
        kannel_username=USERNAME,
        kannel_password=PASSWORD,
        kannel_from=SHORT_CODE,
        kannel_secret=SECRET,
        kannel_rate_per_second=50.0,
        public_base_url=kannel.gateway,
        provider_timeout_seconds=5.0,
    )
    kannel.wsgi.app = create_app(runtime=Services(settings=configured, engine=engine, session_factory=session_factory))
    configure(configured)
    yield configured
    reset()


def launch(session_factory, tree, **overrides) -> int:
    with session_factory.begin() as session:
        campaign = make_campaign(session, tree, **{"texts": {"zh": CHINESE, "bo": LONG_TIBETAN}, **overrides})
        return launch_campaign(session, Actor.system(), campaign["id"], utcnow()).run_id


def send(session_factory, settings, run_id: int, limiter=None, clock=utcnow) -> None:
    channel = build_sms_channel(settings, session_factory, clock)
    with session_factory() as session:
        batches = due_batches(session, clock(), 500, run_id=run_id)
    for batch in batches:
        send_batch(session_factory, channel, limiter or NoLimit(), SendPolicy(), clock, run_id, batch.first_id,
                   batch.last_id)  # fmt: skip


def rows(session_factory, run_id: int) -> list[OutboxMessage]:
    with session_factory() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.run_id == run_id)))


def all_delivered(session_factory, run_id: int) -> bool:
    return all(row.status == "delivered" for row in rows(session_factory, run_id))


def test_a_run_arrives_intact_and_delivery_reports_move_it_forward(kannel, kannel_settings, session_factory, people):
    before = len(kannel.phones.received())
    run_id = launch(session_factory, people)
    send(session_factory, kannel_settings, run_id)
    sent = {row.to: row.body for row in rows(session_factory, run_id)}
    assert len(sent) == 3 and any("\u0f00" <= char <= "\u0fff" for char in sent["+8613800000001"])
    arrived = wait_until(lambda: (got := kannel.phones.received()[before:]) and len(got) >= 3 and got, 10,
                         "three messages at the phones")  # fmt: skip
    assert {sms.receiver: sms.text for sms in arrived} == sent  # Chinese and Tibetan intact, long ones joined
    assert {sms.sender for sms in arrived} == {SHORT_CODE}
    assert max(sms.parts for sms in arrived) == 2  # the Tibetan text is two UCS-2 segments
    wait_until(lambda: all_delivered(session_factory, run_id), 10, "every row delivered by its DLRs")
    assert {row.provider for row in rows(session_factory, run_id)} == {"kannel"}
    late = rows(session_factory, run_id)[0]
    report = f"{kannel.gateway}/kannel/dlr?s={SECRET}&o={late.id}&type=8"
    assert urllib.request.urlopen(report, timeout=5).status == 200
    assert {row.status for row in rows(session_factory, run_id)} == {"delivered"}  # a late "submitted" changes nothing


def run_jobs(redis: Redis) -> None:
    """Run what is queued (reply jobs, then the auto-replies' send jobs) in this process, as a worker would."""
    queues = [Queue(DEFAULT, connection=redis), Queue(SENDS, connection=redis)]
    SimpleWorker(queues, connection=redis).work(burst=True)


def inbound(session_factory) -> list[InboundMessage]:
    with session_factory() as session:
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def test_replies_typed_at_the_phones_take_the_twilio_reply_path(kannel, kannel_settings, session_factory, people,
                                                                redis):  # fmt: skip
    with session_factory.begin() as session:
        add_duty(session, people)
        add_contact(session, people["6230251012010101"], "+8613800000011", "尼玛", role="liaison", language="bo")
    run_id = launch(session_factory, people, expects_reply=True)
    send(session_factory, kannel_settings, run_id)
    before = len(kannel.phones.received())
    for count, (phone, text) in enumerate([("+8613800000001", "收到"), ("+8613800000011", "0"),
                                           ("+8613800000002", "TD")], start=1):  # fmt: skip
        kannel.phones.type(phone, SHORT_CODE, text)
        wait_until(lambda n=count: len(inbound(session_factory)) == n, 10, f"reply {count} stored")
    run_jobs(redis)
    messages = inbound(session_factory)
    assert [(m.provider, m.from_phone, m.to_phone, m.body) for m in messages] == [
        ("kannel", "+8613800000001", SHORT_CODE, "收到"),
        ("kannel", "+8613800000011", SHORT_CODE, "0"),
        ("kannel", "+8613800000002", SHORT_CODE, "TD"),
    ]
    assert [m.intent for m in messages] == ["confirm", "zero_report", "opt_out"]
    assert all(m.provider_sid.startswith("I:") for m in messages)  # Kannel's own message ids
    with session_factory() as session:
        confirmed = session.scalars(select(Confirmation.contact_id).where(Confirmation.run_id == run_id)).all()
        cairang = session.scalar(select(Contact.id).where(Contact.phone == "+8613800000001"))
        assert cairang in confirmed
        assert session.scalar(select(DailyReport.kind)) == "zero_report"
        assert session.scalar(select(Contact.opted_out_via).where(Contact.phone == "+8613800000002")) == "sms_stop"
    answered = wait_until(lambda: {sms.receiver for sms in kannel.phones.received()[before:]} >= {
        "+8613800000001", "+8613800000011", "+8613800000002"}, 10, "auto-replies at the phones")  # fmt: skip
    assert answered


class Paced:
    """About `rate` sends a second, so a run lasts long enough to stop Kannel in the middle of it."""

    def __init__(self, rate: float):
        self.interval, self.next = 1 / rate, time.monotonic()

    def acquire(self) -> None:
        self.next = max(self.next + self.interval, time.monotonic())
        time.sleep(max(0.0, self.next - time.monotonic()))

    def slow_down(self, seconds: float) -> None:
        self.next += seconds


def test_kannel_stopped_mid_run_loses_nothing(kannel, kannel_settings, session_factory, people, redis):
    from workers.tick import tick

    with session_factory.begin() as session:
        for number in range(20):
            add_contact(session, people["62302510120101"], f"+86139000000{number:02d}", f"牧民{number}")
    before = len(kannel.phones.received())
    run_id = launch(session_factory, people, texts={"zh": "{name}：明早6点暴雪，请加固棚圈。", "bo": "{name} ཁ་བ།"})
    sender = threading.Thread(target=send, args=(session_factory, kannel_settings, run_id, Paced(12)))
    sender.start()
    wait_until(lambda: len(kannel.phones.received()) - before >= 6, 10, "the run under way")
    kannel.box.stop(crash=True)  # smsbox killed mid-run; the fake SMSC hangs up once bearerbox is gone
    kannel.phones.stop()
    sender.join(timeout=30)
    waiting = [row for row in rows(session_factory, run_id) if row.status == "queued"]
    assert waiting and {row.error_code for row in waiting} <= {"connect_error", "kannel-503"}  # refused: retry
    assert not [row for row in rows(session_factory, run_id) if row.status == "failed"]
    kannel.box.start()
    kannel.phones.start(kannel.box)
    later = utcnow() + timedelta(minutes=5)  # the retries are due by then
    swept = tick(session_factory, build_sms_channel(kannel_settings, session_factory, utcnow), redis,
                 kannel_settings, later)  # fmt: skip
    assert swept.enqueued >= 1
    send(session_factory, kannel_settings, run_id, clock=lambda: later)
    final = wait_until(lambda: _settled(session_factory, run_id), 15, "every row settled after the restart")
    wait_until(lambda: {sms.receiver for sms in kannel.phones.received()[before:]} >= _phones(final, "delivered"),
               5, "every delivered message at its phone")  # fmt: skip
    time.sleep(0.5)  # a duplicate would have arrived by now
    received = Counter(sms.receiver for sms in kannel.phones.received()[before:])
    assert len(final) == 23 and max(received.values()) == 1  # nobody got the message twice
    assert set(received) == _phones(final, "delivered") | (set(received) & _phones(final, "unknown"))
    assert len(_phones(final, "unknown")) <= 2  # a send cut off as Kannel stopped: shown to staff, never resent


def _phones(final: list[OutboxMessage], status: str) -> set[str]:
    return {row.to for row in final if row.status == status}


def _settled(session_factory, run_id: int):
    """The rows once each is delivered, or `unknown`: a send whose answer was cut off when Kannel stopped (Kannel
    cannot be asked whether it took it, and the reports of what it delivered before stopping may be lost)."""
    current = rows(session_factory, run_id)
    return current if all(row.status in ("delivered", "unknown") for row in current) else None
