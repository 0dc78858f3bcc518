"""story_bands dropped: the near-duplicate index is held in memory (bot.store.window)

A source is in the index when it has a signature: each poller reads the window's
signatures (story_sources.added_at, now indexed) and works out their LSH buckets
itself, where every story used to write 20 band rows at random places of one index
(most of a first poll's storing time, issue 10). A source that had a signature but no
band row (none is known to exist) loses its signature, so that the index holds what it
held before.

The downgrade builds the band rows again from the signatures, with the bucket function
of 0010 (`_buckets_before`: blake2b of the band's number and rows; the in-memory index
has its own since).

Revision ID: 0011_window_in_memory
Revises: 0010_feed_settings
Create Date: 2026-12-02 16:00:00
"""

from hashlib import blake2b

from alembic import op
import numpy as np
import sqlalchemy as sa

revision = "0011_window_in_memory"
down_revision = "0010_feed_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE story_sources SET signature = NULL WHERE signature IS NOT NULL"
        " AND id NOT IN (SELECT source_id FROM story_bands)"
    )
    op.drop_index("ix_story_bands_bucket_added", table_name="story_bands")
    op.drop_table("story_bands")
    op.create_index("ix_story_sources_added_at", "story_sources", ["added_at"])


def downgrade() -> None:
    op.drop_index("ix_story_sources_added_at", table_name="story_sources")
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
    connection = op.get_bind()
    indexed = connection.execute(
        sa.text(
            "SELECT id, added_at, signature FROM story_sources"
            " WHERE signature IS NOT NULL ORDER BY id"
        )
    )
    rows = [
        {"bucket": bucket, "added_at": added_at, "source_id": source_id}
        for source_id, added_at, signature in indexed
        for bucket in _buckets_before(signature)
    ]
    if rows:  # added_at as read: the driver's own value, written back unchanged
        connection.execute(
            sa.text(
                "INSERT INTO story_bands (bucket, added_at, source_id)"
                " VALUES (:bucket, :added_at, :source_id)"
            ),
            rows,
        )


def _buckets_before(signature: bytes) -> list[int]:
    """0010's buckets of a stored signature: 20 bands of 2 uint32 rows, each band's bytes
    hashed with its number."""
    rows = np.frombuffer(signature, dtype="<u4")[:40].tobytes()
    return [
        int.from_bytes(
            blake2b(band.to_bytes(2, "little") + rows[band * 8 : band * 8 + 8], digest_size=8)
            .digest(),
            "little",
            signed=True,
        )
        for band in range(20)
    ]
