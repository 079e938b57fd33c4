"""language upgrades: the language and paths a queue item replaces

Revision ID: 438c8a97df29
Revises: b250b064ae5e
Create Date: 2026-11-30 10:12:41.118734

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '438c8a97df29'
down_revision = 'b250b064ae5e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('download_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upgrade_from', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('replaces', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('download_item', schema=None) as batch_op:
        batch_op.drop_column('replaces')
        batch_op.drop_column('upgrade_from')
