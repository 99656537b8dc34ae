"""Configuration, read from the environment only. Every setting has a safe default."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("ORDER_DESK_INSTANCE", BASE_DIR / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'order_desk.db'}"
    # Heroku-style URLs and the bare "postgresql://" both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _engine_options(url: str) -> dict:
    if url.startswith("postgresql"):
        # prepare_threshold=None: a repeated COUNT must not switch to a slow generic plan
        # (see ../shared/PERF-FLOORS.md).
        # jit=off: the planner's cost of a search page read in sort order (a filter it cannot estimate) is
        # far over jit_above_cost, and compiling it took ~40 ms of a ~10 ms query (docs/PERFORMANCE.md).
        return {"pool_pre_ping": True, "connect_args": {"prepare_threshold": None, "options": "-c jit=off"}}
    return {"connect_args": {"timeout": 30}}


class Config:
    def __init__(self) -> None:
        self.SECRET_KEY = _secret_key()
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = _engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.PORT = int(os.environ.get("PORT", "5000"))
        self.EXPORT_DIR = os.environ.get("EXPORT_DIR", str(INSTANCE_DIR / "exports"))
        self.EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))
        self.CSV_BOM = os.environ.get("CSV_BOM", "0") == "1"
        # Where exports run: "rq" (REDIS_URL set), "thread" (in this process) or "inline" (tests only).
        self.EXPORT_RUNNER = os.environ.get("EXPORT_RUNNER") or None
        # A RUNNING export whose heartbeat is older than this is marked failed (its worker died).
        self.EXPORT_STALE_SECONDS = int(os.environ.get("EXPORT_STALE_SECONDS", "60"))
        # A QUEUED export no worker picked up within this time is marked failed.
        self.EXPORT_QUEUED_TIMEOUT_SECONDS = int(os.environ.get("EXPORT_QUEUED_TIMEOUT_SECONDS", "3600"))
        self.LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "10"))
        self.LOGIN_WINDOW_SECONDS = int(os.environ.get("LOGIN_WINDOW_SECONDS", "60"))
        self.LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "300"))
        # Much higher than per account: a whole shop may sign in from one public address.
        self.LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "100"))
        self.LOGIN_ADDRESS_WINDOW_SECONDS = int(os.environ.get("LOGIN_ADDRESS_WINDOW_SECONDS", "900"))
        # How long a browser that signed in stays trusted (app/auth/devices.py) after its latest sign-in.
        self.LOGIN_DEVICE_COOKIE_DAYS = int(os.environ.get("LOGIN_DEVICE_COOKIE_DAYS", "365"))
        # The shop's IANA time zone: pages, date filters, exports and saved views use it; the database stays
        # UTC. Checked at start-up (app/localtime.py).
        self.SHOP_TIMEZONE = os.environ.get("SHOP_TIMEZONE") or "Africa/Johannesburg"
        # Country calling code of phone numbers written nationally (0XX...): the search finds "082 779 0876"
        # and "+27 82 779 0876" alike.
        self.PHONE_COUNTRY_CODE = os.environ.get("PHONE_COUNTRY_CODE", "27").lstrip("+")
        self.DEBUG = os.environ.get("FLASK_DEBUG", "0") == "1"
        # JSON API (app/api): token lifetime, rate limits (Flask-Limiter syntax), CORS origins (off by default).
        self.API_TOKEN_TTL_SECONDS = int(os.environ.get("API_TOKEN_TTL_SECONDS", "3600"))
        self.API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/minute")
        self.API_ADDRESS_RATE_LIMIT = os.environ.get("API_ADDRESS_RATE_LIMIT", "1200/minute")
        self.API_TOKEN_RATE_LIMIT = os.environ.get("API_TOKEN_RATE_LIMIT", "20/minute")
        self.API_CORS_ORIGINS = [o.strip() for o in os.environ.get("API_CORS_ORIGINS", "").split(",") if o.strip()]
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        # The seller on tax invoices (e-bills). SHOP_ADDRESS: lines separated by ";".
        self.SHOP_NAME = os.environ.get("SHOP_NAME", "Order Desk Demo Shop (Pty) Ltd")
        self.SHOP_ADDRESS = os.environ.get("SHOP_ADDRESS", "1 Main Road; Cape Town 8001; South Africa")
        self.SHOP_VAT_NUMBER = os.environ.get("SHOP_VAT_NUMBER", "4000000000")
        self.SHOP_REGISTRATION_NUMBER = os.environ.get("SHOP_REGISTRATION_NUMBER", "2026/000000/07")
        self.SHOP_PHONE = os.environ.get("SHOP_PHONE", "+27 21 000 0000")
        self.SHOP_EMAIL = os.environ.get("SHOP_EMAIL", "accounts@demo.test")
        # E-bills: how long a signed PDF link works, and where rendered PDFs are cached (per order version).
        self.EBILL_LINK_TTL_SECONDS = int(os.environ.get("EBILL_LINK_TTL_SECONDS", "3600"))
        self.EBILL_CACHE_DIR = os.environ.get("EBILL_CACHE_DIR", str(INSTANCE_DIR / "ebills"))
        # Delivery fees in rand (app/orders/pricing.py): collection is free, delivery free from FREE_DELIVERY_FROM.
        self.DELIVERY_FEE_STANDARD = os.environ.get("DELIVERY_FEE_STANDARD", "65.00")
        self.DELIVERY_FEE_EXPRESS = os.environ.get("DELIVERY_FEE_EXPRESS", "120.00")
        self.FREE_DELIVERY_FROM = os.environ.get("FREE_DELIVERY_FROM", "1500.00")
        self.DELIVERY_VAT_RATE = os.environ.get("DELIVERY_VAT_RATE", "15.00")  # 0: delivery fees carry no VAT
        # How long after delivery (or collection) a customer may ask to return items through the API.
        self.RETURN_WINDOW_DAYS = int(os.environ.get("RETURN_WINDOW_DAYS", "30"))

    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    PER_PAGE = 50
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    def finalise(self) -> None:
        # Secure cookies whenever we are not debugging locally.
        self.SESSION_COOKIE_SECURE = not self.DEBUG and os.environ.get("INSECURE_COOKIES") != "1"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE


class TestConfig(Config):
    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = "sqlite://"  # tests/conftest.py picks the real one
        self.SQLALCHEMY_ENGINE_OPTIONS = {}
        self.REDIS_URL = None
        self.RATELIMIT_STORAGE_URI = "memory://"

    def finalise(self) -> None:
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_SECURE = False

