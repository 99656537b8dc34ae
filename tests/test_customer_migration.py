"""Migration 0008 (customers' API access columns) upgrades and downgrades cleanly on a database of its own."""
from __future__ import annotations

import sqlalchemy as sa

from tests.test_orders_migration import columns_of, scratch_app, scratch_url  # noqa: F401  (scratch_url: a fixture)

COLUMNS = {"api_last_sign_in_at", "api_tokens_revoked_at", "api_tokens_revoked_by_id"}


def test_customer_api_access_columns_up_and_down(scratch_url):  # noqa: F811
    from flask_migrate import downgrade, upgrade

    with scratch_app(scratch_url).app_context():
        from app.extensions import db

        def columns() -> set[str]:
            return columns_of(db, "customers")

        upgrade(revision="0007_checkout")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO customers (id, name, email, api_token_version, created_at) "
                                 "VALUES (1, 'Thandi', 't@example.test', 3, CURRENT_TIMESTAMP)"))
        assert not COLUMNS & columns()
        upgrade(revision="0008_customer_api_access")
        assert COLUMNS <= columns()
        fks = sa.inspect(db.engine).get_foreign_keys("customers")
        assert any(fk["constrained_columns"] == ["api_tokens_revoked_by_id"] and fk["referred_table"] == "staff_users"
                   for fk in fks)
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT api_token_version, api_tokens_revoked_at FROM customers")).one() == (3, None)
        downgrade(revision="0007_checkout")
        assert not COLUMNS & columns()
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT api_token_version FROM customers")).scalar() == 3
        upgrade()
        assert COLUMNS <= columns()
        db.engine.dispose()
