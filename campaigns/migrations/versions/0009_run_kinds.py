"""run kinds (issue 11): automatic runs get their own kind, owner and natural key instead of made-up times

Each run gets a `run_key`, unique per campaign row and kind (instead of the occurrence time), and duty runs their
`duty_id`. Existing runs are carried over: a duty's reminder and escalation runs become `duty_reminder` and
`duty_escalation` of their duty, auto-reply runs (`system`) become `auto_reply`, and the runs already made keep
their occurrence time as their key (confirmation follow-ups get "<run>:<number>"). A duty's system campaign that
staff had cancelled is made a system campaign again (the cancel never stopped the duty). Duties get `ended_at`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:00:00
"""

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

campaigns = sa.table(
    "campaigns", sa.column("id", sa.Integer), sa.column("status", sa.String), sa.column("schedule", sa.JSON),
    sa.column("next_run_at", sa.DateTime(timezone=True)),
)  # fmt: skip
runs = sa.table(
    "runs", sa.column("id", sa.Integer), sa.column("campaign_id", sa.Integer), sa.column("kind", sa.String),
    sa.column("occurrence_at", sa.DateTime(timezone=True)), sa.column("parent_run_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("run_key", sa.String),
    sa.column("duty_id", sa.Integer),
)  # fmt: skip
DUTY_KINDS = {"reminder": "duty_reminder", "escalation": "duty_escalation"}
OLD_KINDS = {"duty_reminder": "reminder", "duty_escalation": "escalation", "auto_reply": "system"}


def _utc(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _schedule(raw) -> dict:
    value = json.loads(raw) if isinstance(raw, str) else raw
    return value if isinstance(value, dict) else {}


def upgrade() -> None:
    with op.batch_alter_table("report_duties") as batch:
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("run_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("duty_id", sa.Integer(), nullable=True))
    _carry_runs_over(op.get_bind())
    with op.batch_alter_table("runs") as batch:
        batch.alter_column("run_key", existing_type=sa.String(64), nullable=False)
        batch.drop_constraint("uq_runs_campaign_occurrence", type_="unique")
        batch.create_unique_constraint("uq_runs_campaign_kind_key", ["campaign_id", "kind", "run_key"])
        batch.create_index(batch.f("ix_runs_duty_id"), ["duty_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_runs_duty_id_report_duties"), "report_duties", ["duty_id"], ["id"], ondelete="CASCADE"
        )


def _carry_runs_over(bind) -> None:
    owners: dict[int, tuple[str, int | None]] = {}
    for row in bind.execute(sa.select(campaigns.c.id, campaigns.c.status, campaigns.c.schedule)):
        schedule = _schedule(row.schedule)
        if row.status in ("system", "cancelled") and schedule.get("kind") == "duty":
            owners[row.id] = ("duty", schedule.get("duty_id"))
            if row.status == "cancelled":
                bind.execute(campaigns.update().where(campaigns.c.id == row.id).values(status="system",
                                                                                       next_run_at=None))  # fmt: skip
        elif row.status == "system" and schedule.get("kind") == "auto_replies":
            owners[row.id] = ("auto_replies", None)
    numbers: dict[tuple[int, str], int] = defaultdict(int)
    rows = bind.execute(
        sa.select(runs.c.id, runs.c.campaign_id, runs.c.kind, runs.c.occurrence_at, runs.c.parent_run_id)
        .order_by(runs.c.created_at, runs.c.id)
    ).all()  # fmt: skip
    for row in rows:
        owner, duty_id = owners.get(row.campaign_id, ("campaign", None))
        kind, key = row.kind, _utc(row.occurrence_at).isoformat()
        if owner == "duty":
            kind = DUTY_KINDS.get(row.kind, row.kind)
        elif owner == "auto_replies":
            kind = "auto_reply"
        elif row.parent_run_id is not None:
            numbers[(row.parent_run_id, row.kind)] += 1
            key = f"{row.parent_run_id}:{numbers[(row.parent_run_id, row.kind)]}"
        bind.execute(runs.update().where(runs.c.id == row.id).values(kind=kind, run_key=key, duty_id=duty_id))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("fk_runs_duty_id_report_duties", type_="foreignkey")
        batch.drop_index("ix_runs_duty_id")
        batch.drop_constraint("uq_runs_campaign_kind_key", type_="unique")
    _old_kinds_and_distinct_times(op.get_bind())
    with op.batch_alter_table("runs") as batch:
        batch.create_unique_constraint("uq_runs_campaign_occurrence", ["campaign_id", "occurrence_at"])
        batch.drop_column("duty_id")
        batch.drop_column("run_key")
    with op.batch_alter_table("report_duties") as batch:
        batch.drop_column("ended_at")


def _old_kinds_and_distinct_times(bind) -> None:
    """The old kinds, and runs of one campaign row at the same time moved apart by microseconds (the old key)."""
    taken: set[tuple[int, datetime]] = set()
    rows = bind.execute(sa.select(runs.c.id, runs.c.campaign_id, runs.c.kind, runs.c.occurrence_at)
                        .order_by(runs.c.id)).all()  # fmt: skip
    for row in rows:
        occurrence = _utc(row.occurrence_at)
        while (row.campaign_id, occurrence) in taken:
            occurrence += timedelta(microseconds=1)
        taken.add((row.campaign_id, occurrence))
        values = {"kind": OLD_KINDS.get(row.kind, row.kind)}
        if occurrence != _utc(row.occurrence_at):
            values["occurrence_at"] = occurrence
        bind.execute(runs.update().where(runs.c.id == row.id).values(**values))
