"""sign-ups, campaigns, outbox, store settings, platform ids

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 00:05:08

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_bucket',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('tokens', sa.Double(), nullable=False),
    sa.Column('stamp', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_bucket'))
    )
    op.create_table('suppression',
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_suppression_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('store_id', 'email_hash', name=op.f('pk_suppression'))
    )
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('next_wave_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('waves', sa.Integer(), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('log', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_campaign_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_campaign_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_campaign_status_next_wave', ['status', 'next_wave_at'], unique=False)

    op.create_table('subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=35), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('consent_version', sa.Integer(), nullable=False),
    sa.Column('consent_text', sa.String(length=500), nullable=True),
    sa.Column('page_url', sa.String(length=2000), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirm_nonce', sa.String(length=32), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_channel', sa.String(length=32), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_subscription_campaign_id_campaign'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_subscription_product_id_product'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_subscription_store_id_store'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription'))
    )
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_product_status_created', ['product_id', 'status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_subscription_store_email_hash', ['store_id', 'email_hash'], unique=False)
        batch_op.create_index('uq_subscription_open', ['product_id', 'email_hash'], unique=True, postgresql_where=sa.text("status IN ('pending', 'active')"), sqlite_where=sa.text("status IN ('pending', 'active')"))

    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=35), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), server_default='{}', nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('message_id', sa.String(length=250), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clicked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_message_campaign_id_campaign'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_message_product_id_product'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['store_id'], ['store.id'], name=op.f('fk_message_store_id_store'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], name=op.f('fk_message_subscription_id_subscription'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message')),
    sa.UniqueConstraint('campaign_id', 'subscription_id', name='uq_message_campaign_subscription')
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_status_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_message_store_email_hash', ['store_id', 'email_hash'], unique=False)

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('platform_product_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_product_store_id_platform_id', ['store_id', 'platform_id'])

    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.add_column(sa.Column('show_backorder_remaining', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('widget_labels', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('consent_text', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('consent_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('sender_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('sender_email', sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column('postal_address', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('double_opt_in', sa.Boolean(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('wave_factor', sa.Integer(), server_default='3', nullable=True))
        batch_op.add_column(sa.Column('wave_interval_minutes', sa.Integer(), server_default='60', nullable=False))
        batch_op.add_column(sa.Column('min_restock_quantity', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('quiet_hours_start', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('quiet_hours_end', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('notify_on_room', sa.Boolean(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('eta_tolerance_days', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('store', schema=None) as batch_op:
        batch_op.drop_column('eta_tolerance_days')
        batch_op.drop_column('notify_on_room')
        batch_op.drop_column('quiet_hours_end')
        batch_op.drop_column('quiet_hours_start')
        batch_op.drop_column('min_restock_quantity')
        batch_op.drop_column('wave_interval_minutes')
        batch_op.drop_column('wave_factor')
        batch_op.drop_column('double_opt_in')
        batch_op.drop_column('postal_address')
        batch_op.drop_column('sender_email')
        batch_op.drop_column('sender_name')
        batch_op.drop_column('consent_version')
        batch_op.drop_column('consent_text')
        batch_op.drop_column('widget_labels')
        batch_op.drop_column('show_backorder_remaining')

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_constraint('uq_product_store_id_platform_id', type_='unique')
        batch_op.drop_column('platform_product_id')
        batch_op.drop_column('platform_id')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_store_email_hash')
        batch_op.drop_index('ix_message_status_due')

    op.drop_table('message')
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index('uq_subscription_open', postgresql_where=sa.text("status IN ('pending', 'active')"), sqlite_where=sa.text("status IN ('pending', 'active')"))
        batch_op.drop_index('ix_subscription_store_email_hash')
        batch_op.drop_index('ix_subscription_product_status_created')

    op.drop_table('subscription')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_status_next_wave')
        batch_op.drop_index(batch_op.f('ix_campaign_product_id'))

    op.drop_table('campaign')
    op.drop_table('suppression')
    op.drop_table('rate_limit_bucket')
