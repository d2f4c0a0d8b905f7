"""Test data builders."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from campaigns.broadcasts.campaign_service import create_campaign
from campaigns.directory.grids import insert_grid, level_lookup
from campaigns.identity.access import Actor
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


NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai


def add_people(session: Session, tree: dict[str, int]) -> None:
    """Six contacts: two reachable in 秀玛村一组, an English speaker, a voice-only, an opted-out, one in 欧拉镇."""
    add_contact(session, tree["62302510120101"], "+8613800000001", "才让", language="bo")
    add_contact(session, tree["62302510120101"], "+8613800000002", "王芳", language="zh")
    add_contact(session, tree["623025101202"], "+8613800000003", "Tom", language="en")
    add_contact(session, tree["623025101202"], "+8613800000004", "扎西", language="bo", channels=["voice"])
    add_contact(session, tree["623025101202"], "+8613800000005", "拉毛", language="zh", opted_out_at=NOW)
    add_contact(session, tree["623025102201"], "+8613800000006", "多杰", language="zh")


def make_campaign(session: Session, tree: dict[str, int], **overrides) -> dict:
    """A draft SMS campaign to 齐哈玛镇 in Chinese and Tibetan, Chinese as the fallback."""
    data = {
        "name": "疫苗接种提醒",
        "audience": {"grid_ids": [tree["623025101"]]},
        "texts": {"zh": "{name}，明天9:00在乡卫生院接种疫苗。", "bo": "{name} སང་ཉིན་ཆུ་ཚོད་9ལ་ཁྱབ་སྣོན།"},
        "fallback_language": "zh",
    }
    data.update(overrides)
    return create_campaign(session, Actor.system(), data)
