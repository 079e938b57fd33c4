"""bridge grabs: a queue item's info hash, category, release name and save path

Revision ID: f0bba4223e64
Revises: 5d0c3e9a7b21
Create Date: 2026-11-30 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f0bba4223e64'
down_revision = "5d0c3e9a7b21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('download_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bridge_hash', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('bridge_category', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('bridge_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('save_path', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_download_item_bridge_hash'), ['bridge_hash'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('download_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_download_item_bridge_hash'))
        batch_op.drop_column('save_path')
        batch_op.drop_column('bridge_name')
        batch_op.drop_column('bridge_category')
        batch_op.drop_column('bridge_hash')
