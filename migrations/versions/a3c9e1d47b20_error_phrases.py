"""error phrases: a stored error's sentence and values, for the reader's language

Revision ID: a3c9e1d47b20
Revises: f0bba4223e64
Create Date: 2026-11-30 03:00:00.000000

Also why an unmatched library folder waits for the user (``library_folder.reason_phrase``).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c9e1d47b20'
down_revision = "f0bba4223e64"
branch_labels = None
depends_on = None

TABLES = ("download_item", "hoster_health")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('last_error_phrase', sa.Text(), nullable=True))
    # Why a library folder is unmatched, beside its English ``reason``.
    with op.batch_alter_table('library_folder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_phrase', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('library_folder', schema=None) as batch_op:
        batch_op.drop_column('reason_phrase')
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('last_error_phrase')
