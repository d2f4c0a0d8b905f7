"""keyword scopes (issue 12): a reply keyword applies inside the grid scope of whoever added it

Existing keywords keep a NULL scope: they are global, as an admin's keywords are.

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-03 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reply_keywords") as batch:
        batch.add_column(sa.Column("scope_grid_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reply_keywords_scope_grid_id_grids"), "grids", ["scope_grid_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index(op.f("ix_reply_keywords_scope_grid_id"), ["scope_grid_id"], unique=False)
        batch.drop_constraint("uq_reply_keywords", type_="unique")
        batch.create_unique_constraint("uq_reply_keywords", ["language", "intent", "keyword", "scope_grid_id"])


def downgrade() -> None:
    """Scoped keywords cannot be told apart from global ones without the column: they are dropped."""
    op.execute(sa.text("DELETE FROM reply_keywords WHERE scope_grid_id IS NOT NULL"))
    with op.batch_alter_table("reply_keywords") as batch:
        batch.drop_constraint("uq_reply_keywords", type_="unique")
        batch.create_unique_constraint("uq_reply_keywords", ["language", "intent", "keyword"])
        batch.drop_index(op.f("ix_reply_keywords_scope_grid_id"))
        batch.drop_constraint(op.f("fk_reply_keywords_scope_grid_id_grids"), type_="foreignkey")
        batch.drop_column("scope_grid_id")
