"""Benchmark: planning a run to 1,000,000 recipients on SQLite and on PostgreSQL.

Writes a county of 1,111 grids and N contacts in bulk (not timed), creates a campaign to the whole county, then
times `launch_campaign` (the launch checks, the run and its outbox rows in one INSERT ... SELECT) and the commit,
and prints Markdown rows (figure | setup | result | target | command) for bench/README.md. No timing is asserted.

    python bench/plan_rows.py [--recipients 1000000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import time

from population import database, draft_campaign, load_average, populate
from sqlalchemy import func, select

from campaigns.broadcasts.campaign_service import load_campaign
from campaigns.common.db import make_engine, make_session_factory
from campaigns.identity.access import Actor
from campaigns.models import OutboxMessage
from campaigns.models.base import utcnow
from campaigns.runs.planning import launch_campaign
from campaigns.runs.preview import launch_blockers


def bench_backend(backend: str, recipients: int, command: str) -> str:
    with database(backend) as url:
        engine = make_engine(url)
        try:
            start = time.perf_counter()
            county_id = populate(engine, recipients)
            campaign_id = draft_campaign(engine, county_id)
            print(f"{backend}: {recipients:,} contacts written in {time.perf_counter() - start:.1f} s", flush=True)
            factory = make_session_factory(engine)
            with factory() as session:
                start = time.perf_counter()
                launch_blockers(session, load_campaign(session, Actor.system(), campaign_id))
                checks = time.perf_counter() - start
            load = load_average()
            start = time.perf_counter()
            with factory.begin() as session:
                planned = launch_campaign(session, Actor.system(), campaign_id, utcnow())
            seconds = time.perf_counter() - start
            with factory() as session:
                rows = session.scalar(select(func.count()).select_from(OutboxMessage))
        finally:
            engine.dispose()
    assert planned.planned == rows == recipients, (planned, rows)
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL 15"}[backend]
    return (
        f"| planning {recipients:,} recipients | {label}; launch_campaign + commit (of which launch checks "
        f"{checks:.1f} s); load {load} | {seconds:.1f} s, **{rows / seconds:,.0f} rows/s** | >= 50,000 rows/s "
        f"| `{command}` |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    command = f"python bench/plan_rows.py --recipients {args.recipients} --backends BACKEND"
    for backend in args.backends.split(","):
        print(bench_backend(backend, args.recipients, command.replace("BACKEND", backend)), flush=True)


if __name__ == "__main__":
    main()
