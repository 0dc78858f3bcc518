"""story_sources and story_bands: a story told by several sources (issue 12)

Each story's sources (feed, GUID, URL, title, text, content hash, kind, dates) and the
near-duplicate index (one row per LSH band of each source's MinHash signature);
stories.sources_changed_at marks a story whose sources changed after it was written.

Existing stories get their first source from their own row: the text as stored, no
content hash (the first sighting since records it without calling it a change: the
stored text may be the article page, not the item) and no signature (they are not
in the near-duplicate index; GUID, URL and text still find them).

Revision ID: 0007_story_sources
Revises: 0006_site_sync
Create Date: 2026-12-02 06:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0007_story_sources"
down_revision = "0006_site_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "stories", sa.Column("sources_changed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "story_sources",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("story_id", sa.Integer(), sa.ForeignKey("stories.id"), nullable=False),
        sa.Column("feed_id", sa.Integer(), sa.ForeignKey("feeds.id"), nullable=True),
        sa.Column("guid", sa.String(length=2048), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
    )
    op.create_index("ix_story_sources_story_id", "story_sources", ["story_id"])
    op.create_table(
        "story_bands",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("story_sources.id"), nullable=False
        ),
    )
    op.create_index("ix_story_bands_bucket_added", "story_bands", ["bucket", "added_at"])
    op.execute(
        "INSERT INTO story_sources"
        " (story_id, feed_id, guid, url, title, text, kind, published_at, added_at)"
        " SELECT id, feed_id, guid, url, title, source_text, 'original', published_at,"
        " fetched_at FROM stories ORDER BY id"
    )


def downgrade() -> None:
    op.drop_table("story_bands")
    op.drop_table("story_sources")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("sources_changed_at")
