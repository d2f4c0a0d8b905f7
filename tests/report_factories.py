"""Test data for daily reports: four groups under 齐哈玛镇 with their reporters and leaders, and a duty over them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from campaigns.directory.grids import insert_grid, level_lookup
from campaigns.identity.access import Actor
from campaigns.models import Grid
from campaigns.reports.report_duties import create_duty
from tests.factories import add_contact

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 23, tzinfo=SHANGHAI)

# code, name, level, parent code (added to the tree of tests/factories.py)
EXTRA_GRIDS = [
    ("62302510120102", "秀玛村二组", "group", "623025101201"),
    ("62302510120201", "萨合塘村一组", "group", "623025101202"),
    ("62302510120202", "萨合塘村二组", "group", "623025101202"),
]
# name, phone, grid code, role
PEOPLE = [
    ("一组长", "+8613900000001", "62302510120101", "grid_leader"),
    ("一组联户长", "+8613900000002", "6230251012010101", "liaison"),
    ("二组长", "+8613900000003", "62302510120102", "grid_leader"),
    ("萨一组长", "+8613900000004", "62302510120201", "grid_leader"),
    ("萨二组长", "+8613900000005", "62302510120202", "grid_leader"),
    ("秀玛村长", "+8613900000006", "623025101201", "grid_leader"),
    ("萨合塘村长", "+8613900000007", "623025101202", "grid_leader"),
    ("镇网格长", "+8613900000008", "623025101", "grid_leader"),
    ("户主甲", "+8613900000009", "6230251012010101", "household_head"),
    ("欧拉组长", "+8613900000010", "62302510220101", "grid_leader"),
]
GROUPS = ["62302510120101", "62302510120102", "62302510120201", "62302510120202"]


def local(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """The UTC instant of a local (Asia/Shanghai) time on 2026-11-23 (+ `days`)."""
    return (DAY + timedelta(days=days)).replace(hour=hour, minute=minute).astimezone(UTC)


def build_report_world(session: Session, tree: dict[str, int]) -> dict[str, int]:
    """Codes -> grid ids (the base tree plus EXTRA_GRIDS) and names -> contact ids (PEOPLE)."""
    levels = level_lookup(session)
    ids = dict(tree)
    for code, name, level, parent in EXTRA_GRIDS:
        parent_grid = session.get(Grid, ids[parent])
        ids[code] = insert_grid(session, code=code, name=name, level=levels[level], parent=parent_grid).id
    for name, phone, code, role in PEOPLE:
        ids[name] = add_contact(session, ids[code], phone, name, role=role).id
    return ids


def make_duty(session: Session, world: dict[str, int], now: datetime | None = None, **overrides) -> dict:
    """Every group of 齐哈玛镇 reports by 10:00; reminders at 08:00 and 09:30; escalation at 10:00 and 11:00."""
    data = {
        "name": "疫情零报告",
        "root_grid_id": world["623025101"],
        "level": "group",
        "deadline": "10:00",
        "reminder_times": ["08:00", "09:30"],
        "escalation_delays": [0, 60],
        "fields": [
            {"key": "returnees", "label": "返乡人员", "names": ["返乡", "返乡人员"]},
            {"key": "fever", "label": "发热", "names": ["发热", "发烧"]},
        ],
        "texts": {
            "reminder": {"zh": "{name}：请在{deadline}前报告{grid}今日情况，无事回复0。"},
            "escalation": {"zh": "{name}：{grid}下{count}个网格未报告：{missing}"},
        },
    }
    data.update(overrides)
    return create_duty(session, Actor.system(), data, now=now or local(0))


def duty_world(session: Session, tree: dict[str, int]) -> dict[str, int]:
    """The report world with the default duty (`make_duty`), its id under "duty"."""
    world = build_report_world(session, tree)
    world["duty"] = make_duty(session, world)["id"]
    return world
