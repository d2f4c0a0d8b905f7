"""import jobs (issue 12): an import's status, progress and error, and the upload a queued import waits with

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-03 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_reports") as batch:
        batch.add_column(sa.Column("status", sa.String(10), nullable=False, server_default="done"))
        batch.add_column(sa.Column("progress_done", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("progress_total", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("error", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "import_uploads",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["import_reports.id"],
            name=op.f("fk_import_uploads_import_id_import_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", name=op.f("pk_import_uploads")),
    )


def downgrade() -> None:
    op.drop_table("import_uploads")
    with op.batch_alter_table("import_reports") as batch:
        for column in ("finished_at", "started_at", "error", "progress_total", "progress_done", "status"):
            batch.drop_column(column)
