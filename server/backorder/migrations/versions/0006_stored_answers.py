"""products keep their computed availability answer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 06:45:00

Existing products start without one (null): the public read path computes those as before, and
each gets its answer stored the next time it or one of its shipments changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answer_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('answer_until', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('answer_until')
        batch_op.drop_column('answer_from')
        batch_op.drop_column('answer')
