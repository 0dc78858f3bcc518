"""stories: triage score and reason, chosen by hand (bot.select); the state `skipped`
needs no change (states are strings)

Revision ID: 0003_selection
Revises: 0002_source_categories
Create Date: 2026-12-02 00:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0003_selection"
down_revision = "0002_source_categories"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("triage_score", sa.Integer(), nullable=True))
    op.add_column("stories", sa.Column("triage_reason", sa.Text(), nullable=True))
    op.add_column(
        "stories",
        sa.Column("chosen_by_hand", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("chosen_by_hand")
        batch.drop_column("triage_reason")
        batch.drop_column("triage_score")
