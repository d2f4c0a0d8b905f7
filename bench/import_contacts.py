"""Benchmark: import 100,000 contacts from a CSV on SQLite and on PostgreSQL, then import the same file again.

Generates a county of grids (imported with the grid import, also timed) and a GB18030 CSV of plausible contacts,
runs the contact imports the way a large upload runs (stored with a queued import report, then run by the import
job's service in this process, progress stored as it goes), and prints Markdown table rows
(figure | backend | result | command) for bench/README.md. Nothing here is a test: no timing is asserted.

    python bench/import_contacts.py [--rows 100000] [--backends sqlite,postgresql]
                                    [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from campaigns.common import migrate
from campaigns.common.db import make_engine, make_session_factory, unit_of_work
from campaigns.common.upload_limits import DEFAULT_LIMITS
from campaigns.directory.grid_import import import_grids
from campaigns.directory.import_jobs import queue_import, run_import
from campaigns.directory.import_reports import get_report
from campaigns.identity import accounts
from campaigns.identity.access import Actor
from campaigns.models import User

SURNAMES = ["才让", "卓玛", "扎西", "多杰", "拉毛", "尕藏", "王", "李", "张", "马", "杨", "赵", "旦增", "索南"]
GIVEN = ["", "吉", "草", "加", "措", "东珠", "明", "芳", "伟", "秀英", "建国", "玉兰", "本", "才旦"]
PREFIXES = [*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, *range(180, 190)]
ROLES = ["户主"] * 12 + ["联户长"] * 3 + ["网格员", "网格长"]
LANGUAGES = ["汉语"] * 3 + ["藏语"] * 2
TAGS = ["", "", "稳定户", "监测户", "跟踪户", "牧民", "牧民;稳定户"]
COMMAND = "python bench/import_contacts.py"


def grid_tree_csv(townships: int = 10, villages: int = 20, groups: int = 25, units: int = 20) -> tuple[str, list[str]]:
    """A county in grid-import CSV (children before parents, to exercise ordering) and the leaf-ish codes."""
    rows, codes = [("623025", "玛曲县", "", "县")], []
    for t in range(1, townships + 1):
        town = f"623025{t:03d}"
        rows.append((town, f"第{t}镇", "623025", "乡镇"))
        for v in range(1, villages + 1):
            village = f"{town}{v:03d}"
            rows.append((village, f"第{t}镇{v}村", town, "村"))
            for g in range(1, groups + 1):
                group = f"{village}{g:02d}"
                rows.append((group, f"{v}村{g}组", village, "组"))
                codes.append(group)
                for u in range(1, units + 1):
                    unit = f"{group}{u:02d}"
                    rows.append((unit, f"{g}组第{u}联户", group, "联户"))
                    codes.append(unit)
    rows.reverse()
    return "编码,名称,上级编码,层级\n" + "".join(",".join(row) + "\n" for row in rows), codes


def contacts_csv(count: int, grid_codes: list[str], seed: int = 2024, suffix: str = "") -> bytes:
    """`count` contacts with unique mobile numbers, in Chinese headers, encoded as GB18030 like Excel in China;
    the same seed gives the same people, `suffix` is added to every name (to measure updates)."""
    rng = random.Random(seed)
    numbers = rng.sample(range(len(PREFIXES) * 100_000_000), count)
    lines = ["姓名,手机,网格编码,角色,语言,渠道,户数,标签"]
    for number in numbers:
        prefix, rest = PREFIXES[number // 100_000_000], number % 100_000_000
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + suffix
        channels = rng.choice(["短信,电话", "短信", "电话"])
        lines.append(
            f"{name},{prefix}{rest:08d},{rng.choice(grid_codes)},{rng.choice(ROLES)},{rng.choice(LANGUAGES)},"
            f'"{channels}",{rng.randint(1, 8)},{rng.choice(TAGS)}'
        )
    return ("\n".join(lines) + "\n").encode("gb18030")


def timed(factory, run) -> tuple[float, dict]:
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        report = run(session)
    return time.perf_counter() - start, report


def import_as_job(factory, data: bytes) -> dict:
    """Store the file with a queued report as an upload does, then run it as the import job does."""
    with unit_of_work(factory) as session:
        user = session.get(User, accounts.create_user(session, Actor.system(), username=f"bench{uuid.uuid4().hex[:6]}",
                                                      role="admin", password="bench password 1")["id"])  # fmt: skip
        actor = accounts.actor_for(user)
        queued = queue_import(session, actor, "contacts", data, "contacts.csv", dry_run=False, limits=DEFAULT_LIMITS)
    run_import(factory, queued["id"], limits=DEFAULT_LIMITS)
    with factory() as session:
        return get_report(session, actor, queued["id"])


def bench_backend(name: str, url: str, grids: str, codes: list[str], contacts: bytes, rows: int) -> list[str]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    system = Actor.system()
    out = []
    try:
        seconds, report = timed(factory, lambda s: import_grids(s, system, grids.encode(), "grids.csv"))
        created = report["counts"]["created"]
        out.append(
            f"| grid import, {created:,} new grids | {name} | {seconds:.1f} s ({created / seconds:,.0f} rows/s) |"
        )
        renamed = contacts_csv(rows, codes, suffix="（新）")
        runs = (
            ("new contacts", "created", contacts),
            ("same file again (all unchanged)", "unchanged", contacts),
            ("every name changed (all updated)", "updated", renamed),
        )
        for label, expect, data in runs:
            start = time.perf_counter()
            report = import_as_job(factory, data)
            seconds = time.perf_counter() - start
            counts = report["counts"]
            assert report["status"] == "done" and counts[expect] == rows and counts["rejected"] == 0, report
            out.append(
                f"| contact import job, {rows:,} rows, {label} | {name} | {seconds:.1f} s ({rows / seconds:,.0f} "
                "rows/s) |"
            )
    finally:
        engine.dispose()
    return [f"{line} `{COMMAND}` |" for line in out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    grids, codes = grid_tree_csv()
    contacts = contacts_csv(args.rows, codes)
    print(f"generated {len(grids.splitlines()) - 1:,} grids and {args.rows:,} contacts ({len(contacts) / 1e6:.1f} MB)")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| figure | backend | result | command |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                lines = bench_backend(
                    "SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", grids, codes, contacts, args.rows
                )
            else:
                lines = _with_postgres(
                    args.postgres_url, lambda url: bench_backend("PostgreSQL", url, grids, codes, contacts, args.rows)
                )
            print("\n".join(lines), flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


def _with_postgres(admin_url: str, run):
    name = f"gridcast_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return run(admin_url.rsplit("/", 1)[0] + f"/{name}")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
