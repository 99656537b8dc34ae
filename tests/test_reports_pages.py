"""Export pages: permissions, the form and remembered columns, progress polling, download, My exports, retry,
Redis down."""
from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest

from app.models import ExportJob, ExportStatus, StaffUser
from app.orders.filters import parse_order_filter
from app.models.types import utcnow
from app.reports import exports
from app.reports.columns import default_keys
from app.templating import dt
from tests import factories


@pytest.fixture
def inline(app):
    """Run exports inside the request (the runner is the same; only the thread is skipped)."""
    app.config["EXPORT_RUNNER"] = "inline"
    yield
    app.config.pop("EXPORT_RUNNER", None)




def start_export(client, query="", **data):
    form = {"csrf_token": factories.csrf_token(client, f"/exports/new?{query}"), "format": "csv", "shape": "orders",
            "columns": ["code", "total"], **data}
    return client.post(f"/exports/?{query}", data=form)


def export_job(shop, status=ExportStatus.FINISHED, **kw) -> ExportJob:
    job = exports.request_export(shop.manager, parse_order_filter({}), format="csv", shape="orders",
                                 columns=["code"])
    for k, v in dict(status=status, **kw).items():
        setattr(job, k, v)
    factories.db.session.commit()
    return job


PROTECTED = [("get", "/exports/new"), ("post", "/exports/"), ("get", "/exports/"), ("get", "/exports/{id}"),
             ("get", "/exports/{id}/progress"), ("get", "/exports/{id}/download"), ("post", "/exports/{id}/retry")]


@pytest.mark.parametrize("method,url", PROTECTED)
def test_staff_get_403_on_every_export_url(client, auth, shop, method, url):
    job = export_job(shop)
    auth.login(shop.staff1.email)
    data = {"csrf_token": factories.csrf_token(client)} if method == "post" else None
    r = getattr(client, method)(url.format(id=job.id), data=data)
    assert r.status_code == 403


@pytest.mark.parametrize("method,url", PROTECTED)
def test_signed_out_visitors_are_sent_to_sign_in(client, shop, method, url):
    r = getattr(client, method)(url.format(id=1))
    assert r.status_code in (302, 400) and (r.status_code == 400 or "/login" in r.headers["Location"])


def test_export_button_only_for_managers_and_admins(client, auth, shop):
    auth.login(shop.staff1.email)
    assert "Export…" not in client.get("/orders").get_data(as_text=True)
    auth.logout()
    for user in (shop.manager, shop.admin):
        auth.login(user.email)
        html = client.get("/orders?status=ORDERED").get_data(as_text=True)
        assert 'href="/exports/new?status=ORDERED"' in html and "My exports" in html
        auth.logout()


