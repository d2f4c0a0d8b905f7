"""Migration 0009 carries the runs of the old system campaigns over: duty runs become their duty's, auto-reply runs
`auto_reply`, made-up occurrence times become plain keys, and a duty's cancelled campaign row is a system row again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from campaigns.common import migrate
from campaigns.models.base import UtcDateTime
from tests.campaigns.migrations.test_migrations import scratch_engine  # noqa: F401  (an empty database of the suite's backend)

T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def _insert(connection, table: str, **values) -> int:
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join(f":{name}" for name in values)
    statement = sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id").bindparams(
        *(sa.bindparam(name, type_=UtcDateTime()) for name, value in values.items() if isinstance(value, datetime))
    )
    return connection.execute(statement, values).scalar()


def _old_world(connection) -> dict[str, int]:
    """A duty with its (cancelled) system campaign and runs 1 µs apart, the auto-reply campaign with two runs of a
    day 1 s apart, and a staff campaign with a run, a reminder and an escalation at made-up times."""
    level = connection.execute(sa.text("SELECT id FROM grid_levels WHERE key = 'group'")).scalar()
    top = connection.execute(sa.text("SELECT id FROM grid_levels WHERE key = 'county'")).scalar()
    grid = _insert(connection, "grids", code="623025", name="玛曲县", level_id=top, path="/", depth=0,
                   created_at=T0, updated_at=T0)  # fmt: skip
    connection.execute(sa.text("UPDATE grids SET path = :path WHERE id = :id"), {"path": f"/{grid}/", "id": grid})
    duty = _insert(connection, "report_duties", name="零报告", root_grid_id=grid, level_id=level,
                   reporter_roles="[]", fields="[]", timezone="Asia/Shanghai", deadline="10:00",
                   reminder_times="[]", escalation_delays="[]", texts="{}", active=True, created_at=T0)  # fmt: skip

    def campaign(name: str, status: str, schedule: str) -> int:
        return _insert(connection, "campaigns", name=name, status=status, channels='["sms"]', audience="{}",
                       texts="{}", schedule=schedule, timezone="Asia/Shanghai", expects_reply=False,
                       created_at=T0, updated_at=T0)  # fmt: skip

    def run(campaign_id: int, kind: str, at: datetime, parent: int | None = None) -> int:
        return _insert(connection, "runs", campaign_id=campaign_id, occurrence_at=at, status="done", kind=kind,
                       parent_run_id=parent, planned=1, created_at=at)  # fmt: skip

    ids = {"duty": duty}
    ids["duty_campaign"] = campaign("零报告（提醒与上报）", "cancelled", f'{{"kind": "duty", "duty_id": {duty}}}')
    ids["auto_campaign"] = campaign("自动回复 / auto-replies", "system", '{"kind": "auto_replies"}')
    ids["staff_campaign"] = campaign("疫苗接种提醒", "finished", '{"kind": "now"}')
    ids["reminder"] = run(ids["duty_campaign"], "reminder", T0)
    ids["escalation"] = run(ids["duty_campaign"], "escalation", T0 + timedelta(hours=2, microseconds=1))
    ids["reply_1"] = run(ids["auto_campaign"], "system", T0 - timedelta(hours=8))
    ids["reply_2"] = run(ids["auto_campaign"], "system", T0 - timedelta(hours=8) + timedelta(seconds=1))
    ids["occurrence"] = run(ids["staff_campaign"], "regular", T0)
    ids["follow_up_1"] = run(ids["staff_campaign"], "reminder", T0 + timedelta(microseconds=1), ids["occurrence"])
    ids["follow_up_2"] = run(ids["staff_campaign"], "reminder", T0 + timedelta(microseconds=2), ids["occurrence"])
    ids["escalated"] = run(ids["staff_campaign"], "escalation", T0 + timedelta(microseconds=101), ids["occurrence"])
    for run_id in (ids["reminder"], ids["follow_up_1"]):
        _insert(connection, "outbox", run_id=run_id, grid_id=grid, channel="sms", to="+8613900000001", language="zh",
                body="请报告", segments=1, status="delivered", attempts=1, next_attempt_at=T0)  # fmt: skip
    return ids


def test_0009_carries_system_campaign_runs_over_and_back(scratch_engine):  # noqa: F811
    migrate.upgrade(scratch_engine, "0008")
    with scratch_engine.begin() as connection:
        ids = _old_world(connection)
    migrate.upgrade(scratch_engine, "0009")
    with scratch_engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, kind, run_key, duty_id FROM runs")).all()
        outbox = connection.execute(sa.text("SELECT run_id FROM outbox ORDER BY id")).scalars().all()
        status = connection.execute(sa.text("SELECT status FROM campaigns WHERE id = :id"),
                                    {"id": ids["duty_campaign"]}).scalar()  # fmt: skip
    runs = {row.id: (row.kind, row.run_key, row.duty_id) for row in rows}
    assert runs[ids["reminder"]] == ("duty_reminder", "2026-11-23T00:00:00+00:00", ids["duty"])
    assert runs[ids["escalation"]] == ("duty_escalation", "2026-11-23T02:00:00.000001+00:00", ids["duty"])
    assert runs[ids["reply_1"]] == ("auto_reply", "2026-11-22T16:00:00+00:00", None)
    assert runs[ids["reply_2"]][0] == "auto_reply"
    assert runs[ids["occurrence"]] == ("regular", "2026-11-23T00:00:00+00:00", None)
    occurrence = ids["occurrence"]
    assert runs[ids["follow_up_1"]] == ("reminder", f"{occurrence}:1", None)
    assert runs[ids["follow_up_2"]] == ("reminder", f"{occurrence}:2", None)
    assert runs[ids["escalated"]] == ("escalation", f"{occurrence}:1", None)
    assert status == "system"
    assert outbox == [ids["reminder"], ids["follow_up_1"]]  # the runs' rows survive the copied table
    with scratch_engine.begin() as connection:  # two runs of one row at one time are fine now
        statement = sa.text("UPDATE runs SET occurrence_at = :at WHERE id IN (:a, :b)")
        connection.execute(statement.bindparams(sa.bindparam("at", type_=UtcDateTime())),
                           {"at": T0, "a": ids["reply_1"], "b": ids["reply_2"]})  # fmt: skip
    migrate.downgrade(scratch_engine, "0008")
    with scratch_engine.connect() as connection:
        kinds = dict(connection.execute(sa.text("SELECT id, kind FROM runs")).all())
        times = connection.execute(sa.text("SELECT COUNT(DISTINCT occurrence_at) FROM runs WHERE id IN (:a, :b)"),
                                   {"a": ids["reply_1"], "b": ids["reply_2"]}).scalar()  # fmt: skip
    assert (kinds[ids["reminder"]], kinds[ids["escalation"]], kinds[ids["reply_1"]]) == ("reminder", "escalation",
                                                                                          "system")  # fmt: skip
    assert times == 2
