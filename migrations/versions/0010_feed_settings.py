"""feeds: each feed's [[feeds]] settings on its row (every, category, name, timeout,
language, its selection rules), so polling and scheduling read the row alone (issue 8 §4)

Existing rows get them at the next sync (every run and the daemon's start); until
then `every` is empty and the feed waits for it.

Revision ID: 0010_feed_settings
Revises: 0009_lease_since
Create Date: 2026-12-02 07:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0010_feed_settings"
down_revision = "0009_lease_since"
branch_labels = None
depends_on = None

COLUMNS = ("every", "category", "name", "timeout", "language", "selection")


def upgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("every", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("category", sa.String(200), nullable=False, server_default=""))
        batch.add_column(sa.Column("name", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("timeout", sa.Float(), nullable=True))
        batch.add_column(sa.Column("language", sa.String(35), nullable=True))
        batch.add_column(sa.Column("selection", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
