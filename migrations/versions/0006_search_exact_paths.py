"""order search: exact code, email and phone lookups; branch in the PostgreSQL search table

Revision ID: 0006_search_exact_paths
Revises: 0005_customer_orders
Create Date: 2026-11-23 05:30:00

Issue 7 (measured in docs/PERFORMANCE.md "## Order list"):
- orders.customer_phone_digits: the phone number's digits, a generated column (STORED on PostgreSQL, which
  fills it for existing rows while rewriting the table; VIRTUAL on SQLite, computed when read or indexed), so
  "0827790876", "082 779 0876" and "+27827790876" all find "+27 82 779 0876" by an index lookup, and no
  trigger, model hook or bulk loader has to keep it in sync.
- a case-insensitive index on customer_email (lower(customer_email) on PostgreSQL, customer_email COLLATE
  NOCASE on SQLite, which cannot reflect expression indexes): a whole email address is an equality lookup.
  (An exact order code already has the unique index of orders.code.)
- PostgreSQL: order_search gets the order's branch_id (kept in sync by the same trigger, now also on a branch
  change) and its trigram index becomes GIN (branch_id, doc gin_trgm_ops) with btree_gin, so a search by a
  member of one branch reads only that branch's matches. The table is derived data: it is emptied and
  refilled (no million-row UPDATE leaving a bloated table behind).
"""
from alembic import op
import sqlalchemy as sa

revision = '0006_search_exact_paths'
down_revision = '0005_customer_orders'
branch_labels = None
depends_on = None

# Frozen copy of app.models.types.phone_digits_sql('customer_phone') as of this revision.
PHONE_DIGITS = ("replace(replace(replace(replace(replace(replace(replace(replace(customer_phone, '(0)', ''), "
                "' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', '')")

# As in 0002.
PG_SEARCH_DOC = (
    "lower({t}.code || chr(1) || coalesce({t}.external_reference, '') || chr(1) || {t}.customer_name"
    " || chr(1) || coalesce({t}.customer_email, '') || chr(1) || coalesce({t}.customer_phone, ''))"
)
SEARCHED = "code, external_reference, customer_name, customer_email, customer_phone"


def _pg_sync(with_branch: bool) -> list[str]:
    """The trigger function and trigger of order_search, with or without branch_id."""
    columns, values = ("order_id, doc, branch_id", f"NEW.id, {PG_SEARCH_DOC.format(t='NEW')}, NEW.branch_id") \
        if with_branch else ("order_id, doc", f"NEW.id, {PG_SEARCH_DOC.format(t='NEW')}")
    updates = "doc = EXCLUDED.doc, branch_id = EXCLUDED.branch_id" if with_branch else "doc = EXCLUDED.doc"
    return [
        "DROP TRIGGER IF EXISTS order_search_sync ON orders",
        f"""CREATE OR REPLACE FUNCTION order_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_search ({columns}) VALUES ({values})
    ON CONFLICT (order_id) DO UPDATE SET {updates};
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER order_search_sync AFTER INSERT OR UPDATE OF {SEARCHED}{', branch_id' if with_branch else ''} "
        "ON orders FOR EACH ROW EXECUTE FUNCTION order_search_sync()",
    ]


PG_REFILL = ["TRUNCATE order_search",
             f"INSERT INTO order_search (order_id, doc, branch_id) SELECT id, {PG_SEARCH_DOC.format(t='orders')}, "
             "branch_id FROM orders"]


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.add_column('orders', sa.Column('customer_phone_digits', sa.String(length=40),
                                      sa.Computed(PHONE_DIGITS, persisted=postgres), nullable=True))
    op.create_index('ix_orders_customer_phone_digits', 'orders', ['customer_phone_digits'])
    email = 'lower(customer_email)' if postgres else 'customer_email COLLATE NOCASE'
    op.execute(f'CREATE INDEX ix_orders_customer_email_lower ON orders ({email})')
    if postgres:
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gin')
        op.execute('DROP INDEX ix_order_search_doc')
        op.execute('ALTER TABLE order_search ADD COLUMN branch_id integer')
        for statement in PG_REFILL + _pg_sync(True):
            op.execute(statement)
        op.execute('ALTER TABLE order_search ALTER COLUMN branch_id SET NOT NULL')
        op.execute('CREATE INDEX ix_order_search_branch_id_doc ON order_search USING gin (branch_id, doc gin_trgm_ops)')
        op.execute('ANALYZE order_search')
    op.execute('ANALYZE orders')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_order_search_branch_id_doc')
        for statement in _pg_sync(False):
            op.execute(statement)
        op.execute('ALTER TABLE order_search DROP COLUMN branch_id')
        op.execute('CREATE INDEX ix_order_search_doc ON order_search USING gin (doc gin_trgm_ops)')
        op.execute('DO $$ BEGIN DROP EXTENSION IF EXISTS btree_gin; '
                   'EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $$')
        op.execute('ANALYZE order_search')
    op.drop_index('ix_orders_customer_email_lower', table_name='orders')
    op.drop_index('ix_orders_customer_phone_digits', table_name='orders')
    op.drop_column('orders', 'customer_phone_digits')
