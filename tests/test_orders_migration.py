"""Migrations 0002 and 0003 on a database of their own: upgrade, search index (and 0003's phone digits and search
branches) filled from existing rows and kept in sync,
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


@pytest.fixture
def scratch_db(scratch_url):
    """The app's ``db`` on the scratch database, inside an app context; no migration applied yet."""
    with scratch_app(scratch_url).app_context():
        from app.extensions import db

        yield db
        db.engine.dispose()


def _insert_order(conn, oid: int, *, phone: str | None = None, branches: int = 1) -> None:
    """Branches 1..``branches`` (when absent) and order ``oid`` of branch 1, Thandi Nkosi's, with raw SQL."""
    if conn.execute(sa.text("SELECT count(*) FROM branches")).scalar() == 0:
        for b in range(1, branches + 1):
            conn.execute(sa.text("INSERT INTO branches (id, code, name, currency, is_active) "
                                 f"VALUES ({b}, 'B{b}', 'Branch {b}', 'ZAR', true)"))
    conn.execute(sa.text(
        "INSERT INTO orders (id, code, customer_name, customer_email, customer_phone, branch_id, channel, extra_data, "
        "status, payment_status, fulfilment_method, delivery_method, is_supplier_order, has_gift_box, language_code, "
        "currency, subtotal, discount_total, tax_total, delivery_fee, total, refunded_total, created_at, updated_at, "
        f"version) VALUES ({oid}, 'ORD-{oid}', 'Thandi Nkosi', 'Thandi@Example.test', :phone, 1, 'INTERNAL', '{{}}', "
        "'ORDERED', 'PENDING', 'DELIVERY', 'STANDARD', false, false, 'en', 'ZAR', 0, 0, 0, 0, 0, 0, "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"), {"phone": phone})


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


def columns_of(db, table: str) -> set[str]:
    """The column names ``table`` has now (migration tests check what an upgrade added and a downgrade removed)."""
    return {c["name"] for c in sa.inspect(db.engine).get_columns(table)}


def scratch_app(url: str):
    """An app on the scratch database ``url`` (its schema is whatever the test migrates it to)."""
    from app import create_app
    from app.config import TestConfig, _engine_options

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    config.SQLALCHEMY_ENGINE_OPTIONS = _engine_options(url)
    return create_app(config)


def test_upgrade_fills_and_syncs_the_search_index_and_downgrade_is_clean(scratch_db):
    from flask_migrate import downgrade, upgrade

    db = scratch_db
    upgrade(revision="0001")
    with db.engine.begin() as conn:
        _insert_order(conn, 7)
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


def _phone_digits(conn) -> list:
    return conn.execute(sa.text("SELECT customer_phone_digits FROM orders ORDER BY id")).scalars().all()


def _branch_search(conn, branch_id: int, text: str) -> list[int] | None:
    """Orders of a branch found by the search table (PostgreSQL; None on SQLite, whose FTS has no branch)."""
    if conn.dialect.name != "postgresql":
        return None
    sql = "SELECT order_id FROM order_search WHERE branch_id = :b AND doc LIKE :p ORDER BY 1"
    return [r[0] for r in conn.execute(sa.text(sql), {"b": branch_id, "p": f"%{text}%"})]


SEARCH_EXACT = "0006_search_exact_paths"


def _revision_before(revision: str) -> str:
    """The migration ``revision`` follows (whatever the chain is after merges)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(revision).down_revision


def test_0003_fills_the_phone_digits_and_search_branches_and_downgrades_cleanly(scratch_db):
    from flask_migrate import downgrade, upgrade

    db = scratch_db
    before = _revision_before(SEARCH_EXACT)
    # given orders written before 0003
    upgrade(revision=before)
    with db.engine.begin() as conn:
        _insert_order(conn, 7, phone="+27 82 779 0876", branches=2)
        _insert_order(conn, 8)
    # when
    upgrade(revision=SEARCH_EXACT)
    # then existing rows have their digits and branch, and changes follow
    with db.engine.begin() as conn:
        assert _phone_digits(conn) == ["27827790876", None]
        assert _branch_search(conn, 1, "nkosi") in ([7, 8], None)
        conn.execute(sa.text("UPDATE orders SET customer_phone = '082 555 1234', branch_id = 2 WHERE id = 7"))
        assert _phone_digits(conn) == ["0825551234", None]
        assert _branch_search(conn, 1, "nkosi") in ([8], None) and _branch_search(conn, 2, "nkosi") in ([7], None)
        assert conn.execute(sa.text("SELECT id FROM orders WHERE customer_phone_digits = '0825551234'")).all() == [(7,)]
        email = ("lower(customer_email) = 'thandi@example.test'" if conn.dialect.name == "postgresql"
                 else "customer_email = 'THANDI@EXAMPLE.TEST' COLLATE NOCASE")
        assert conn.execute(sa.text(f"SELECT count(*) FROM orders WHERE {email}")).scalar() == 2
    downgrade(revision=before)
    with db.engine.begin() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("orders")}
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("orders")}
        assert "customer_phone_digits" not in columns
        assert not indexes & {"ix_orders_customer_phone_digits", "ix_orders_customer_email_lower"}
        conn.execute(sa.text("UPDATE orders SET customer_name = 'Sipho Dube', branch_id = 1 WHERE id = 7"))
        assert _found(conn, "sipho") == [7]  # 0002's search still kept in sync
    upgrade(revision=SEARCH_EXACT)
    with db.engine.begin() as conn:
        assert _phone_digits(conn) == ["0825551234", None]
        assert _branch_search(conn, 1, "sipho") in ([7], None)
    downgrade(revision=before)
