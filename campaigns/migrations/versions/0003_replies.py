"""replies confirmations reports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 17:09:36.924717
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auto_reply_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auto_reply_texts")),
        sa.UniqueConstraint("language", "intent", name="uq_auto_reply_texts"),
    )
    op.create_table(
        "reply_keywords",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=16), nullable=False),
        sa.Column("keyword", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_keywords")),
        sa.UniqueConstraint("language", "intent", "keyword", name="uq_reply_keywords"),
    )
    op.create_table(
        "report_duties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("root_grid_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column("reporter_roles", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("deadline", sa.String(length=5), nullable=False),
        sa.Column("reminder_times", sa.JSON(), nullable=False),
        sa.Column("escalation_delays", sa.JSON(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["level_id"], ["grid_levels.id"], name=op.f("fk_report_duties_level_id_grid_levels"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["root_grid_id"], ["grids.id"], name=op.f("fk_report_duties_root_grid_id_grids"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_duties")),
    )
    op.create_table(
        "duty_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["duty_id"], ["report_duties.id"], name=op.f("fk_duty_notices_duty_id_report_duties"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_notices")),
        sa.UniqueConstraint("duty_id", "day", "grid_id", "step", name="uq_duty_notices"),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_sid", sa.String(length=64), nullable=False),
        sa.Column("from_phone", sa.String(length=32), nullable=False),
        sa.Column("to_phone", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("intent", sa.String(length=16), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_inbound_messages_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_inbound_messages_run_id_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("provider", "provider_sid", name="uq_inbound_provider_sid"),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_from_received", ["from_phone", "received_at"], unique=False)
        batch_op.create_index("ix_inbound_intent_reviewed", ["intent", "reviewed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_messages_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_messages_run_id"), ["run_id"], unique=False)

    op.create_table(
        "confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("inbound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_confirmations_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["inbound_messages.id"],
            name=op.f("fk_confirmations_inbound_id_inbound_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_confirmations_run_id_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confirmations")),
        sa.UniqueConstraint("run_id", "contact_id", name="uq_confirmations_run_contact"),
    )
    with op.batch_alter_table("confirmations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_confirmations_run_id"), ["run_id"], unique=False)

    op.create_table(
        "daily_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("inbound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_daily_reports_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["duty_id"], ["report_duties.id"], name=op.f("fk_daily_reports_duty_id_report_duties"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grids.id"], name=op.f("fk_daily_reports_grid_id_grids"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["handled_by"], ["users.id"], name=op.f("fk_daily_reports_handled_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["inbound_messages.id"],
            name=op.f("fk_daily_reports_inbound_id_inbound_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_reports")),
        sa.UniqueConstraint("duty_id", "grid_id", "day", name="uq_daily_reports_duty_grid_day"),
    )
    with op.batch_alter_table("daily_reports", schema=None) as batch_op:
        batch_op.create_index("ix_daily_reports_day_kind", ["day", "kind"], unique=False)
        batch_op.create_index("ix_daily_reports_duty_day_kind", ["duty_id", "day", "kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_daily_reports_grid_id"), ["grid_id"], unique=False)

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmation", sa.JSON(), nullable=True))

    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="regular"))
        batch_op.add_column(sa.Column("parent_run_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_runs_parent_run_id"), ["parent_run_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_runs_parent_run_id_runs"), "runs", ["parent_run_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_runs_parent_run_id_runs"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_runs_parent_run_id"))
        batch_op.drop_column("parent_run_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("confirmation")

    with op.batch_alter_table("daily_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_daily_reports_grid_id"))
        batch_op.drop_index("ix_daily_reports_duty_day_kind")
        batch_op.drop_index("ix_daily_reports_day_kind")

    op.drop_table("daily_reports")
    with op.batch_alter_table("confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confirmations_run_id"))

    op.drop_table("confirmations")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_messages_run_id"))
        batch_op.drop_index(batch_op.f("ix_inbound_messages_contact_id"))
        batch_op.drop_index("ix_inbound_intent_reviewed")
        batch_op.drop_index("ix_inbound_from_received")

    op.drop_table("inbound_messages")
    op.drop_table("duty_notices")
    op.drop_table("report_duties")
    op.drop_table("reply_keywords")
    op.drop_table("auto_reply_texts")
