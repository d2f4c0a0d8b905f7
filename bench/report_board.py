"""Benchmark: the daily report board of a county with 100,000 grids and 1,000,000 contacts, on SQLite and PostgreSQL.

Writes in bulk (not timed): a county of 10 townships, 200 villages, 2,000 groups and 98,000 household units; one
liaison per unit, a leader per other grid and households up to 1,000,000 contacts; a duty where every unit reports;
and `--days` days of reports (90% zero reports, 2% incidents, 8% missing). Then times, through the services, the
board of the county (depth 1 and 2), of a township and of a village, the history over 7 and 30 days, the CSV of the
whole county, and the reminder step of the tick for the whole county. Each figure is the median of `--repeat`
runs (the first run is printed too). Prints Markdown rows (figure | setup | result | target | command).

    python bench/report_board.py [--days 30] [--backends sqlite,postgresql] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from population import database, load_average
from sqlalchemy import Engine, text

from campaigns.common.db import make_engine, make_session_factory
from campaigns.directory.grids import level_lookup
from campaigns.identity.access import Actor
from campaigns.reports.report_board import board_csv, report_board, report_history
from campaigns.reports.report_duties import create_duty
from campaigns.reports.report_tick import duty_notices_due

TOWNSHIPS, VILLAGES, GROUPS, UNITS = 10, 20, 10, 49
CONTACTS = 1_000_000
STAMP = "2026-11-23 02:00:00"
TODAY = date(2026, 11, 23)
NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
REMINDER = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai


def plan_tree(levels: dict[str, int]) -> list[tuple]:
    """(id, code, name, level_id, parent_id, path, depth) for the whole county, parents first."""
    rows: list[tuple] = []

    def add(code, name, level, parent):
        grid_id = len(rows) + 1
        path = (parent[5] if parent else "/") + f"{grid_id}/"
        row = (grid_id, code, name, levels[level], parent[0] if parent else None, path, parent[6] + 1 if parent else 0)
        rows.append(row)
        return row

    county = add("623025", "玛曲县", "county", None)
    for t in range(1, TOWNSHIPS + 1):
        town = add(f"623025{t:03d}", f"第{t}镇", "township", county)
        for v in range(1, VILLAGES + 1):
            village = add(f"{town[1]}{v:03d}", f"{t}镇{v}村", "village", town)
            for g in range(1, GROUPS + 1):
                group = add(f"{village[1]}{g:02d}", f"{v}村{g}组", "group", village)
                for u in range(1, UNITS + 1):
                    add(f"{group[1]}{u:02d}", f"{v}村{g}组{u}联户", "unit", group)
    return rows


def plan_contacts(grids: list[tuple], unit_level: int) -> list[tuple]:
    """(name, phone, grid_id, role): a leader per grid above the units, a liaison per unit, then households."""
    units = [grid[0] for grid in grids if grid[3] == unit_level]
    people = [(grid[0], "grid_leader") for grid in grids if grid[3] != unit_level]
    people += [(unit, "liaison") for unit in units]
    people += [(units[n % len(units)], "household_head") for n in range(CONTACTS - len(people))]
    return [(f"联系人{n}", f"+86138{n:08d}", grid_id, role) for n, (grid_id, role) in enumerate(people)]


def plan_reports(units: list[int], duty_id: int, days: int) -> list[tuple]:
    rng = random.Random(623025)
    rows = []
    for offset in range(days):
        day = (TODAY - timedelta(days=offset)).isoformat()
        for unit in units:
            draw = rng.random()
            if draw < 0.90:
                rows.append((duty_id, unit, day, "zero_report", "{}", ""))
            elif draw < 0.92:
                rows.append((duty_id, unit, day, "incident", '{"fever": 1}', "发热1人"))
    return rows


TABLES = {
    "grids": ("id, code, name, level_id, parent_id, path, depth, created_at, updated_at", 2),
    "contacts": ("name, phone, grid_id, role, language, channels, households, created_at, updated_at", 0),
    "daily_reports": ("duty_id, grid_id, day, kind, counts, text, reported_at", 0),
}


def _with_constants(table: str, row: tuple) -> tuple:
    if table == "grids":
        return (*row, STAMP, STAMP)
    if table == "contacts":
        return (*row, "zh", '["sms", "voice"]', 1, STAMP, STAMP)
    return (*row, STAMP)


def bulk_write(engine: Engine, table: str, rows: list[tuple]) -> None:
    """COPY on PostgreSQL, executemany on SQLite."""
    columns = TABLES[table][0]
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                buffer = io.StringIO()
                for count, row in enumerate(rows, 1):
                    cells = ["\\N" if value is None else str(value) for value in _with_constants(table, row)]
                    buffer.write("\t".join(cells) + "\n")
                    if count % 50_000 == 0:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join("?" for _ in columns.split(","))
            raw.cursor().executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", (_with_constants(table, row) for row in rows)
            )
        raw.commit()
    finally:
        raw.close()


def populate(engine: Engine, days: int) -> int:
    factory = make_session_factory(engine)
    with factory() as session:
        levels = {key: level.id for key, level in level_lookup(session).items()}
    grids = plan_tree(levels)
    bulk_write(engine, "grids", grids)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT setval('grids_id_seq', (SELECT max(id) FROM grids))"))
    bulk_write(engine, "contacts", plan_contacts(grids, levels["unit"]))
    with factory.begin() as session:
        data = {"name": "零报告", "root_grid_id": 1, "level": "unit", "deadline": "10:00", "reminder_times": ["08:00"]}
        duty_id = create_duty(session, Actor.system(), data, now=REMINDER - timedelta(hours=1))["id"]
    units = [grid[0] for grid in grids if grid[3] == levels["unit"]]
    bulk_write(engine, "daily_reports", plan_reports(units, duty_id, days))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE grids, contacts, daily_reports"))
    return len(grids)


def timed(factory, call, repeat: int) -> tuple[float, float]:
    """(first, median) seconds of `call(session)` in a fresh read session each time."""
    seconds = []
    for _ in range(repeat):
        with factory() as session:
            start = time.perf_counter()
            call(session)
            seconds.append(time.perf_counter() - start)
    return seconds[0], statistics.median(seconds)


def bench_backend(backend: str, days: int, repeat: int, command: str) -> list[str]:
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL 15"}[backend]
    rows = []
    with database(backend) as url:
        engine = make_engine(url)
        try:
            start = time.perf_counter()
            grids = populate(engine, days)
            print(f"{backend}: {grids:,} grids, {CONTACTS:,} contacts, {days} days of reports written in "
                  f"{time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
            factory = make_session_factory(engine)
            system = Actor.system()

            def board(grid_id, depth):
                return lambda s: report_board(s, system, duty_id=None, day=None, grid_id=grid_id, depth=depth, now=NOON)

            figures = [
                ("board, county, depth 1", board(None, 1), "< 500 ms"),
                ("board, county, depth 2 (211 nodes)", board(None, 2), "< 500 ms"),
                ("board, one township, depth 2", board(2, 2), "< 500 ms"),
                ("board, one village, depth 2 (500 units)", board(3, 2), "< 500 ms"),
                ("history, county, 7 days", lambda s: report_history(s, system, duty_id=None, days=7, grid_id=None,
                                                                      now=NOON), "-"),
                ("history, county, 30 days", lambda s: report_history(s, system, duty_id=None, days=30, grid_id=None,
                                                                       now=NOON), "-"),
                ("history, one township, 30 days", lambda s: report_history(s, system, duty_id=None, days=30,
                                                                             grid_id=2, now=NOON), "-"),
                ("board CSV, whole county (100,211 rows)", lambda s: "".join(board_csv(s, system, duty_id=None,
                                                                                     day=None, grid_id=None,
                                                                                     now=NOON)), "-"),
            ]  # fmt: skip
            for name, call, target in figures:
                load = load_average()
                first, median = timed(factory, call, repeat)
                rows.append(
                    f"| report {name} | {label}; {grids:,} grids, {CONTACTS:,} contacts, {days} days of reports; "
                    f"load {load} | **{median * 1000:.0f} ms** (first {first * 1000:.0f} ms) | {target} | `{command}` |"
                )
                print(rows[-1], flush=True)
            with factory.begin() as session:
                start = time.perf_counter()
                made = duty_notices_due(session, REMINDER)
            seconds = time.perf_counter() - start
            rows.append(
                f"| report reminder step of the tick, whole county ({len(made)} run) | {label}; 98,000 reporting "
                f"units, 8% of them missing | {seconds:.1f} s | - | `{command}` |"
            )
            print(rows[-1], flush=True)
        finally:
            engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    command = "python bench/report_board.py"
    rows = []
    for backend in args.backends.split(","):
        rows += bench_backend(backend.strip(), args.days, args.repeat, command)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
