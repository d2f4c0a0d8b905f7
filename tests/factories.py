"""Test data builders."""

from __future__ import annotations

from sqlalchemy.orm import Session

from campaigns.grids import insert_grid, level_lookup
from campaigns.models import Contact, Grid

# code, name, level, parent code
DEMO_TREE = [
    ("623025", "玛曲县", "county", None),
    ("623025101", "齐哈玛镇", "township", "623025"),
    ("623025101201", "秀玛村", "village", "623025101"),
    ("62302510120101", "秀玛村一组", "group", "623025101201"),
    ("6230251012010101", "一组第一联户", "unit", "62302510120101"),
    ("623025101202", "萨合塘村", "village", "623025101"),
    ("623025102", "欧拉镇", "township", "623025"),
    ("623025102201", "达尔庆村", "village", "623025102"),
    ("62302510220101", "达尔庆村一组", "group", "623025102201"),
]


def build_demo_tree(session: Session) -> dict[str, int]:
    levels = level_lookup(session)
    grids: dict[str, Grid] = {}
    for code, name, level, parent in DEMO_TREE:
        grids[code] = insert_grid(session, code=code, name=name, level=levels[level], parent=grids.get(parent))
    return {code: grid.id for code, grid in grids.items()}


def add_contact(session: Session, grid_id: int, phone: str, name: str = "测试", **fields) -> Contact:
    contact = Contact(
        name=name,
        phone=phone,
        grid_id=grid_id,
        role=fields.pop("role", "household_head"),
        language=fields.pop("language", "zh"),
        channels=fields.pop("channels", ["sms", "voice"]),
        **fields,
    )
    session.add(contact)
    session.flush()
    return contact
