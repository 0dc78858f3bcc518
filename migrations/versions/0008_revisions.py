"""stories.rewrite_request, rewrite_requested_at: an editor's request to rewrite a post

An editor's rewrite request read back from WordPress waits on its story
(`rewrite_request`, the instruction; `rewrite_requested_at`, when the bot saw it) until
the revise stage handles it. Existing stories have none: nothing is pending for them.

Revision ID: 0008_revisions
Revises: 0007_story_sources
Create Date: 2026-12-02 06:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0008_revisions"
down_revision = "0007_story_sources"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("rewrite_request", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("rewrite_requested_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("rewrite_requested_at")
        batch.drop_column("rewrite_request")
