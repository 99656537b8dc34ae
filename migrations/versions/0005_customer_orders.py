"""customer orders: one index for "my orders", newest first

Revision ID: 0005_customer_orders
Revises: 0004_branch_timezone
Create Date: 2026-12-02 06:00:00

GET /api/v1/customer/my-orders (and /customer/orders) page a customer's orders newest first and count them:
(customer_id, created_at, id) answers both from one index range (the page query reads it backwards and stops
after a page; the count stays inside the range, index-only on PostgreSQL). It also serves the staff order list's
``customer`` filter, so it replaces the single-column ix_orders_customer_id (a prefix of it).
"""
from alembic import op

revision = '0005_customer_orders'
down_revision = '0004_branch_timezone'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_orders_customer_id_created_at', 'orders', ['customer_id', 'created_at', 'id'])
    op.drop_index('ix_orders_customer_id', table_name='orders')


def downgrade():
    op.create_index('ix_orders_customer_id', 'orders', ['customer_id'])
    op.drop_index('ix_orders_customer_id_created_at', table_name='orders')
