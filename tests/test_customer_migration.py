"""Migration 0004 (customers' API access columns) upgrades and downgrades cleanly on a database of its own."""
from __future__ import annotations

import sqlalchemy as sa

from tests.test_orders_migration import scratch_url  # noqa: F401  (fixture)

COLUMNS = {"api_last_sign_in_at", "api_tokens_revoked_at", "api_tokens_revoked_by_id"}


def test_customer_api_access_columns_up_and_down(scratch_url):  # noqa: F811
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.config import TestConfig, _engine_options

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = scratch_url
    config.SQLALCHEMY_ENGINE_OPTIONS = _engine_options(scratch_url)
    app = create_app(config)
    with app.app_context():
        from app.extensions import db

        def columns() -> set[str]:
            return {c["name"] for c in sa.inspect(db.engine).get_columns("customers")}

        upgrade(revision="0003_sign_in_devices")
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
        downgrade(revision="0003_sign_in_devices")
        assert not COLUMNS & columns()
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT api_token_version FROM customers")).scalar() == 3
        upgrade()
        assert COLUMNS <= columns()
        db.engine.dispose()
