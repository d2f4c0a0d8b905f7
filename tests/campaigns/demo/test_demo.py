"""The demo counties: shape of the tree, contacts, phones, determinism, refusal on a non-empty database."""

from __future__ import annotations

from collections import Counter

import phonenumbers
import pytest
from sqlalchemy import func, select

from campaigns.common.errors import Conflict
from campaigns.common.phones import normalize_phone
from campaigns.demo import seed
from campaigns.identity import accounts, staff_sessions
from campaigns.models import Contact, ContactTag, Grid, GridLevel
from campaigns.models.base import utcnow
from campaigns.models.grid import subtree_bounds
from gateway.cli.service_commands import demo_command

STATUS_TAGS = {"stable", "monitored", "tracked"}


def _contacts_under(session, code: str, role: str | None = None) -> int:
    grid = session.scalar(select(Grid).where(Grid.code == code))
    low, high = subtree_bounds(grid.path)
    query = select(func.count(Contact.id)).join(Grid, Contact.grid_id == Grid.id).where(Grid.path >= low)
    query = query.where(Grid.path < high)
    if role:
        query = query.where(Contact.role == role)
    return session.scalar(query)


def test_demo_builds_two_counties_with_about_three_thousand_contacts(session):
    summary = seed.load_demo(session)

    assert summary["counties"] == ["玛曲县", "同仁县"]
    assert session.scalar(select(func.count(Grid.id))) == summary["grids"]
    assert session.scalar(select(func.count(Contact.id))) == summary["contacts"]
    assert 2_500 <= summary["contacts"] <= 3_500
    roots = session.scalars(select(Grid).where(Grid.parent_id.is_(None)).order_by(Grid.code)).all()
    assert [(g.code, g.name) for g in roots] == [("623025", "玛曲县"), ("632321", "同仁县")]
    townships = session.scalars(select(Grid.name).where(Grid.parent_id == roots[1].id).order_by(Grid.code)).all()
    assert townships == ["隆务镇", "加吾乡", "年都乎乡"]
    assert summary["grids_by_level"]["county"] == 2
    assert summary["contacts_by_role"].keys() == {"grid_leader", "grid_worker", "liaison", "household_head"}


def test_qihama_has_seventy_liaisons_mostly_tibetan_speaking_herders(session):
    seed.load_demo(session)

    assert _contacts_under(session, "623025101", role="liaison") == 70
    grid = session.scalar(select(Grid).where(Grid.code == "623025101"))
    low, high = subtree_bounds(grid.path)
    in_town = select(Contact).join(Grid, Contact.grid_id == Grid.id).where(Grid.path >= low, Grid.path < high)
    people = session.scalars(in_town).all()
    languages = Counter(contact.language for contact in people)
    assert languages["bo"] / len(people) > 0.85
    heads = [contact for contact in people if contact.role == "household_head"]
    assert sum("herder" in contact.tags for contact in heads) / len(heads) > 0.6


def test_every_grid_sits_at_its_level_with_a_consistent_path(session):
    seed.load_demo(session)

    grids = {grid.id: grid for grid in session.scalars(select(Grid))}
    ranks = dict(session.execute(select(GridLevel.key, GridLevel.rank)).all())
    for grid in grids.values():
        assert grid.depth == ranks[grid.level.key] - 1, grid.code
        parent = grids.get(grid.parent_id)
        assert grid.path == f"{parent.path if parent else '/'}{grid.id}/", grid.code
        if parent:
            assert grid.code.startswith(parent.code) and len(grid.code) > len(parent.code)


def test_roles_live_at_the_right_levels_and_households_carry_one_status(session):
    seed.load_demo(session)

    query = select(Contact.role, GridLevel.key).join(Grid, Contact.grid_id == Grid.id).join(GridLevel)
    rows = session.execute(query).all()
    levels_by_role = {role: {level for r, level in rows if r == role} for role, _ in rows}
    assert levels_by_role["liaison"] == {"unit"}
    assert levels_by_role["household_head"] == {"unit"}
    assert levels_by_role["grid_leader"] == {"county", "township", "village", "group"}
    assert levels_by_role["grid_worker"] == {"county", "township", "village"}
    units = session.scalars(select(Grid.id).join(GridLevel).where(GridLevel.key == "unit")).all()
    liaisons = Counter(session.scalars(select(Contact.grid_id).where(Contact.role == "liaison")))
    assert all(liaisons[unit] == 1 for unit in units)
    for contact in session.scalars(select(Contact)):
        status = STATUS_TAGS & set(contact.tags)
        assert len(status) == (1 if contact.role == "household_head" else 0), contact.name
        assert contact.language in ("bo", "zh")
        assert contact.channels in (["sms", "voice"], ["voice"])
    tags = Counter(session.scalars(select(ContactTag.tag)))
    assert tags["stable"] > tags["monitored"] > tags["tracked"] > 0


def test_phones_are_unique_valid_chinese_mobiles(session):
    seed.load_demo(session)

    phones = session.scalars(select(Contact.phone)).all()
    assert len(phones) == len(set(phones))
    for phone in phones:
        assert phone.startswith("+861380000")
        assert normalize_phone(phone) == phone
        assert phonenumbers.number_type(phonenumbers.parse(phone)) == phonenumbers.PhoneNumberType.MOBILE


def test_demo_is_deterministic(session):
    def snapshot():
        query = select(Contact.name, Contact.phone, Grid.code, Contact.role, Contact.language).join(Grid)
        return session.execute(query.order_by(Contact.phone)).all()

    seed.load_demo(session)
    first = snapshot()
    session.rollback()
    assert seed.is_empty(session)
    seed.load_demo(session)

    assert snapshot() == first
    assert any(name in {row.name for row in first} for name in ("才让", "卓玛", "扎西", "拉毛", "多杰", "央金"))


def test_demo_refuses_a_database_that_has_grids(session, tree):
    with pytest.raises(Conflict):
        seed.load_demo(session)
    assert session.scalar(select(func.count(Contact.id))) == 0


def test_demo_refuses_to_load_twice(session):
    seed.load_demo(session)
    count = session.scalar(select(func.count(Contact.id)))

    with pytest.raises(Conflict):
        seed.load_demo(session)
    assert session.scalar(select(func.count(Contact.id))) == count


def test_demo_admin_can_log_in_and_use_its_token(session):
    seed.load_demo(session)
    admin = seed.create_demo_admin(session)

    by_token = accounts.authenticate_token(session, admin["token"])
    by_password = staff_sessions.log_in(session, "demo-admin", admin["password"], "127.0.0.1", utcnow()).actor
    assert by_token.is_admin and by_token.scope_path is None
    assert by_password.user_id == by_token.user_id
    with pytest.raises(Conflict):
        seed.create_demo_admin(session)


def test_gridcast_demo_command_loads_once_and_prints_a_working_token(app, session_factory):
    runner = app.test_cli_runner()

    first = runner.invoke(demo_command, ["--with-admin"])
    again = runner.invoke(demo_command)

    assert first.exit_code == 0, first.output
    assert "loaded 玛曲县, 同仁县" in first.output and "liaison 258" in first.output
    token = first.output.rsplit("API token (shown once): ", 1)[1].strip()
    with session_factory() as session:
        assert accounts.authenticate_token(session, token).is_admin
    assert again.exit_code == 1
    assert "already has grids" in again.output
