"""platform connections, webhook deliveries, platform items

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:14:02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('platform_connection',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('shop', sa.String(length=300), nullable=True),
    sa.Column('api_url', sa.String(length=500), nullable=True),
    sa.Column('credentials', sa.Text(), nullable=True),
    sa.Column('credentials_hint', sa.String(length=32), nullable=True),
    sa.Column('webhook_secret', sa.Text(), nullable=True),
    sa.Column('webhook_secret_set_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('widget_script_id', sa.String(length=64), nullable=True),
    sa.Column('sync_every_minutes', sa.Integer(), nullable=True),
    sa.Column('next_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_sync_result', sa.String(length=500), nullable=True),
    sa.Column('last_webhook_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_platform_connection_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', 'platform', name=op.f('pk_platform_connection'))
    )
    with op.batch_alter_table('platform_connection', schema=None) as batch_op:
        batch_op.create_index('ix_platform_connection_next_sync_at', ['next_sync_at'], unique=False)

    op.create_table('webhook_delivery',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('delivery_id', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_webhook_delivery_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', 'platform', 'delivery_id', name=op.f('pk_webhook_delivery'))
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_delivery_received_at', ['received_at'], unique=False)

    op.create_table('platform_item',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=64), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_platform_item_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_platform_item_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', 'platform', 'kind', 'ref', 'location', name=op.f('pk_platform_item'))
    )
    with op.batch_alter_table('platform_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_platform_item_product_id'), ['product_id'], unique=False)



def downgrade():
    with op.batch_alter_table('platform_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_platform_item_product_id'))

    op.drop_table('platform_item')
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_delivery_received_at')

    op.drop_table('webhook_delivery')
    with op.batch_alter_table('platform_connection', schema=None) as batch_op:
        batch_op.drop_index('ix_platform_connection_next_sync_at')

    op.drop_table('platform_connection')
