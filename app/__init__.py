"""Order Desk: the back-office where a retailer's staff run every order."""
from __future__ import annotations

import logging
import uuid

from flask import Flask, g, jsonify, render_template, request
from werkzeug.routing import IntegerConverter

from app.config import Config, TestConfig
from app.extensions import csrf, db, htmx, limiter, login_manager, migrate
from app.ids import MAX_ID, MIN_ID
from app.localtime import check_config, register_sqlite_functions

log = logging.getLogger(__name__)


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a positive id that fits a 32-bit INTEGER column."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", MIN_ID)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=False)
    config = config or Config()
    config.finalise()
    app.config.from_object(config)
    check_config(app.config)  # an unknown SHOP_TIMEZONE stops the start with a clear message
    # Ids in URLs fit the database's INTEGER: /orders/99999999999999999999 is a 404, not a driver overflow.
    app.url_map.converters["int"] = DatabaseIdConverter
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    from app.security import register_security

    register_security(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    from app.auth.session import load_user

    login_manager.user_loader(load_user)
    _sqlite_pragmas(app)


def _on_connect(dbapi_conn, _record) -> None:
    """WAL + foreign keys on SQLite, so readers don't block the writer and FKs hold."""
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        register_sqlite_functions(dbapi_conn)


def _sqlite_pragmas(app: Flask) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)


def register_blueprints(app: Flask) -> None:
    from app.api import register_api
    from app.auth.routes import bp as auth_bp
    from app.customers.routes import bp as customers_bp
    from app.health import bp as health_bp
    from app.orders.ebill_routes import bp as ebills_bp
    from app.orders.routes import bp as orders_bp
    from app.reports.routes import bp as reports_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(ebills_bp)
    app.register_blueprint(customers_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(reports_bp)
    register_api(app)


def register_errorhandlers(app: Flask) -> None:
    def wants_json() -> bool:
        return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"

    from app.api import errors as api_errors

    def render(status: int, title: str, message: str, error_id: str | None = None, exc=None):
        if api_errors.is_api_request():
            if status == 500:
                return api_errors.respond(500, api_errors.SERVER_ERROR, code="server_error", error_id=error_id)
            return api_errors.handle_http_error(exc)
        if wants_json():
            body = {"success": False, "error": {"code": title.lower().replace(" ", "_"), "message": message}}
            if error_id:
                body["error"]["id"] = error_id
            return jsonify(body), status
        return render_template("errors/error.html", status=status, title=title, message=message,
                               error_id=error_id), status

    @app.errorhandler(400)
    def bad_request(e):
        return render(400, "Bad request", getattr(e, "description", None) or "The request was not understood.", exc=e)

    @app.errorhandler(403)
    def forbidden(e):
        return render(403, "Forbidden", "You do not have access to this page.", exc=e)

    @app.errorhandler(404)
    def not_found(e):
        return render(404, "Not found", "There is nothing here, or you do not have access to it.", exc=e)

    @app.errorhandler(405)
    def not_allowed(e):
        return render(405, "Method not allowed", "That action is not available here.", exc=e)

    @app.errorhandler(500)
    def server_error(e):
        error_id = getattr(g, "error_id", None) or uuid.uuid4().hex[:12]
        original = getattr(e, "original_exception", None)
        log.error("error_id=%s unhandled error on %s %s", error_id, request.method, request.path, exc_info=original)
        db.session.rollback()
        return render(500, "Server error", "Something went wrong on our side. Quote this error id if you report it.",
                      error_id)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render(400, "Bad request", "The form expired or was not sent by this site. Reload the page and try again.",
                      exc=e)

    api_errors.register(app)


def register_template_helpers(app: Flask) -> None:
    from app import templating

    templating.register(app)


def register_commands(app: Flask) -> None:
    from app.commands import register

    register(app)


__all__ = ["create_app", "Config", "TestConfig"]
