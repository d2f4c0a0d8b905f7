"""What the sending benchmarks share: a throw-away database of either backend, a county of grids with many
contacts written in bulk, the campaign to all of them, the bench Redis database and the machine's load.

Contacts are written with the driver's fastest path (COPY on PostgreSQL, executemany on SQLite), not through the
services: the benchmarks time what comes after (planning, sending), not the fixture. PostgreSQL then gets the
ANALYZE that autovacuum runs soon after a bulk load: without statistics its planner joins a million fresh contacts
to the grids with a nested loop (198 s instead of 12 s for the planning INSERT ... SELECT, measured).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.common import migrate
from campaigns.common.db import make_engine, make_session_factory
from campaigns.directory.grids import insert_grid, level_lookup
from campaigns.identity.access import Actor

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/14"
TEXTS = {
    "zh": "{name}，请在今天10点前报告本网格情况，无事回复0，有情况请回复1并说明。",
    "bo": "{name} ཉིན་རེའི་སྙན་ཞུ། 0",
}
CREATED_AT = "2026-11-23 02:00:00.000000"


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    """A fresh, migrated database URL of `backend` ("sqlite" or "postgresql"), dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="gridcast-bench-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            _migrate(url)
            yield url
        return
    name = f"gridcast_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        _migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()


def populate(engine: Engine, contacts: int, townships: int = 10, villages: int = 10, groups: int = 10) -> int:
    """A county of 1 + t + t*v + t*v*g grids and `contacts` SMS contacts spread over its groups; the county id."""
    factory = make_session_factory(engine)
    with factory.begin() as session:
        levels = level_lookup(session)
        county = insert_grid(session, code="623025", name="玛曲县", level=levels["county"], parent=None)
        county_id, group_ids = county.id, []
        for t in range(1, townships + 1):
            town = insert_grid(session, code=f"623025{t:03d}", name=f"第{t}镇", level=levels["township"], parent=county)
            for v in range(1, villages + 1):
                village = insert_grid(
                    session, code=f"{town.code}{v:03d}", name=f"{t}镇{v}村", level=levels["village"], parent=town
                )
                for g in range(1, groups + 1):
                    group = insert_grid(
                        session,
                        code=f"{village.code}{g:02d}",
                        name=f"{v}村{g}组",
                        level=levels["group"],
                        parent=village,
                    )
                    group_ids.append(group.id)
    rows = (
        (f"联系人{n}", f"+86138{n:08d}", group_ids[n % len(group_ids)], "zh" if n % 3 else "bo")
        for n in range(contacts)
    )
    if engine.dialect.name == "postgresql":
        _copy_contacts(engine, rows)
        with engine.begin() as connection:
            connection.execute(text("ANALYZE grids, contacts"))  # what autovacuum does soon after a bulk load
    else:
        _insert_contacts(engine, rows)
    return county_id


CONTACT_COLUMNS = "name, phone, grid_id, role, language, channels, households, created_at, updated_at"


def _copy_contacts(engine: Engine, rows) -> None:
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor, cursor.copy(f"COPY contacts ({CONTACT_COLUMNS}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for count, (name, phone, grid_id, language) in enumerate(rows, 1):
                buffer.write(
                    f'{name}\t{phone}\t{grid_id}\thousehold_head\t{language}\t["sms", "voice"]\t1\t'
                    f"{CREATED_AT}+00\t{CREATED_AT}+00\n"
                )
                if count % 50_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()


def _insert_contacts(engine: Engine, rows) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.executemany(
            f"INSERT INTO contacts ({CONTACT_COLUMNS}) VALUES (?, ?, ?, 'household_head', ?, '[\"sms\", \"voice\"]', "
            f"1, '{CREATED_AT}', '{CREATED_AT}')",
            rows,
        )
        raw.commit()
    finally:
        raw.close()


def draft_campaign(engine: Engine, county_id: int) -> int:
    """A draft SMS campaign to the whole county, in Chinese and Tibetan, with the recipient's name in the text."""
    factory = make_session_factory(engine)
    with factory.begin() as session:
        data = {
            "name": "每日零报告提醒",
            "audience": {"grid_ids": [county_id]},
            "texts": TEXTS,
            "fallback_language": "zh",
        }
        return create_campaign(session, Actor.system(), data)["id"]


def load_average() -> str:
    """The 1-minute load average, to judge how busy the (shared, 2-core) machine was during a figure."""
    return f"{os.getloadavg()[0]:.1f}"


def print_each_backend(choice: str, run: Callable[[str, Path], str]) -> None:
    """Print `run(backend, workdir)` for the chosen backend ("sqlite", "postgresql", or "both": one after the other),
    with one temporary folder for the whole run."""
    backends = ["sqlite", "postgresql"] if choice == "both" else [choice]
    with tempfile.TemporaryDirectory() as workdir:
        for backend in backends:
            print(run(backend, Path(workdir)), flush=True)
