"""Benchmark: an alert launched while a big routine run sends, with real RQ worker processes (on the alerts' and
the sends' queues) sending through TwilioChannel to the 150 ms stand-in (bench/standin.py).

The routine run (`--routine` recipients, the whole county) is launched and dispatched; once it has sent
`--head-start` messages, `--alert` contacts are added in a township of their own and an alert to that township is
launched (as the system: no approval step to wait for) and its batches enqueued in the alerts' lane at once, as the
web app does after the launch's commit. Measured from that launch
call: the first alert message handed to the provider, the first accepted, the last accepted; and how many routine
messages were handed over after the launch while alert messages were still waiting (the alert "waited behind" that
many routine rows; 0 means never beyond those already in flight). Goal: first alert message < 2 s.

    python bench/alert_lane.py [--routine 100000] [--alert 10000] [--workers 2] [--backend postgresql]
                               [--latency 0.15] [--concurrency 100] [--batch 500] [--head-start 2000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta

from population import BENCH_REDIS_URL, database, draft_campaign, load_average, populate
from redis import Redis
from send_run import start_workers, stop_workers, worker_env
from sqlalchemy import func, insert, select
from standin import StandIn

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.common.db import make_engine, make_session_factory
from campaigns.directory.grids import insert_grid, level_lookup
from campaigns.identity.access import Actor
from campaigns.models import Contact, Grid, OutboxMessage
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from workers.dispatching import enqueue_alert_batches, enqueue_run_dispatch
from workers.queues import ALERTS, SENDS


def alert_township(factory, county_id: int, recipients: int) -> int:
    """A township of its own under the county with `recipients` SMS contacts; its id."""
    with factory.begin() as session:
        levels = level_lookup(session)
        county = session.get_one(Grid, county_id)
        town = insert_grid(session, code="623025900", name="预警镇", level=levels["township"], parent=county)
        rows = [
            {"name": f"牧民{n}", "phone": f"+86137{n:08d}", "grid_id": town.id, "role": "household_head",
             "language": "zh", "channels": ["sms"]}
            for n in range(recipients)
        ]  # fmt: skip
        session.execute(insert(Contact), rows)
        return town.id


def launch_alert(factory, town_id: int) -> tuple[int, object]:
    now = utcnow()
    data = {
        "kind": "alert", "name": "暴雪红色预警", "event_type": "暴雪", "severity": "extreme",
        "valid_from": now.isoformat(), "expires_at": (now + timedelta(hours=6)).isoformat(),
        "audience": {"grid_ids": [town_id]}, "texts": {"zh": "暴雪红色预警：今晚有特大暴雪，请立即转移牲畜。"},
        "fallback_language": "zh",
    }  # fmt: skip
    with factory.begin() as session:
        campaign_id = create_campaign(session, Actor.system(), data, now)["id"]
    started = utcnow()
    with factory.begin() as session:
        planned = launch_campaign(session, Actor.system(), campaign_id, started)
    return planned.run_id, started


def sent(factory, run_id: int) -> int:
    with factory() as session:
        query = select(func.count()).where(OutboxMessage.run_id == run_id, OutboxMessage.status == "sent")
        return session.scalar(query) or 0


def measure(args) -> dict:
    redis = Redis.from_url(BENCH_REDIS_URL)
    redis.flushdb()
    with StandIn(latency=args.latency, limit=100) as standin, database(args.backend) as url, \
            tempfile.TemporaryDirectory(prefix="gridcast-alert-") as tmp:  # fmt: skip
        engine = make_engine(url)
        county_id = populate(engine, args.routine)
        campaign_id = draft_campaign(engine, county_id)
        factory = make_session_factory(engine)
        env = worker_env(url, standin.url, tmp, args, {})
        workers = start_workers(args.workers, env, redis, tmp, queues=(ALERTS, SENDS))
        load = load_average()
        try:
            with factory.begin() as session:
                routine = launch_campaign(session, Actor.system(), campaign_id, utcnow()).run_id
            enqueue_run_dispatch(redis, routine)
            town_id = alert_township(factory, county_id, args.alert)
            while sent(factory, routine) < args.head_start:
                time.sleep(0.05)
            load = load_average()
            alert_run, launched = launch_alert(factory, town_id)
            planned = utcnow()
            enqueue_alert_batches(redis, factory, alert_run, args.batch, utcnow())
            enqueued = utcnow()
            while sent(factory, alert_run) < args.alert:
                time.sleep(0.05)
            routine_sent = sent(factory, routine)
        finally:
            stop_workers(workers)
        with factory() as session:
            alert_rows = select(OutboxMessage).where(OutboxMessage.run_id == alert_run)
            first_handed = session.scalar(alert_rows.with_only_columns(func.min(OutboxMessage.handed_at)))
            first_sent = session.scalar(alert_rows.with_only_columns(func.min(OutboxMessage.sent_at)))
            last_sent = session.scalar(alert_rows.with_only_columns(func.max(OutboxMessage.sent_at)))
            last_handed = session.scalar(alert_rows.with_only_columns(func.max(OutboxMessage.handed_at)))
            behind, behind_enqueued = (
                session.scalar(
                    select(func.count()).where(
                        OutboxMessage.run_id == routine,
                        OutboxMessage.handed_at > since,
                        OutboxMessage.handed_at < last_handed,
                    )
                )
                for since in (launched, enqueued)
            )
        engine.dispose()
    return {
        "first_handed": (first_handed - launched).total_seconds(),
        "first": (first_sent - launched).total_seconds(),
        "last": (last_sent - launched).total_seconds(),
        "behind": behind,
        "behind_enqueued": behind_enqueued,
        "planned": (planned - launched).total_seconds(),
        "enqueued": (enqueued - launched).total_seconds(),
        "routine_sent": routine_sent,
        "load": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--routine", type=int, default=100_000, help="routine run recipients")
    parser.add_argument("--alert", type=int, default=10_000, help="alert recipients")
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--latency", type=float, default=0.15, help="stand-in latency in seconds")
    parser.add_argument("--concurrency", type=int, default=100, help="GRIDCAST_SEND_CONCURRENCY (per process)")
    parser.add_argument("--batch", type=int, default=500, help="GRIDCAST_SEND_BATCH (rows per job)")
    parser.add_argument("--head-start", type=int, default=2000, help="routine messages sent before the alert")
    args = parser.parse_args()
    result = measure(args)
    command = "python bench/alert_lane.py " + " ".join(sys.argv[1:])
    print(
        f"| alert lane: alert to {args.alert:,} launched while a {args.routine:,}-recipient routine run sends, "
        f"{args.latency * 1000:g} ms stand-in | {args.backend}, {args.workers} RQ worker processes, load "
        f"{result['load']} (machine shared with other work) | first alert message handed over "
        f"**{result['first_handed']:.2f} s** after launch, first accepted {result['first']:.2f} s, last "
        f"{result['last']:.1f} s (planned by {result['planned']:.2f} s, batches enqueued by "
        f"{result['enqueued']:.2f} s); routine rows handed over while alert rows waited: {result['behind']:,} from "
        f"the launch, {result['behind_enqueued']:,} from the enqueue; routine sent by then "
        f"{result['routine_sent']:,} | goal: first < 2 s | `{command.strip()}` |",
        flush=True,
    )


if __name__ == "__main__":
    main()
