"""Migration 0002 on a database of its own: upgrade, search index filled from existing rows and kept in sync,
clean downgrade, upgrade again."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests.conftest import WORKER


@pytest.fixture
def scratch_url(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL", "sqlite")
    if url in ("", "sqlite"):
        yield f"sqlite:///{tmp_path / 'migration.db'}"
        return
    base, _, _name = url.replace("postgresql://", "postgresql+psycopg://", 1).rpartition("/")
    name = f"od_migration_{WORKER}"
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _search_objects(conn) -> set[str]:
    if conn.dialect.name == "postgresql":
        rows = conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE tablename = 'order_search' "
            "UNION SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix_orders_%_created_at%'"))
    else:
        rows = conn.execute(sa.text(
            "SELECT name FROM sqlite_master WHERE name = 'orders_fts' OR name LIKE 'ix_orders_%_created_at%'"))
    return {r[0] for r in rows}


def _found(conn, text: str) -> list[int]:
    if conn.dialect.name == "postgresql":
        sql = "SELECT order_id FROM order_search WHERE doc LIKE :p ORDER BY 1"
        return [r[0] for r in conn.execute(sa.text(sql), {"p": f"%{text.lower()}%"})]
    sql = "SELECT rowid FROM orders_fts WHERE orders_fts MATCH :m ORDER BY 1"
    return [r[0] for r in conn.execute(sa.text(sql), {"m": f'"{text}"'})]


@pytest.fixture
def scratch_app(scratch_url):
    """The app on the scratch database (which no migration has touched yet)."""
    from app import create_app
    from app.config import TestConfig, _engine_options

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = scratch_url
    config.SQLALCHEMY_ENGINE_OPTIONS = _engine_options(scratch_url)
    return create_app(config)


def test_upgrade_fills_and_syncs_the_search_index_and_downgrade_is_clean(scratch_app):
    from flask_migrate import downgrade, upgrade

    with scratch_app.app_context():
        from app.extensions import db

        upgrade(revision="0001")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO branches (id, code, name, currency, is_active) "
                                 "VALUES (1, 'B1', 'One', 'ZAR', true)"))
            conn.execute(sa.text(
                "INSERT INTO orders (id, code, customer_name, customer_email, branch_id, channel, extra_data, status, "
                "payment_status, fulfilment_method, delivery_method, is_supplier_order, has_gift_box, language_code, "
                "currency, subtotal, discount_total, tax_total, delivery_fee, total, refunded_total, created_at, "
                "updated_at, version) VALUES (7, 'ORD-1', 'Thandi Nkosi', 'thandi@example.test', 1, 'INTERNAL', '{}', "
                "'ORDERED', 'PENDING', 'DELIVERY', 'STANDARD', false, false, 'en', 'ZAR', 0, 0, 0, 0, 0, 0, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"))
        # when
        upgrade(revision="0002")
        # then: existing rows are indexed, and changes follow
        with db.engine.begin() as conn:
            assert len(_search_objects(conn)) == 5
            assert _found(conn, "thandi") == [7] and _found(conn, "nkosi") == [7]
            conn.execute(sa.text("UPDATE orders SET customer_name = 'Lindiwe Dlamini' WHERE id = 7"))
            assert _found(conn, "nkosi") == [] and _found(conn, "dlamini") == [7]
            conn.execute(sa.text("UPDATE orders SET status = 'PROCESSING' WHERE id = 7"))
            assert _found(conn, "dlamini") == [7]
        downgrade(revision="0001")
        with db.engine.begin() as conn:
            assert _search_objects(conn) == set()
            conn.execute(sa.text("UPDATE orders SET customer_name = 'Sipho Dube' WHERE id = 7"))  # no trigger left
        upgrade(revision="0002")
        with db.engine.begin() as conn:
            assert _found(conn, "sipho") == [7]
            conn.execute(sa.text("DELETE FROM orders WHERE id = 7"))
            assert _found(conn, "sipho") == []
        db.engine.dispose()
