"""metric counter: durable counters for /metrics (downloads, bytes, failures by hoster)

Revision ID: 5d0c3e9a7b21
Revises: 655572f074bc
Create Date: 2026-11-30 14:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d0c3e9a7b21'
down_revision = "655572f074bc"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('metric_counter',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('site', sa.String(length=32), nullable=False),
    sa.Column('hoster', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', 'site', 'hoster', name=op.f('pk_metric_counter'))
    )


def downgrade():
    op.drop_table('metric_counter')
