"""Demo data: two pastoral counties with their grid tree, grid staff, liaisons and households, and a demo admin.

Everything is generated from campaigns/demo/data.py with a seeded random generator, so every load gives the same
names, numbers and tags. Phone numbers are the plainly fake sequence +86 138 0000 0001, 0002... (valid CN mobile
numbers, so they pass validation like real ones).
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from campaigns.common.errors import Conflict
from campaigns.demo.data import (
    CHINESE_GIVEN,
    CHINESE_SURNAMES,
    COUNTIES,
    HERDER_SHARE,
    HOUSEHOLDS_PER_UNIT,
    PHONE_PATTERN,
    TAG_SHARES,
    TIBETAN_FIRST,
    TIBETAN_SECOND,
    VOICE_ONLY_SHARE,
    chinese_number,
)
from campaigns.directory.grids import level_lookup
from campaigns.identity import accounts
from campaigns.identity.access import Actor
from campaigns.models import Channel, Contact, ContactRole, ContactTag, Grid, StaffRole

DEMO_SEED = 623025
DEMO_ADMIN_USERNAME = "demo-admin"

# (role, how many) for the staff attached to each level; household units get a liaison and households instead.
STAFF_PER_LEVEL = {
    "county": ((ContactRole.GRID_LEADER, 1), (ContactRole.GRID_WORKER, 2)),
    "township": ((ContactRole.GRID_LEADER, 1), (ContactRole.GRID_WORKER, 2)),
    "village": ((ContactRole.GRID_LEADER, 1), (ContactRole.GRID_WORKER, 1)),
    "group": ((ContactRole.GRID_LEADER, 1),),
}


@dataclass(frozen=True)
class _GridPlan:
    code: str
    name: str
    level: str
    parent_code: str | None
    depth: int
    tibetan_share: float
    herders: bool


@dataclass(frozen=True)
class _PersonPlan:
    grid_code: str
    name: str
    role: str
    language: str
    channels: list[str]
    tags: list[str]


def is_empty(session: Session) -> bool:
    """True when the database has no grids (and so no contacts): the only state the demo loads into."""
    return session.scalar(select(Grid.id).limit(1)) is None


def load_demo(session: Session, seed: int = DEMO_SEED) -> dict[str, Any]:
    """Load the demo counties (玛曲县 and 同仁县) with about 3,000 contacts into an empty database.

    Grids and contacts are inserted in bulk, a few statements per level. Raises Conflict when the database already
    has grids, so the demo never mixes with real data. Returns counts by level, role and language.
    """
    if not is_empty(session):
        raise Conflict.coded(
            "demo.database_not_empty", "the database already has grids; the demo loads only into an empty database"
        )
    grids = _plan_grids()
    people = _plan_people(grids, random.Random(seed))
    grid_ids = _insert_grids(session, grids)
    _insert_people(session, people, grid_ids)
    return {
        "counties": [county.name for county in COUNTIES],
        "grids": len(grids),
        "grids_by_level": dict(Counter(grid.level for grid in grids)),
        "contacts": len(people),
        "contacts_by_role": dict(Counter(person.role for person in people)),
        "contacts_by_language": dict(Counter(person.language for person in people)),
    }


def create_demo_admin(session: Session, username: str = DEMO_ADMIN_USERNAME) -> dict[str, str]:
    """Create an unscoped admin with a random password and an API token; both are returned once, never stored."""
    password = secrets.token_urlsafe(12)
    accounts.create_user(
        session, Actor.system(), username=username, role=StaffRole.ADMIN, password=password, display_name="Demo admin"
    )
    token = accounts.create_token(session, Actor.system(), username=username, name="demo")["token"]
    return {"username": username, "password": password, "token": token}


def _plan_grids() -> list[_GridPlan]:
    plans: list[_GridPlan] = []
    for county in COUNTIES:
        plans.append(_GridPlan(county.code, county.name, "county", None, 0, county.tibetan_share, False))
        for town in county.townships:
            share, herders = town.tibetan_share, town.herders
            plans.append(_GridPlan(town.code, town.name, "township", county.code, 1, share, herders))
            for v, (village, groups) in enumerate(town.villages, start=1):
                village_code = f"{town.code}{200 + v}"
                plans.append(_GridPlan(village_code, village, "village", town.code, 2, share, herders))
                for g in range(1, groups + 1):
                    group_code, group_name = f"{village_code}{g:02d}", f"{village}{chinese_number(g)}组"
                    plans.append(_GridPlan(group_code, group_name, "group", village_code, 3, share, herders))
                    for u in range(1, town.units_per_group + 1):
                        unit_name = f"{group_name}第{chinese_number(u)}联户"
                        plans.append(
                            _GridPlan(f"{group_code}{u:02d}", unit_name, "unit", group_code, 4, share, herders)
                        )
    return plans


def _plan_people(grids: list[_GridPlan], rng: random.Random) -> list[_PersonPlan]:
    people: list[_PersonPlan] = []
    for grid in grids:
        if grid.level == "unit":
            people.append(_person(grid, ContactRole.LIAISON, rng))
            households = rng.randint(*HOUSEHOLDS_PER_UNIT)
            people.extend(_person(grid, ContactRole.HOUSEHOLD_HEAD, rng) for _ in range(households))
        else:
            for role, count in STAFF_PER_LEVEL[grid.level]:
                people.extend(_person(grid, role, rng) for _ in range(count))
    return people


def _person(grid: _GridPlan, role: str, rng: random.Random) -> _PersonPlan:
    tibetan = rng.random() < grid.tibetan_share
    if tibetan:
        first, second = rng.choice(TIBETAN_FIRST), rng.choice(TIBETAN_SECOND)
        name = first + (second if second != first else "")
    else:
        name = rng.choice(CHINESE_SURNAMES) + rng.choice(CHINESE_GIVEN)
    channels: list[str] = [Channel.SMS, Channel.VOICE]
    tags: list[str] = []
    if role == ContactRole.HOUSEHOLD_HEAD:
        tags.append(rng.choices([tag for tag, _ in TAG_SHARES], weights=[share for _, share in TAG_SHARES])[0])
        if grid.herders and rng.random() < HERDER_SHARE:
            tags.append("herder")
        if tibetan and rng.random() < VOICE_ONLY_SHARE:
            channels = [Channel.VOICE]
    return _PersonPlan(grid.code, name, role, "bo" if tibetan else "zh", channels, sorted(tags))


def _insert_grids(session: Session, grids: list[_GridPlan]) -> dict[str, int]:
    """Insert the tree one depth at a time: the rows with a placeholder path, then their real paths by id."""
    levels = {level.key: level.id for level in level_lookup(session).values()}
    ids: dict[str, int] = {}
    paths: dict[str, str] = {}
    for depth in sorted({grid.depth for grid in grids}):
        batch = [grid for grid in grids if grid.depth == depth]
        rows = [
            {
                "code": grid.code,
                "name": grid.name,
                "level_id": levels[grid.level],
                "parent_id": ids[grid.parent_code] if grid.parent_code else None,
                "path": f"/new:{grid.code}/",
                "depth": depth,
            }
            for grid in batch
        ]
        inserted = session.execute(insert(Grid).returning(Grid.id, sort_by_parameter_order=True), rows).scalars()
        for grid, grid_id in zip(batch, inserted, strict=True):
            ids[grid.code] = grid_id
            paths[grid.code] = f"{paths[grid.parent_code] if grid.parent_code else '/'}{grid_id}/"
        session.execute(update(Grid), [{"id": ids[grid.code], "path": paths[grid.code]} for grid in batch])
    return ids


def _insert_people(session: Session, people: list[_PersonPlan], grid_ids: dict[str, int]) -> None:
    rows = [
        {
            "name": person.name,
            "phone": PHONE_PATTERN.format(number),
            "grid_id": grid_ids[person.grid_code],
            "role": person.role,
            "language": person.language,
            "channels": person.channels,
            "households": 1,
        }
        for number, person in enumerate(people, start=1)
    ]
    inserted = session.execute(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), rows).scalars()
    tag_rows = [
        {"contact_id": contact_id, "tag": tag}
        for person, contact_id in zip(people, inserted, strict=True)
        for tag in person.tags
    ]
    if tag_rows:
        session.execute(insert(ContactTag), tag_rows)
