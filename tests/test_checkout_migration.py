"""Migration 0007_checkout on a database of its own: upgrade (flags true for existing branches, invoice sequences
continuing after existing numbers), clean downgrade, upgrade again."""
from __future__ import annotations

import sqlalchemy as sa

from tests.test_orders_migration import scratch_app, scratch_url  # noqa: F401  (scratch_url: a fixture)

ORDER = ("INSERT INTO orders (id, code, customer_name, branch_id, channel, extra_data, status, payment_status, "
         "fulfilment_method, delivery_method, is_supplier_order, has_gift_box, language_code, currency, subtotal, "
         "discount_total, tax_total, delivery_fee, total, refunded_total, created_at, updated_at, version, "
         "invoice_number) VALUES (:id, :code, 'X', 1, 'INTERNAL', '{}', 'ORDERED', 'PENDING', 'DELIVERY', "
         "'STANDARD', false, false, 'en', 'ZAR', 0, 0, 0, 0, 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, :inv)")


def test_upgrade_seeds_invoice_sequences_and_downgrade_is_clean(scratch_url):  # noqa: F811
    from flask_migrate import downgrade, upgrade

    with scratch_app(scratch_url).app_context():
        from app.extensions import db

        upgrade(revision="0002")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO branches (id, code, name, currency, is_active) "
                                 "VALUES (1, 'CPT', 'Cape Town', 'ZAR', true)"))
            conn.execute(sa.text(ORDER), [{"id": 1, "code": "ORD-1", "inv": "CPT-2026-000041"},
                                          {"id": 2, "code": "ORD-2", "inv": "CPT-2026-000007"},
                                          {"id": 3, "code": "ORD-3", "inv": "INV-2026-000100"}])
        # when
        upgrade(revision="0007_checkout")
        # then
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT delivers, offers_collection FROM branches")).one() == (True, True)
            assert conn.execute(sa.text("SELECT branch_id, year, last_number FROM invoice_sequences")).all() == [
                (1, 2026, 41)]
            conn.execute(sa.text("INSERT INTO baskets (reference, customer_id, status, items, created_at, updated_at, "
                                 "order_id) VALUES ('BSK-1', NULL, 'OPEN', '[]', CURRENT_TIMESTAMP, "
                                 "CURRENT_TIMESTAMP, 1)"))
        downgrade(revision="0002")
        with db.engine.begin() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("baskets")}
            assert "order_id" not in columns and "invoice_sequences" not in sa.inspect(conn).get_table_names()
        upgrade(revision="0007_checkout")
        db.engine.dispose()
