"""daily report lines (issue 11): each reporter's latest numbers in a grid's daily report

Every existing report gets one line for the reporter it names (its last reporter), with the report's counts and
text: earlier reporters' numbers were already merged into those counts and cannot be told apart.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_report_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("inbound_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_daily_report_lines_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["inbound_id"],
            ["inbound_messages.id"],
            name=op.f("fk_daily_report_lines_inbound_id_inbound_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["daily_reports.id"],
            name=op.f("fk_daily_report_lines_report_id_daily_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_report_lines")),
        sa.UniqueConstraint("report_id", "contact_id", name="uq_daily_report_lines_report_contact"),
    )
    with op.batch_alter_table("daily_report_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_daily_report_lines_report_id"), ["report_id"], unique=False)
    op.execute(
        "INSERT INTO daily_report_lines (report_id, contact_id, counts, text, inbound_id, reported_at) "
        "SELECT id, contact_id, counts, text, inbound_id, reported_at FROM daily_reports"
    )


def downgrade() -> None:
    with op.batch_alter_table("daily_report_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_daily_report_lines_report_id"))
    op.drop_table("daily_report_lines")
