"""Migration 0005_customer_orders: the my-orders index comes and goes cleanly on both databases."""
from __future__ import annotations

import sqlalchemy as sa

from tests.test_orders_migration import scratch_app, scratch_url  # noqa: F401  (scratch_url: a fixture)


def _customer_indexes(conn) -> set[str]:
    return {ix["name"] for ix in sa.inspect(conn).get_indexes("orders") if ix["name"].startswith("ix_orders_customer_id")}


def test_upgrade_adds_the_composite_index_and_downgrade_restores_the_old_one(scratch_url):  # noqa: F811
    from flask_migrate import downgrade, upgrade

    with scratch_app(scratch_url).app_context():
        from app.extensions import db

        upgrade(revision="0005_customer_orders")
        with db.engine.connect() as conn:
            assert _customer_indexes(conn) == {"ix_orders_customer_id_created_at"}
        downgrade(revision="0002")
        with db.engine.connect() as conn:
            assert _customer_indexes(conn) == {"ix_orders_customer_id"}
        upgrade(revision="0005_customer_orders")
        with db.engine.connect() as conn:
            assert _customer_indexes(conn) == {"ix_orders_customer_id_created_at"}
        db.engine.dispose()
