"""Fault tests with a real Redis, real RQ worker subprocesses and a provider stand-in that misbehaves.

Each test runs a few hundred recipients to the end (the tick driven in a loop, in real time) through one kind of
trouble: a provider answering 500/429/timeouts and accepting then failing, a worker SIGKILLed mid-run (work horse
and parent), Redis flushed mid-run, duplicated and reordered status callbacks racing the worker. At the end every
recipient must satisfy `check_invariant`: accepted exactly once, or `unknown`, or `failed` and never accepted.
"""

from __future__ import annotations

import os
import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from campaigns.models import OutboxMessage
from gateway.app import create_app
from tests.conftest import TEST_REDIS_URL
from tests.fault_harness import (
    LEASE_SECONDS,
    OPEN,
    PROVIDER_TIMEOUT,
    PUBLIC,
    check_invariant,
    counts,
    drive_to_completion,
    fault_settings,
    launch_run,
    phone,
    start_worker,
    tick_once,
    wait_until,
)
from tests.provider_standin import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, ProviderStandIn, seeded_scripts
from tests.servers import delete_queue, stop_group
from workers.composition import Services
from workers.queues import SENDS


@pytest.fixture
def redis():
    connection = Redis.from_url(TEST_REDIS_URL)
    delete_queue(Queue(SENDS, connection=connection))
    yield connection
    delete_queue(Queue(SENDS, connection=connection))
    connection.close()


@pytest.fixture
def standin():
    with ProviderStandIn(client_timeout=PROVIDER_TIMEOUT) as standin:
        yield standin


@pytest.fixture
def workers(tmp_path):
    """start(settings) -> a long-running worker subprocess; every one still running is stopped afterwards."""
    started = []

    def start(settings):
        started.append(start_worker(settings, tmp_path / f"worker-{len(started)}.log"))
        return started[-1]

    yield start
    for process in started:
        stop_group(process)


def sent_rows(session_factory, run_id: int) -> int:
    found = counts(session_factory, run_id)
    return found.get("sent", 0) + found.get("delivered", 0)


def in_flight(session_factory, standin) -> set[int]:
    """Rows the provider accepted with a plain 201 that the database still shows as `sending`."""
    accepted = {item.outbox_id for item in list(standin.accepted) if item.fault == "ok"}
    with session_factory() as session:
        query = select(OutboxMessage.id).where(OutboxMessage.status == "sending", OutboxMessage.id.in_(accepted))
        return set(session.scalars(query))


def test_faulty_provider(session_factory, tree, settings, redis, standin, workers):
    recipients = 300
    run_id = launch_run(session_factory, tree, recipients)
    numbers = [phone(n) for n in range(recipients)]
    standin.scripts = seeded_scripts(numbers, seed=20261123, fault_rate=0.3)
    never = {numbers[0]: ["429"] * 4, numbers[1]: ["500", "close", "500", "500"], numbers[2]: ["close"] * 4}
    standin.scripts.update(never)  # four refusals: failed after the last attempt
    doubtful = [number for number, script in standin.scripts.items() if script[0] != "429" and number not in never]
    standin.list_scripts = {number: ["500"] for number in doubtful[::4]}  # the lookup after its first send fails
    configured = fault_settings(settings, standin)
    tick_once(session_factory, configured, redis)
    for _ in range(2):
        workers(configured)
    drive_to_completion(session_factory, configured, redis, run_id)
    figures = check_invariant(session_factory, standin, run_id, recipients)
    assert figures.faults > 100 and figures.accepted_once > 250
    assert figures.failed_numbers == set(never) and all(standin.creates[number] == 4 for number in never)
    assert figures.unknown > 0 and figures.unknown_numbers <= set(standin.list_scripts)


def test_worker_killed_mid_run(session_factory, tree, settings, redis, standin, workers):
    recipients = 240
    run_id = launch_run(session_factory, tree, recipients)
    standin.scripts = seeded_scripts([phone(n) for n in range(recipients)], seed=7, fault_rate=0.15)
    configured = fault_settings(settings, standin, sms_rate_per_second=40.0)
    tick_once(session_factory, configured, redis)
    worker = workers(configured)
    parent = psutil.Process(worker.pid)

    def mid_claim() -> bool:
        return sent_rows(session_factory, run_id) >= 50 and len(in_flight(session_factory, standin)) >= 10

    wait_until(mid_claim, 30, "a work horse in the middle of its sends", interval=0.02)
    for process in [*parent.children(recursive=True), parent]:
        os.kill(process.pid, signal.SIGKILL)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    at_kill, unrecorded = counts(session_factory, run_id), in_flight(session_factory, standin)
    assert unrecorded, f"nothing in flight: {at_kill}"
    print(f"at the kill: {at_kill}; {len(unrecorded)} accepted with a 201 the dead worker never recorded")
    time.sleep(LEASE_SECONDS + 0.5)
    workers(configured)
    drive_to_completion(session_factory, configured, redis, run_id)
    check_invariant(session_factory, standin, run_id, recipients)


