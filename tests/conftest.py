"""Test fixtures: one database per xdist worker (SQLite file or PostgreSQL database), schema built by the
real migrations, every table emptied after each test; a login helper; a live server for browser tests.

TEST_DATABASE_URL selects the database: ``sqlite`` (default) or a PostgreSQL URL such as
``postgresql://postgres@127.0.0.1:5432/test`` (each worker then uses its own ``<name>_<worker>`` database).
"""
from __future__ import annotations

import contextvars
import os
import shutil
import threading

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tests import factories

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "sqlite")
    if url in ("", "sqlite"):
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if url.startswith(("postgres://", "postgresql://", "postgresql+psycopg://")):
        base, _, name = url.rpartition("/")
        # Unique per process, so two test runs on one machine never drop each other's database.
        worker_db = f"{name}_{WORKER}_{os.getpid()}"
        admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{worker_db}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{worker_db}"'))
        admin.dispose()
        return f"{base}/{worker_db}"
    return url


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    os.environ["TEST_DATABASE_URL_RESOLVED"] = url = _database_url(tmp_path_factory)
    os.environ.setdefault("ORDER_DESK_INSTANCE", str(tmp_path_factory.mktemp("instance")))
    from flask_migrate import upgrade

    from app import create_app
    from app.config import TestConfig

    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = url.replace("postgresql://", "postgresql+psycopg://", 1)
    from app.config import _engine_options

    config.SQLALCHEMY_ENGINE_OPTIONS = _engine_options(config.SQLALCHEMY_DATABASE_URI)
    config.EXPORT_DIR = str(tmp_path_factory.mktemp("exports"))
    config.EBILL_CACHE_DIR = str(tmp_path_factory.mktemp("ebills"))
    config.LOGIN_MAX_FAILURES = 5
    application = create_app(config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        from app.extensions import db as _db

        _db.session.remove()
        _db.engine.dispose()
    _drop_worker_database(url)


def _drop_worker_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    base, _, name = url.rpartition("/")
    admin = sa.create_engine(f"{base}/postgres".replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context, ``g`` and database
    session, even while the test itself holds an app context for factories and assertions."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def db(app):
    """The database, emptied after the test (works for live-server and multi-thread tests too)."""
    from app.extensions import db as _db

    ctx = app.app_context()
    ctx.push()
    yield _db
    _db.session.rollback()
    _db.session.remove()
    _empty_all_tables(_db)
    shutil.rmtree(app.config["EBILL_CACHE_DIR"], ignore_errors=True)  # ids start again at 1: so must the cache
    from app.extensions import limiter

    limiter.reset()  # API rate-limit counters (memory storage) start afresh for each test
    ctx.pop()


def _empty_all_tables(_db) -> None:
    engine = _db.engine
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for t in tables:
                conn.exec_driver_sql(f'DELETE FROM "{t}"')
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def no_csrf(app):
    """Disable CSRF for a test that is about something else (CSRF has its own tests)."""
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


class AuthActions:
    """flaskr-style login helper. Fetches the sign-in page for a real CSRF token, then posts it."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = factories.PASSWORD):
        page = self.client.get("/login")
        token = factories.csrf_from(page.get_data(as_text=True))
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        page = self.client.get("/orders")
        token = factories.csrf_from(page.get_data(as_text=True))
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def api(client):
    """JSON API helper: ``api.token(email)``, ``api.get(url, token)``, ``api.post(url, token, json=...)``."""
    from tests.api_support import ApiHelper

    return ApiHelper(client)


@pytest.fixture
def shop(db):
    """A small shop: two branches, staff of each, a manager of both, an admin, a customer."""
    return factories.make_shop()


# --- browser tests -----------------------------------------------------------------------------

@pytest.fixture
def live_server(app, db):
    """The app served on a free loopback port in a thread, against the test database."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    # Confirmations are accepted like a person clicking OK; a test may set
    # ``page.dialog_answers["accept"] = False`` to click Cancel instead.
    answers = {"accept": True}
    pg.on("dialog", lambda d: d.accept() if answers["accept"] else d.dismiss())
    pg.dialog_answers = answers
    yield pg
    context.close()


def sign_in(page, email: str, password: str = factories.PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/orders**")