def test_manager_exports_the_filtered_list_and_downloads_it(client, auth, shop, inline):
    # given
    wanted = factories.make_order(shop.branch1, code="ORD-2026-000501")
    factories.make_order(shop.branch1, code="ORD-2026-000502", status=factories.OrderStatus.PROCESSING)
    factories.make_order(shop.branch3, code="ORD-2026-000503")
    factories.db.session.commit()
    auth.login(shop.manager.email)
    # when: the form shows the filters, then the export is started
    page = client.get("/exports/new?status=ORDERED").get_data(as_text=True)
    assert "Status: Ordered" in page and 'name="columns" value="code"' in page
    r = start_export(client, "status=ORDERED", **{"pos-code": "2", "pos-total": "1"})
    # then
    assert r.status_code == 303
    job = factories.db.session.scalars(factories.db.select(ExportJob)).one()
    assert r.headers["Location"].endswith(f"/exports/{job.id}")
    assert job.filters == {"status": ["ORDERED"]} and job.columns == ["total", "code"]
    detail = client.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "Download" in detail and "<progress" in detail
    download = client.get(f"/exports/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True), newline="")))
    assert rows == [["Total", "Order"], ["150.00", wanted.code]]


def test_the_column_choice_is_remembered_per_user(client, auth, shop, inline):
    auth.login(shop.manager.email)
    start_export(client, format="xlsx", columns=["total", "customer", "code"],
                 **{"pos-total": "3", "pos-customer": "1", "pos-code": "2"})
    factories.db.session.expire_all()
    saved = factories.db.session.get(StaffUser, shop.manager.id).preferences["export"]
    assert saved["format"] == "xlsx" and saved["columns"]["orders"] == ["customer", "code", "total"]
    html = client.get("/exports/new").get_data(as_text=True)
    assert html.index('value="customer"') < html.index('value="code"') < html.index('value="total"')
    assert 'value="xlsx" checked' in html
    # the per-line shape keeps its own defaults
    lines = client.get("/exports/new?shape=lines").get_data(as_text=True)
    assert 'id="col-sku" checked' in lines


def test_form_errors_are_messages(client, auth, shop, inline):
    auth.login(shop.manager.email)
    r = start_export(client, columns=[])
    assert r.status_code == 400 and "Choose at least one column" in r.get_data(as_text=True)
    r = client.get("/exports/new?status=SHIPPED")
    assert r.status_code == 400 and "Unknown status" in r.get_data(as_text=True)
    r = client.post("/exports/", data={"format": "csv", "shape": "orders", "columns": ["code"]})
    assert r.status_code == 400  # no CSRF token
    assert factories.db.session.scalars(factories.db.select(ExportJob)).all() == []


def test_progress_panel_polls_until_done_then_answers_286(client, auth, shop):
    running = export_job(shop, ExportStatus.RUNNING, rows_done=250, rows_total=1000,
                         heartbeat_at=utcnow())
    done = export_job(shop, ExportStatus.FINISHED, rows_done=3, rows_total=3, file_path="x.csv",
                      file_name="orders.csv", file_size=10)
    auth.login(shop.manager.email)
    r = client.get(f"/exports/{running.id}/progress", headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'hx-trigger="every 1s"' in html and 'value="250"' in html
    assert "250 of 1,000 rows" in html
    r = client.get(f"/exports/{done.id}/progress", headers={"HX-Request": "true"})
    assert r.status_code == 286 and "hx-trigger" not in r.get_data(as_text=True)
    assert "Download orders.csv" in r.get_data(as_text=True)


def test_my_exports_lists_only_mine_with_filters_size_rows_and_retry(client, auth, shop):
    mine = exports.request_export(shop.manager, parse_order_filter({"status": "ORDERED", "q": "Nkosi"}),
                                  format="xlsx", shape="lines", columns=["sku"])
    mine.status, mine.rows_done, mine.file_size, mine.file_path = ExportStatus.FINISHED, 1234, 2048, "f.xlsx"
    failed = export_job(shop, ExportStatus.FAILED, error="Unexpected error: boom")
    other_manager = factories.make_staff("m2@shop.test", factories.StaffRole.MANAGER, branches=[shop.branch1])
    theirs = exports.request_export(other_manager, parse_order_filter({}), format="csv", shape="orders",
                                    columns=["code"])
    factories.db.session.commit()
    auth.login(shop.manager.email)
    html = client.get("/exports/").get_data(as_text=True)
    assert "Search: Nkosi" in html and "Status: Ordered" in html and "1,234" in html and "2.0 KB" in html
    assert "Excel, one row per order line" in html and "Unexpected error: boom" in html and ">Retry<" in html
    assert f'data-export="{theirs.id}"' not in html
    assert client.get(f"/exports/{theirs.id}").status_code == 404
    assert client.get(f"/exports/{theirs.id}/download").status_code == 404
    assert client.get(f"/exports/{failed.id}/download").status_code == 404


def test_retry_makes_a_new_job_with_the_same_choice(client, auth, shop, inline):
    factories.make_order(shop.branch1)
    factories.db.session.commit()
    failed = export_job(shop, ExportStatus.FAILED, error="boom")
    auth.login(shop.manager.email)
    r = client.post(f"/exports/{failed.id}/retry", data={"csrf_token": factories.csrf_token(client)})
    assert r.status_code == 303
    again = factories.db.session.scalars(factories.db.select(ExportJob).where(ExportJob.id != failed.id)).one()
    assert (again.format, again.shape, again.columns, again.filters) == ("csv", "orders", ["code"], {})
    assert again.status == ExportStatus.FINISHED and again.rows_done == 1
    # a finished export is not retried
    r = client.post(f"/exports/{again.id}/retry", data={"csrf_token": factories.csrf_token(client)})
    assert r.status_code == 303 and factories.db.session.query(ExportJob).count() == 2


def test_redis_down_is_a_clear_message_not_a_500(app, client, auth, shop):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        auth.login(shop.manager.email)
        r = start_export(client)
    finally:
        app.config["REDIS_URL"] = None
    assert r.status_code == 503
    assert "export queue cannot be reached" in r.get_data(as_text=True)
    job = factories.db.session.scalars(factories.db.select(ExportJob)).one()
    assert job.status == ExportStatus.FAILED and "cannot be reached" in job.error


def test_without_redis_the_export_runs_in_a_background_thread(client, auth, shop):
    # given no REDIS_URL and no runner override: the app's own thread runs it
    factories.make_order(shop.branch1)
    factories.db.session.commit()
    auth.login(shop.manager.email)
    # when
    r = start_export(client)
    export_id = int(r.headers["Location"].rsplit("/", 1)[1])
    # then the polled panel reaches 286 with a download link
    for _ in range(100):
        r = client.get(f"/exports/{export_id}/progress", headers={"HX-Request": "true"})
        if r.status_code == 286:
            break
        time.sleep(0.1)
    assert r.status_code == 286 and "Download" in r.get_data(as_text=True)
    assert client.get(f"/exports/{export_id}/download").status_code == 200


def test_my_exports_shows_rows_size_and_expiry_once(client, auth, shop):
    # given a finished export and a running one
    expires = utcnow() + timedelta(days=7)
    done = export_job(shop, ExportStatus.FINISHED, rows_done=1234, rows_total=1234, file_path="f.csv",
                      file_name="orders-1.csv", file_size=2048, expires_at=expires)
    running = export_job(shop, ExportStatus.RUNNING, rows_done=250, rows_total=1000, heartbeat_at=utcnow())
    auth.login(shop.manager.email)
    # when
    html = client.get("/exports/").get_data(as_text=True)
    # then: each figure once, in its own column
    row = html[html.index(f'data-export="{done.id}"'):]
    row = row[:row.index("</tr>")]
    assert row.count("1,234") == 1 and row.count("2.0 KB") == 1 and row.count(dt(expires)) == 1
    assert "kept until" not in row and "Download orders-1.csv" in row
    # the running row polls as a whole, so its rows, size and expiry fill in when it is done
    running_row = html[html.index(f'data-export="{running.id}"'):]
    running_row = running_row[:running_row.index("</tr>")]
    assert f'hx-get="/exports/{running.id}/progress?view=row"' in running_row and "250 of 1,000" in running_row
    assert "rows</span>" not in running_row  # the progress figure once, in the Rows column
    r = client.get(f"/exports/{running.id}/progress?view=row", headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.get_data(as_text=True).lstrip().startswith("<tr")
    r = client.get(f"/exports/{done.id}/progress?view=row", headers={"HX-Request": "true"})
    assert r.status_code == 286 and "hx-get" not in r.get_data(as_text=True) and "2.0 KB" in r.get_data(as_text=True)


def test_export_form_shows_the_shape_and_the_file_it_will_make(client, auth, shop):
    auth.login(shop.manager.email)
    html = client.get("/exports/new?status=ORDERED").get_data(as_text=True)
    assert "<strong>One row per order</strong>: each order once" in html
    assert 'href="/exports/new?status=ORDERED&amp;shape=lines" id="shape-lines">Switch to one row per order line' in html
    summary = html[html.index('id="export-summary"'):html.index("</p>", html.index('id="export-summary"'))]
    assert "CSV, one row per order" in summary and f"{len(default_keys('orders'))} columns" in summary
    assert "Order, Placed at, Modified at, Branch, Channel, Status, Payment" in summary
    lines = client.get("/exports/new?status=ORDERED&shape=lines").get_data(as_text=True)
    assert "<strong>One row per order line</strong>: an order with three lines fills three rows" in lines
    assert "Switch to one row per order<" in lines and "CSV, one row per order line" in lines
