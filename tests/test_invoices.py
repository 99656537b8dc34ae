"""Invoice numbers: branch code, the order's year in the shop's time zone, a sequence per branch and year with no
gaps (the number is taken in the order's own transaction)."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from app.models import InvoiceSequence
from app.orders.invoices import InvoiceBook, issue_invoice_number
from tests.factories import make_order


def test_numbers_are_sequential_per_branch_and_year(db, shop):
    # given
    a, b, c = (make_order(shop.branch1) for _ in range(3))
    other = make_order(shop.branch2)
    # when
    numbers = [issue_invoice_number(o) for o in (a, b, other, c)]
    db.session.commit()
    # then
    year = datetime.now(timezone.utc).year
    assert numbers[0].startswith("CPT-") and numbers[0].endswith("-000001")
    assert numbers[1] == numbers[0][:-1] + "2" and numbers[3] == numbers[0][:-1] + "3"
    assert numbers[2].startswith("STB-") and numbers[2].endswith("-000001")
    assert issue_invoice_number(a) == numbers[0] and a.invoice_date is not None  # issued once
    assert str(year) in numbers[0] or str(year + 1) in numbers[0]


def test_the_year_is_the_shops_local_year(db, shop):
    # 31 Dec 23:30 UTC is already 1 January in Johannesburg (UTC+2)
    order = make_order(shop.branch1, created_at=datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))
    assert issue_invoice_number(order) == "CPT-2027-000001"
    earlier = make_order(shop.branch1, created_at=datetime(2026, 12, 31, 21, 30, tzinfo=timezone.utc))
    assert issue_invoice_number(earlier) == "CPT-2026-000001"


def test_a_rolled_back_order_gives_its_number_back(db, shop):
    first = make_order(shop.branch1)
    issue_invoice_number(first)
    db.session.commit()
    doomed = make_order(shop.branch1)
    assert issue_invoice_number(doomed).endswith("-000002")
    db.session.rollback()
    again = make_order(shop.branch1)
    assert issue_invoice_number(again).endswith("-000002")


def test_a_loaders_book_continues_the_same_sequence(db, shop):
    order = make_order(shop.branch1)
    issue_invoice_number(order)
    db.session.commit()
    year = int(order.invoice_number.split("-")[1])
    moment = datetime(year, 6, 1, tzinfo=timezone.utc)
    book = InvoiceBook()
    assert [book.issue(shop.branch1.id, moment) for _ in range(2)] == [f"CPT-{year}-000002", f"CPT-{year}-000003"]
    book.save()
    db.session.commit()
    assert db.session.scalar(sa.select(InvoiceSequence.last_number).where(
        InvoiceSequence.branch_id == shop.branch1.id, InvoiceSequence.year == year)) == 3
    later = make_order(shop.branch1, created_at=moment)
    assert issue_invoice_number(later) == f"CPT-{year}-000004"
