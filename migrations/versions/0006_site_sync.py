"""site_sync: where the bot's last look at the editors' decisions in WordPress stopped

Stories also get the state `rejected` (a String column: no schema change for it).

Revision ID: 0006_site_sync
Revises: 0005_not_before
Create Date: 2026-12-02 01:45:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0006_site_sync"
down_revision = "0005_not_before"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_sync",
        sa.Column("site", sa.String(length=500), primary_key=True),
        sa.Column("modified_after", sa.String(length=40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("site_sync")
