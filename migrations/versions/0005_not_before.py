"""stories.not_before: a parked failure waits on its own column; lease_until is only the lease

Until now a failed attempt freed the owner and set lease_until to its retry time.
Those rows (no owner, a lease_until) move their time to not_before, so an existing
database keeps every parked story parked until the same moment.

Revision ID: 0005_not_before
Revises: 0004_llm_finish_reason
Create Date: 2026-12-02 01:25:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0005_not_before"
down_revision = "0004_llm_finish_reason"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stories", sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE stories SET not_before = lease_until, lease_until = NULL"
        " WHERE lease_owner IS NULL AND lease_until IS NOT NULL"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE stories SET lease_until = not_before"
        " WHERE lease_owner IS NULL AND not_before IS NOT NULL"
    )
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("not_before")