def test_a_killed_work_horse_is_recovered_in_seconds(session_factory, tree, settings, redis, standin, workers):
    """Only the work horse dies (its worker lives on) under a production-length lease: the worker releases the dead
    job's claims at once (workers/recovery.py), so the run ends in seconds, not after the lease and the next tick."""
    recipients = 240
    run_id = launch_run(session_factory, tree, recipients)
    standin.scripts = seeded_scripts([phone(n) for n in range(recipients)], seed=13, fault_rate=0.0)
    configured = fault_settings(settings, standin, sms_rate_per_second=40.0, lease_seconds=120)
    tick_once(session_factory, configured, redis)
    worker = workers(configured)

    def mid_claim() -> bool:
        return sent_rows(session_factory, run_id) >= 50 and counts(session_factory, run_id).get("sending", 0) >= 10

    wait_until(mid_claim, 30, "a work horse in the middle of its sends", interval=0.02)
    horses = psutil.Process(worker.pid).children(recursive=True)
    assert horses, "no work horse to kill"
    for horse in horses:
        os.kill(horse.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    with session_factory() as session:
        claimed = set(session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "sending")))
    at_kill = counts(session_factory, run_id)

    def settled() -> bool:
        tick_once(session_factory, configured, redis)
        with session_factory() as session:
            query = select(OutboxMessage.id).where(OutboxMessage.id.in_(claimed), OutboxMessage.status.in_(OPEN))
            return session.scalar(query.limit(1)) is None

    wait_until(settled, 60, "the dead job's rows sent by others", interval=0.5)
    recovery = time.monotonic() - killed_at
    drive_to_completion(session_factory, configured, redis, run_id, timeout=60)
    assert worker.poll() is None, "the worker itself died"
    check_invariant(session_factory, standin, run_id, recipients)
    print(f"at the kill: {at_kill}; the dead job's {len(claimed)} claimed rows settled {recovery:.1f} s later")
    assert recovery < 30  # seconds, where waiting out the 120 s lease and the next tick would take minutes


def test_redis_flushed_mid_run(session_factory, tree, settings, redis, standin, workers):
    recipients = 240
    run_id = launch_run(session_factory, tree, recipients)
    standin.scripts = seeded_scripts([phone(n) for n in range(recipients)], seed=11, fault_rate=0.15)
    configured = fault_settings(settings, standin, sms_rate_per_second=40.0)
    tick_once(session_factory, configured, redis)
    workers(configured)
    wait_until(lambda: sent_rows(session_factory, run_id) >= 50, 30, "the first rows sent")
    redis.flushdb()
    at_flush = counts(session_factory, run_id)
    assert at_flush.get("queued", 0) > 0, f"nothing left to lose: {at_flush}"
    assert tick_once(session_factory, configured, redis).enqueued > 0
    print(f"at the flush: {at_flush}")
    drive_to_completion(session_factory, configured, redis, run_id)
    check_invariant(session_factory, standin, run_id, recipients)


def test_duplicated_and_reordered_callbacks(session_factory, engine, tree, settings, redis, standin, workers):
    recipients = 200
    run_id = launch_run(session_factory, tree, recipients)
    standin.scripts = seeded_scripts([phone(n) for n in range(recipients)], seed=3, fault_rate=0.2)
    configured = fault_settings(settings, standin)
    app = create_app(runtime=Services(settings=configured, engine=engine, session_factory=session_factory))
    rng = random.Random(5)
    terminal: dict[str, str] = {}
    answers: list[int] = []

    def post(item, status):
        form = {"MessageSid": item.sid, "SmsSid": item.sid, "AccountSid": ACCOUNT_SID, "From": FROM_NUMBER,
                "To": item.to, "MessageStatus": status, "SmsStatus": status, "ApiVersion": "2010-04-01"}  # fmt: skip
        if status == "undelivered":
            form["ErrorCode"] = "30003"
        url = f"/twilio/status?o={item.outbox_id}"
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + url, form)
        answers.append(app.test_client().post(url, data=form, headers={"X-Twilio-Signature": signature}).status_code)

    def later(item, status, delay):
        time.sleep(delay)
        post(item, status)

    with ThreadPoolExecutor(max_workers=8) as pool:

        def on_accept(item):
            last = terminal[item.sid] = "undelivered" if rng.random() < 0.2 else "delivered"
            statuses = ["queued", "sent", last, last, "sent", "sending"]
            rng.shuffle(statuses)
            if rng.random() < 0.4:
                post(item, statuses.pop())  # before the worker even hears the provider's answer
            for status in statuses:
                pool.submit(later, item, status, rng.random() * 0.5)

        standin.on_accept = on_accept
        tick_once(session_factory, configured, redis)
        workers(configured)
        drive_to_completion(session_factory, configured, redis, run_id)
    check_invariant(session_factory, standin, run_id, recipients)
    assert answers and set(answers) == {204}
    with session_factory() as session:
        final = dict(session.execute(select(OutboxMessage.provider_sid, OutboxMessage.status)).all())
    wrong = {sid: (final.get(sid), expected) for sid, expected in terminal.items() if final.get(sid) != expected}
    assert not wrong, f"{len(wrong)} rows not at their last status, e.g. {list(wrong.items())[:5]}"
    print(f"callbacks: {len(answers)} for {len(terminal)} messages")
