"""llm_calls: the server's finish_reason (a cut-off answer says `length`)

Revision ID: 0004_llm_finish_reason
Revises: 0003_selection
Create Date: 2026-12-02 01:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_llm_finish_reason"
down_revision = "0003_selection"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("llm_calls", sa.Column("finish_reason", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("llm_calls") as batch:
        batch.drop_column("finish_reason")
