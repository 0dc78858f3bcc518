"""stories.source_categories: the feed's own categories of an item, for the offline tags

Revision ID: 0002_source_categories
Revises: 0001
Create Date: 2026-12-01 11:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002_source_categories'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: the stories stored before it simply have none.
    op.add_column('stories', sa.Column('source_categories', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stories') as batch:
        batch.drop_column('source_categories')
