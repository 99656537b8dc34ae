"""Export files: CSV and XLSX contents, types, totals, labels and codes, formula-injection neutralising, filters
and scoping."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.models import ExportJob, ExportStatus, SalesChannel
from app.orders.filters import parse_order_filter
from app.orders.status import FulfilmentMethod, OrderStatus
from app.reports import exports
from app.reports.columns import default_keys, neutralised_sql
from app.reports.runner import execute_export
from tests import factories

TRICKY = ["=HYPERLINK(\"http://evil\")", "+27 82 555 0101", "-2+3", "@SUM(A1:A2)", "\tTabbed", "\rCarriage",
          "Plain, with \"quotes\"\nand a new line"]


def run(user, args=None, *, format="csv", shape="orders", columns=None) -> ExportJob:
    f = parse_order_filter(args or {})
    assert not f.errors, f.errors
    job = exports.request_export(user, f, format=format, shape=shape, columns=columns or default_keys(shape))
    factories.db.session.commit()
    execute_export(job.id)
    factories.db.session.expire_all()
    job = factories.db.session.get(ExportJob, job.id)
    assert job.status == ExportStatus.FINISHED, job.error
    return job


def path_of(app, job) -> Path:
    return Path(app.config["EXPORT_DIR"]) / job.file_path


def sheet_rows(ws) -> list[list]:
    """Cell values per row, trailing empty cells dropped (a blank row is [])."""
    out = []
    for r in ws.iter_rows(values_only=True):
        r = list(r)
        while r and r[-1] is None:
            r.pop()
        out.append(r)
    return out


def read_csv(app, job) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path_of(app, job).read_bytes().decode("utf-8-sig"), newline="")))


@pytest.fixture
def tricky_orders(shop):
    orders = []
    for i, name in enumerate(TRICKY):
        customer = factories.make_customer(name=name)
        orders.append(factories.make_order(shop.branch1, customer=customer, lines=(("199.90", 2), ("5.05", 1)),
                                           channel=SalesChannel.SHOPIFY if i % 2 else SalesChannel.INTERNAL,
                                           status=OrderStatus.PROCESSING if i % 3 == 0 else OrderStatus.ORDERED))
    orders[0].discount_total = Decimal("-10.00")  # a negative amount stays a number: never neutralised
    orders[0].created_at = datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=timezone.utc)
    factories.make_order(shop.branch3, code="ORD-2026-999999")  # another branch group: never in the manager's file
    factories.db.session.commit()
    return orders


def test_csv_has_header_iso_dates_two_decimal_amounts_and_neutralised_text(app, shop, tricky_orders):
    # when
    job = run(shop.manager, {"sort": "code", "direction": "asc"},
              columns=["code", "placed_at", "customer", "discount", "total", "channel", "status", "gift_box"])
    rows = read_csv(app, job)
    # then
    assert rows[0] == ["Order", "Placed at", "Customer", "Discount", "Total", "Channel", "Status", "Gift box"]
    body = rows[1:]
    assert [r[0] for r in body] == sorted(o.code for o in tricky_orders)
    by_code = {r[0]: r for r in body}
    first = by_code[tricky_orders[0].code]
    assert first[1] == "2026-03-04T07:06:07+02:00"  # the shop's local time with its offset (05:06:07 UTC)
    assert first[3] == "-10.00"  # numeric column: no quote prefix
    assert first[4] == "454.85"  # 2 × 199.90 + 5.05 + 50.00 delivery, two decimals
    assert first[2] == "'=HYPERLINK(\"http://evil\")"
    names = {r[2] for r in body}
    assert {"+27 82 555 0101", "'-2+3", "'@SUM(A1:A2)", "'\tTabbed", "'\rCarriage",
            "Plain, with \"quotes\"\nand a new line"} <= names  # a phone number stays readable
    assert {(r[5], r[6]) for r in body} == {("Internal", "Processing"), ("Internal", "Ordered"),
                                            ("Shopify", "Ordered"), ("Shopify", "Processing")}  # labels, not codes
    assert {r[7] for r in body} == {"no"}
    assert job.rows_done == job.rows_total == len(tricky_orders)
    assert job.file_size == path_of(app, job).stat().st_size
    assert not path_of(app, job).read_bytes().startswith(b"\xef\xbb\xbf")


def test_csv_bom_is_a_setting(app, shop, tricky_orders):
    app.config["CSV_BOM"] = True
    try:
        job = run(shop.manager, columns=["code"])
    finally:
        app.config["CSV_BOM"] = False
    assert path_of(app, job).read_bytes().startswith(b"\xef\xbb\xbfOrder")


def test_csv_one_row_per_line_with_variation(app, shop):
    order = factories.make_order(shop.branch2, lines=(("10.00", 3), ("2.50", 1)))
    factories.db.session.commit()
    job = run(shop.manager, shape="lines")
    rows = read_csv(app, job)
    assert rows[0] == ["Order", "Placed at", "Branch", "Channel", "Customer", "SKU", "Name", "Variation", "Quantity",
                       "Unit price", "Line total", "Item status", "Currency"]
    assert len(rows) == 3
    assert [r[5] for r in rows[1:]] == [i.sku for i in order.items]
    assert rows[1][2] == "Stellenbosch" and rows[1][7] == "Size: M"
    assert rows[1][8:12] == ["3", "10.00", "30.00", "Active"]


def test_xlsx_typed_cells_header_filter_widths_and_totals(app, shop, tricky_orders):
    # when
    job = run(shop.manager, {"sort": "code", "direction": "asc"}, format="xlsx")
    wb = load_workbook(path_of(app, job))
    ws = wb["Orders"]
    # then: header
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Order", "Placed at (SAST, UTC+02:00)", "Modified at (SAST, UTC+02:00)"]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:P{len(tricky_orders) + 1}"
    assert ws.column_dimensions["A"].width == 18
    # typed cells
    row = {h: c for h, c in zip(header, ws[2])}
    assert row["Order"].value == tricky_orders[0].code
    placed = row["Placed at (SAST, UTC+02:00)"].value  # local time; the header names the zone
    assert isinstance(placed, datetime) and placed == datetime(2026, 3, 4, 7, 6, 7, 891000)
    assert row["Total"].data_type == "n" and Decimal(str(row["Total"].value)) == Decimal("454.85")
    assert row["Discount"].value == -10 and row["Total"].number_format == "#,##0.00"
    # text cells are inline strings, never formulas: written as they are, without an apostrophe
    assert row["Customer"].value == "=HYPERLINK(\"http://evil\")" and row["Customer"].data_type == "s"
    texts = {ws.cell(r, header.index("Customer") + 1).value for r in range(2, ws.max_row + 1)}
    assert {"@SUM(A1:A2)", "-2+3", "+27 82 555 0101"} <= texts
    assert row["Status"].value == "Processing" and row["Channel"].value == "Internal"
    # totals sheet: per status and per channel, and the grand total
    totals = sheet_rows(wb["Totals"])
    assert totals[0] == ["Totals by status"] and totals[1] == ["Status", "Currency", "Orders", "Total"]
    by_status = {r[0]: r for r in totals[2:4]}
    assert by_status["Processing"][2] == 3 and by_status["Ordered"][2] == 4
    assert Decimal(str(by_status["Ordered"][3])) == Decimal("454.85") * 4
    channel_rows = [r for r in totals if r and r[0] in ("Internal", "Shopify")]
    assert {r[0]: r[2] for r in channel_rows} == {"Internal": 4, "Shopify": 3}
    assert totals[-1][0] == "All" and totals[-1][2] == 7
    assert Decimal(str(totals[-1][3])) == Decimal("454.85") * 7


def test_xlsx_per_line_totals(app, shop):
    factories.make_order(shop.branch1, lines=(("10.00", 3), ("2.50", 2)))
    factories.db.session.commit()
    job = run(shop.manager, format="xlsx", shape="lines")
    wb = load_workbook(path_of(app, job))
    ws = wb["Order lines"]
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index("Quantity") + 1).value == 3
    totals = sheet_rows(wb["Totals"])
    assert totals[1] == ["Item status", "Currency", "Lines", "Quantity", "Line total"]
    assert totals[2][:4] == ["Active", "ZAR", 2, 5] and Decimal(str(totals[2][4])) == Decimal("35.00")


def test_manager_of_branches_1_and_2_never_gets_branch_3_rows(app, shop):
    mine = [factories.make_order(shop.branch1), factories.make_order(shop.branch2)]
    factories.make_order(shop.branch3, code="ORD-2026-300001")
    factories.db.session.commit()
    # asking for branch 3 by filter does not widen the scope
    for args in ({}, {"branch": [str(shop.branch3.id)]}, {"branch_group": str(shop.branch3.group_id)}):
        for fmt, shape in (("csv", "orders"), ("csv", "lines"), ("xlsx", "orders")):
            job = run(shop.manager, args, format=fmt, shape=shape)
            if fmt == "csv":
                codes = {r[0] for r in read_csv(app, job)[1:]}
            else:
                codes = {r[0].value for r in load_workbook(path_of(app, job))["Orders"].iter_rows(min_row=2)}
            assert "ORD-2026-300001" not in codes
            assert codes <= {o.code for o in mine}
    # the admin sees every branch
    job = run(shop.admin)
    assert len(read_csv(app, job)) == 4


def test_export_uses_the_list_filters_with_tricky_search_text(app, shop):
    # given names that break naive quoting of COPY's inlined SQL: quotes, backslash, % and _
    target = factories.make_order(shop.branch1, customer=factories.make_customer(name="O'Brien \\ 50%_off"))
    factories.make_order(shop.branch1, customer=factories.make_customer(name="O'Brien X 50a off"))
    factories.make_order(shop.branch1, status=OrderStatus.CANCELLED,
                         customer=factories.make_customer(name="O'Brien \\ 50%_off again"))
    factories.db.session.commit()
    # when
    job = run(shop.manager, {"q": "o'brien \\ 50%_", "status": ["ORDERED"]}, columns=["code", "customer"])
    # then
    assert read_csv(app, job)[1:] == [[target.code, "O'Brien \\ 50%_off"]]
    job = run(shop.manager, {"total_max": "149.99", "created_from": "2020-01-01"}, columns=["code"])
    assert read_csv(app, job)[1:] == []


def test_an_empty_result_is_a_header_only_file(app, shop):
    job = run(shop.manager, {"q": "nothing matches this"}, columns=["code", "total"])
    assert read_csv(app, job) == [["Order", "Total"]]
    job = run(shop.manager, {"q": "nothing matches this"}, format="xlsx", columns=["code", "total"])
    assert load_workbook(path_of(app, job))["Orders"].max_row == 1


# The CSV neutralising rule (docs/EXPORTS.md), as a table: the value in the database -> the CSV cell.
NEUTRALISING = [
    # a spreadsheet would evaluate these: apostrophe
    ("=1+1", "'=1+1"),
    ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("+1 800 FLOWERS", "'+1 800 FLOWERS"),  # letters: not a phone number
    ("-12.", "'-12."),
    ("+", "'+"),
    ("--", "'--"),
    ("+27 82\n555 0101", "'+27 82\n555 0101"),  # a line break is not part of a phone number
    ("\tTabbed", "'\tTabbed"),
    ("\rCarriage", "'\rCarriage"),
    # numbers, phone numbers and a lone dash: left alone
    ("+27 73 716 1228", "+27 73 716 1228"),
    ("+27 (0)82 779-0876", "+27 (0)82 779-0876"),
    ("+27.82.779.0876", "+27.82.779.0876"),
    ("+27827790876", "+27827790876"),
    ("-10", "-10"),
    ("-12.50", "-12.50"),
    ("+5", "+5"),
    ("-", "-"),
    # anything that does not start with = + - @ tab or CR: left alone
    ("082 779 0876", "082 779 0876"),
    ("O'Brien", "O'Brien"),
    ("a=b", "a=b"),
    (" =1", " =1"),
    ("", ""),
]


@pytest.mark.parametrize("value, cell", NEUTRALISING, ids=[repr(v) for v, _ in NEUTRALISING])
def test_csv_neutralising_rule(db, value, cell):
    # the rule runs in SQL (PostgreSQL's COPY, SQLite's cursor): checked on the database under test
    assert db.session.scalar(sa.select(neutralised_sql(sa.literal(value, sa.String)))) == cell


def test_csv_and_xlsx_phone_numbers_are_readable_and_formulas_are_not(app, shop):
    # given
    for name, phone in (("=1+1", "+27 73 716 1228"), ("-2+3", "-"), ("Plain", "082 779 0876")):
        customer = factories.make_customer(name=name, phone=phone)
        factories.make_order(shop.branch1, customer=customer)
    factories.db.session.commit()
    # when
    csv_rows = read_csv(app, run(shop.manager, {"sort": "customer", "direction": "asc"}, columns=["customer", "phone"]))
    wb = load_workbook(path_of(app, run(shop.manager, {"sort": "customer", "direction": "asc"}, format="xlsx",
                                        columns=["customer", "phone"])))
    # then: CSV neutralises the formulas only; XLSX text cells are text, never formulas, so nothing is added
    assert csv_rows[1:] == [["'-2+3", "-"], ["'=1+1", "+27 73 716 1228"], ["Plain", "082 779 0876"]]
    assert sheet_rows(wb["Orders"])[1:] == [["-2+3", "-"], ["=1+1", "+27 73 716 1228"], ["Plain", "082 779 0876"]]
    assert {c.data_type for row in wb["Orders"].iter_rows(min_row=2) for c in row} == {"s"}


def test_labels_by_default_and_codes_as_extra_columns(app, shop):
    # given
    factories.make_order(shop.branch1, status=OrderStatus.DELIVERY_READY, channel=SalesChannel.UBER_EATS,
                         fulfilment_method=FulfilmentMethod.COLLECTION)
    factories.db.session.commit()
    columns = ["status", "status_code", "channel", "channel_code", "payment_status", "payment_status_code",
               "method", "method_code", "delivery", "delivery_code"]
    header = ["Status", "Status code", "Channel", "Channel code", "Payment", "Payment code", "Method", "Method code",
              "Delivery", "Delivery code"]
    row = ["Delivery ready", "DELIVERY-READY", "Uber Eats", "UBER_EATS", "Pending", "PENDING", "Collection",
           "COLLECTION", "Standard", "STANDARD"]
    # then: CSV and XLSX alike
    assert read_csv(app, run(shop.manager, columns=columns)) == [header, row]
    wb = load_workbook(path_of(app, run(shop.manager, format="xlsx", columns=columns)))
    assert sheet_rows(wb["Orders"]) == [header, row]
    # the per-line shape too; codes are never ticked by default
    lines = read_csv(app, run(shop.manager, shape="lines", columns=["order_status", "order_status_code", "item_status",
                                                                    "item_status_code", "channel"]))
    assert lines == [["Order status", "Order status code", "Item status", "Item status code", "Channel"],
                     ["Delivery ready", "DELIVERY-READY", "Active", "ACTIVE", "Uber Eats"]]
    assert not {"status_code", "channel_code", "order_status_code", "item_status_code"} & {
        k for shape in ("orders", "lines") for k in default_keys(shape)}
