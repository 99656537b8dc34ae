"""order list at scale: composite and search indexes, saved-view uniqueness

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:50:00

Indexes for the order list's filters and sorts (issue 3, measured in docs/PERFORMANCE.md "## Order list"):
- (status | channel | branch, created_at, id) and (branch, status, created_at, id): a filter plus the default
  newest-first order reads one index range; the trailing id makes the deferred-join page query and the
  capped count index-only on PostgreSQL (on SQLite every index already carries the rowid). A trailing total
  (or branch, for channel) lets a total range or a staff member's branch scope be checked in the index too.
- (total, id) and (customer_name, id): sorting by total or customer without sorting a million rows.
- Substring search, kept in sync by triggers on orders, on a narrow table of its own so re-checking candidate
  rows never reads the wide orders rows: PostgreSQL gets pg_trgm and order_search(order_id, doc) with a GIN
  trigram index on doc (the searched fields, lower-cased, joined by chr(1)); SQLite gets an FTS5 trigram table
  with external content (orders).
- saved_views: one name per user, and one default (user_id NULL) per name, so the defaults can be created
  lazily without duplicates.
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

COMPOSITE = [
    ('ix_orders_status_created_at', ['status', 'created_at', 'id', 'total']),
    ('ix_orders_channel_created_at', ['channel', 'created_at', 'id', 'branch_id']),
    ('ix_orders_branch_id_created_at', ['branch_id', 'created_at', 'id']),
    ('ix_orders_branch_id_status_created_at', ['branch_id', 'status', 'created_at', 'id', 'total']),
    ('ix_orders_total', ['total', 'id']),
    ('ix_orders_customer_name', ['customer_name', 'id']),
]
# SQLite indexes end with the rowid anyway; PostgreSQL needs id in the index for index-only paging.
POSTGRES_ONLY = [
    ('ix_orders_created_at_id', ['created_at', 'id']),
    ('ix_orders_updated_at_id', ['updated_at', 'id']),
    ('ix_orders_id_branch_id', ['id', 'branch_id']),  # search hits checked against a staff scope, index-only
]

PG_SEARCH_DOC = (
    "lower({t}.code || chr(1) || coalesce({t}.external_reference, '') || chr(1) || {t}.customer_name"
    " || chr(1) || coalesce({t}.customer_email, '') || chr(1) || coalesce({t}.customer_phone, ''))"
)
PG_SEARCH = [
    "CREATE TABLE order_search (order_id integer PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE, "
    "doc text NOT NULL)",
    f"INSERT INTO order_search (order_id, doc) SELECT id, {PG_SEARCH_DOC.format(t='orders')} FROM orders",
    "CREATE INDEX ix_order_search_doc ON order_search USING gin (doc gin_trgm_ops)",
    f"""CREATE FUNCTION order_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO order_search (order_id, doc) VALUES (NEW.id, {PG_SEARCH_DOC.format(t='NEW')})
    ON CONFLICT (order_id) DO UPDATE SET doc = EXCLUDED.doc;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER order_search_sync AFTER INSERT OR UPDATE OF code, external_reference, customer_name, "
    "customer_email, customer_phone ON orders FOR EACH ROW EXECUTE FUNCTION order_search_sync()",
    "ANALYZE order_search",
]

FTS_COLUMNS = 'code, external_reference, customer_name, customer_email, customer_phone'


def _fts_values(prefix):
    return ', '.join(f'{prefix}.{c.strip()}' for c in FTS_COLUMNS.split(','))


SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE orders_fts USING fts5({FTS_COLUMNS}, content='orders', content_rowid='id', "
    "tokenize='trigram')",
    f"CREATE TRIGGER orders_fts_ai AFTER INSERT ON orders BEGIN "
    f"INSERT INTO orders_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {_fts_values('new')}); END",
    f"CREATE TRIGGER orders_fts_ad AFTER DELETE ON orders BEGIN "
    f"INSERT INTO orders_fts(orders_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {_fts_values('old')}); END",
    f"CREATE TRIGGER orders_fts_au AFTER UPDATE OF id, {FTS_COLUMNS} ON orders BEGIN "
    f"INSERT INTO orders_fts(orders_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {_fts_values('old')}); "
    f"INSERT INTO orders_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {_fts_values('new')}); END",
    "INSERT INTO orders_fts(orders_fts) VALUES ('rebuild')",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    for name, columns in COMPOSITE + (POSTGRES_ONLY if dialect == 'postgresql' else []):
        op.create_index(name, 'orders', columns)

    if dialect == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for statement in PG_SEARCH:
            op.execute(statement)
    elif dialect == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)

    op.create_index('uq_saved_views_user_id_name', 'saved_views', ['user_id', 'name'], unique=True)
    op.create_index('uq_saved_views_default_name', 'saved_views', ['name'], unique=True,
                    postgresql_where=sa.text('user_id IS NULL'), sqlite_where=sa.text('user_id IS NULL'))
    op.execute('ANALYZE orders')  # planner statistics for the new indexes


def downgrade():
    dialect = op.get_bind().dialect.name
    op.drop_index('uq_saved_views_default_name', table_name='saved_views')
    op.drop_index('uq_saved_views_user_id_name', table_name='saved_views')
    if dialect == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS order_search_sync ON orders')
        op.execute('DROP FUNCTION IF EXISTS order_search_sync()')
        op.execute('DROP TABLE IF EXISTS order_search')
        # Leave pg_trgm in place when something else uses it.
        op.execute('DO $$ BEGIN DROP EXTENSION IF EXISTS pg_trgm; '
                   'EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $$')
    elif dialect == 'sqlite':
        for trigger in ('orders_fts_ai', 'orders_fts_ad', 'orders_fts_au'):
            op.execute(f'DROP TRIGGER IF EXISTS {trigger}')
        op.execute('DROP TABLE IF EXISTS orders_fts')
    for name, _columns in reversed(COMPOSITE + (POSTGRES_ONLY if dialect == 'postgresql' else [])):
        op.drop_index(name, table_name='orders')
