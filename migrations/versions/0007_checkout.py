"""checkout: branch delivery/collection flags, baskets linked to their order, invoice sequences

Revision ID: 0007_checkout
Revises: 0006_search_exact_paths
Create Date: 2026-12-02 06:00:00

- branches.delivers / branches.offers_collection: what a customer may choose at checkout (true for existing rows).
- baskets.order_id: a checked-out basket points at its order (the same checkout again returns it);
  checkout_key / checkout_fingerprint: the Idempotency-Key and request hash of that checkout; one OPEN basket
  per customer (partial unique index).
- invoice_sequences(branch_id, year, last_number): invoice numbers per branch and year, issued in the order's
  transaction (app/orders/invoices.py). Existing invoice numbers in the new format (CPT-2026-000042) seed it.
"""
import re

from alembic import op
import sqlalchemy as sa

revision = '0007_checkout'
down_revision = '0006_search_exact_paths'
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'OPEN'")


def upgrade():
    op.add_column('branches', sa.Column('delivers', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column('branches', sa.Column('offers_collection', sa.Boolean(), server_default=sa.true(), nullable=False))

    with op.batch_alter_table('baskets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checkout_key', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('checkout_fingerprint', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_baskets_order_id'), ['order_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_baskets_order_id_orders'), 'orders', ['order_id'], ['id'])
        batch_op.create_unique_constraint('uq_baskets_customer_id_checkout_key', ['customer_id', 'checkout_key'])
    op.create_index('uq_baskets_open_customer_id', 'baskets', ['customer_id'], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)

    op.create_table('invoice_sequences',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_invoice_sequences_branch_id_branches'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('branch_id', 'year', name=op.f('pk_invoice_sequences'))
    )
    _seed_sequences()


def _seed_sequences():
    """Continue after invoice numbers already in the new format (a database loaded by this code's demo)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT b.id, b.code, o.invoice_number FROM orders o JOIN branches b ON b.id = o.branch_id "
        "WHERE o.invoice_number IS NOT NULL")).all()
    last: dict[tuple[int, int], int] = {}
    for branch_id, code, number in rows:
        m = re.fullmatch(re.escape(code) + r"-(\d{4})-(\d+)", number or "")
        if m:
            key = (branch_id, int(m.group(1)))
            last[key] = max(last.get(key, 0), int(m.group(2)))
    if last:
        conn.execute(sa.text("INSERT INTO invoice_sequences (branch_id, year, last_number) VALUES (:b, :y, :n)"),
                     [{"b": b, "y": y, "n": n} for (b, y), n in last.items()])


def downgrade():
    op.drop_table('invoice_sequences')
    op.drop_index('uq_baskets_open_customer_id', table_name='baskets')
    with op.batch_alter_table('baskets', schema=None) as batch_op:
        batch_op.drop_constraint('uq_baskets_customer_id_checkout_key', type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_baskets_order_id_orders'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_baskets_order_id'))
        batch_op.drop_column('checkout_fingerprint')
        batch_op.drop_column('checkout_key')
        batch_op.drop_column('order_id')

    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): a batch copy of branches would trip the foreign keys
    # that point at it.
    op.drop_column('branches', 'offers_collection')
    op.drop_column('branches', 'delivers')
