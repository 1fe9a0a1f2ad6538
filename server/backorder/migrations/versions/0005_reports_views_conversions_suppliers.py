"""reports: views, conversions, suppliers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 03:14:44.593833

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('product_view_day',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_view_day_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_product_view_day_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', 'day', name=op.f('pk_product_view_day'))
    )
    with op.batch_alter_table('product_view_day', schema=None) as batch_op:
        batch_op.create_index('ix_product_view_day_store_day', ['store_id', 'day', 'product_id', 'views'], unique=False)

    op.create_table('conversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_line.id'], name=op.f('fk_conversion_order_line_id_order_line'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_conversion_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_conversion_store_id_store'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_conversion_subscription_id_subscription'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversion')),
    sa.UniqueConstraint('order_line_id', name=op.f('uq_conversion_order_line_id'))
    )
    with op.batch_alter_table('conversion', schema=None) as batch_op:
        batch_op.create_index('ix_conversion_store_created', ['store_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversion_subscription_id'), ['subscription_id'], unique=False)

    with op.batch_alter_table('backorder', schema=None) as batch_op:
        batch_op.create_index('ix_backorder_status_allocated', ['status', 'allocated_at'], unique=False)

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_store_created', ['store_id', 'created_at', 'kind', 'status', 'clicked_at', 'subscription_id'], unique=False)

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supplier', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('min_order_quantity', sa.Integer(), nullable=True))

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.create_index('ix_sales_order_store_created', ['store_id', 'created_at'], unique=False)

    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attribution_days', sa.Integer(), server_default='7', nullable=False))

    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_store_created', ['store_id', 'created_at', 'product_id', 'status', 'confirmed_at'], unique=False)
        batch_op.create_index('ix_subscription_store_status_product', ['store_id', 'status', 'product_id', 'quantity', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_store_status_product')
        batch_op.drop_index('ix_subscription_store_created')

    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.drop_column('attribution_days')

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_order_store_created')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('min_order_quantity')
        batch_op.drop_column('supplier')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_store_created')

    with op.batch_alter_table('backorder', schema=None) as batch_op:
        batch_op.drop_index('ix_backorder_status_allocated')

    with op.batch_alter_table('conversion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversion_subscription_id'))
        batch_op.drop_index('ix_conversion_store_created')

    op.drop_table('conversion')
    with op.batch_alter_table('product_view_day', schema=None) as batch_op:
        batch_op.drop_index('ix_product_view_day_store_day')

    op.drop_table('product_view_day')
