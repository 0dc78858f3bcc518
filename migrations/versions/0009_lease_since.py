"""stories.lease_since: when a story's current holder claimed it (`depeche status`: in flight)

Revision ID: 0009_lease_since
Revises: 0008_revisions
Create Date: 2026-12-02 06:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0009_lease_since"
down_revision = "0008_revisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("lease_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("lease_since")
