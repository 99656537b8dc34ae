"""The customer JSON API at scale: my-orders, checkout and e-bills over HTTP, against the API's own floor.

Uses a large database (``flask --app wsgi demo-data --orders 1000000``), brings it to the latest migration, gives
one customer 1,000 of its orders (``bench-customer@demo.test``), starts gunicorn (2 sync workers, a free
loopback port) and measures, in the same run:

- ``my-orders``: server time (the ``Server-Timing`` header) of pages 1..N of the customer's 1,000 orders, and
  throughput with concurrent clients, paired round by round with the floor (``GET /api/v1/ping``, a trivial
  JSON endpoint of the same app: same workers, middleware, rate limiter and envelope);
- ``checkout``: basket → checkout of one in-stock item, cash on delivery, server time of the checkout call;
- ``e-bill``: the first render of an order's PDF (through its signed link) and the cached file afterwards.

    .venv/bin/python benchmarks/api.py --sqlite benchmarks/data/api-1m.db \\
        --pg postgresql://postgres@127.0.0.1:5432/od_bench_api --runs 60

Targets (issue 8): my-orders p95 <= 30 ms, my-orders throughput >= 0.3x the floor's, checkout p95 <= 100 ms,
e-bill first render <= 300 ms and cached <= 20 ms. Exits 1 when one is missed.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from order_list import Server, engine_url, upgrade  # noqa: E402

CUSTOMER = "bench-customer@demo.test"
PASSWORD = "bench-customer"
ORDERS_FOR_CUSTOMER = 1000
TARGETS = {"my-orders p95": 30.0, "checkout p95": 100.0, "e-bill first": 300.0, "e-bill cached": 20.0}
MIN_THROUGHPUT_RATIO = 0.3


def prepare(url: str) -> dict:
    """The benchmark customer with 1,000 orders (spread over the whole table), stock for checkouts, fresh
    planner statistics. Idempotent."""
    from werkzeug.security import generate_password_hash

    engine = sa.create_engine(engine_url(url))
    with engine.begin() as conn:
        cid = conn.scalar(sa.text("SELECT id FROM customers WHERE email = :e"), {"e": CUSTOMER})
        if cid is None:
            cid = conn.scalar(sa.text("SELECT min(id) FROM customers"))
            conn.execute(sa.text("UPDATE customers SET email = :e, password_hash = :h, name = 'Bench Customer' "
                                 "WHERE id = :id"), {"e": CUSTOMER, "h": generate_password_hash(PASSWORD), "id": cid})
        have = conn.scalar(sa.text("SELECT count(*) FROM orders WHERE customer_id = :c"), {"c": cid})
        if have < ORDERS_FOR_CUSTOMER:
            total = conn.scalar(sa.text("SELECT count(*) FROM orders"))
            step = max(1, total // ORDERS_FOR_CUSTOMER)
            conn.execute(sa.text(
                "UPDATE orders SET customer_id = :c, customer_email = :e, customer_name = 'Bench Customer' "
                "WHERE id IN (SELECT id FROM orders WHERE (customer_id IS NULL OR customer_id <> :c) AND id % :step = 0 "
                "ORDER BY id LIMIT :n)"), {"c": cid, "e": CUSTOMER, "step": step, "n": ORDERS_FOR_CUSTOMER - have})
        variant = conn.scalar(sa.text("SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id "
                                      "WHERE p.is_active ORDER BY v.id LIMIT 1"))
        conn.execute(sa.text("UPDATE product_variants SET stock = 1000000 WHERE id = :v"), {"v": variant})
        branch = conn.scalar(sa.text("SELECT min(id) FROM branches"))
        invoiced = conn.scalar(sa.text(
            "SELECT id FROM orders WHERE customer_id = :c AND invoice_number IS NOT NULL ORDER BY id LIMIT 1"),
            {"c": cid})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE orders" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE orders")
    engine.dispose()
    return {"variant": variant, "branch": branch, "ebill_orders": invoiced}


class Api:
    def __init__(self, base: str):
        self.base, self.token = base, None

    def call(self, method: str, path: str, body: dict | None = None, *, raw_url: str | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(raw_url or self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                payload, status, headers = resp.read(), resp.status, resp.headers
        except urllib.error.HTTPError as err:
            payload, status, headers = err.read(), err.code, err.headers
        client_ms = (time.perf_counter() - t0) * 1000
        timing = headers.get("Server-Timing", "")
        server_ms = float(timing.split("dur=")[1]) if "dur=" in timing else None
        return status, server_ms, client_ms, payload

    def sign_in(self) -> None:
        status, _, _, payload = self.call("POST", "/api/v1/auth/token", {"email": CUSTOMER, "password": PASSWORD})
        assert status == 200, payload
        self.token = json.loads(payload)["data"]["access_token"]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Row:
    name: str
    n: int
    p50: float
    p95: float
    worst: float
    target: float | None = None

    def ok(self) -> bool:
        return self.target is None or self.p95 <= self.target


def timed(api: Api, runs: int, method: str, path_of, body_of=None) -> list[float]:
    times = []
    for i in range(runs):
        status, server_ms, _, payload = api.call(method, path_of(i), body_of(i) if body_of else None)
        assert status in (200, 201), (path_of(i), status, payload[:300])
        times.append(server_ms)
    return times


def throughput(base: str, token: str | None, path: str, seconds: float, clients: int) -> float:
    """Requests per second with ``clients`` concurrent connections for ``seconds``: wrk (as the floors in
    ../shared/PERF-FLOORS.md were measured: -t2, keep-alive) when installed, else Python threads."""
    if shutil.which("wrk"):
        cmd = ["wrk", "-t2", f"-c{clients}", f"-d{seconds:g}s", base + path]
        if token:
            cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        assert "Non-2xx" not in out, out
        return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    done, stop = [0] * clients, time.perf_counter() + seconds

    def worker(k: int) -> None:
        api = Api(base)
        api.token = token
        while time.perf_counter() < stop:
            status, *_ = api.call("GET", path)
            assert status == 200, status
            done[k] += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - t0)


def run_target(label: str, url: str, args) -> tuple[list[Row], dict]:
    print(f"\n== {label}: {url}", flush=True)
    upgrade(url)
    info = prepare(url)
    server = Server(url, args.workers)
    try:
        server.wait()
        api = Api(server.base)
        api.sign_in()
        pages = ORDERS_FOR_CUSTOMER // 15
        for i in range(10):  # warm-up: both workers, the plans, the caches
            api.call("GET", f"/api/v1/customer/my-orders?page={i % pages + 1}")
            api.call("GET", "/api/v1/ping")
        rows = [
            Row("ping (floor)", args.runs, *_stats(timed(api, args.runs, "GET", lambda i: "/api/v1/ping"))),
            Row("my-orders", args.runs, *_stats(timed(
                api, args.runs, "GET", lambda i: f"/api/v1/customer/my-orders?page={i % pages + 1}")),
                TARGETS["my-orders p95"]),
        ]
        rows.append(Row("checkout (COD)", args.checkouts, *_stats(_checkouts(api, info, args.checkouts)),
                        TARGETS["checkout p95"]))
        first, cached = _ebills(api, info, args.ebills)
        rows.append(Row("e-bill first render", len(first), *_stats(first), TARGETS["e-bill first"]))
        rows.append(Row("e-bill cached", len(cached), *_stats(cached), TARGETS["e-bill cached"]))
        # Throughput, paired round by round (A B A B ...) so drift hits both alike.
        floor, mine = [], []
        for _ in range(args.rounds):
            floor.append(throughput(server.base, None, "/api/v1/ping", args.seconds, args.clients))
            mine.append(throughput(server.base, api.token, "/api/v1/customer/my-orders?page=1", args.seconds,
                                   args.clients))
        tput = {"floor": statistics.median(floor), "my-orders": statistics.median(mine)}
        tput["ratio"] = tput["my-orders"] / tput["floor"]
    finally:
        server.stop()
    return rows, tput


def _stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), pct(values, 95), max(values)


def _checkouts(api: Api, info: dict, n: int) -> list[float]:
    times = []
    for _ in range(n):
        status, *_ , payload = api.call("PUT", "/api/v1/customer/basket/items",
                                        {"variant_id": info["variant"], "quantity": 1})
        assert status == 200, payload[:300]
        status, *_ , payload = api.call("GET", "/api/v1/customer/basket?fulfilment_method=COLLECTION")
        basket = json.loads(payload)["data"]
        body = {"basket_reference": basket["reference"], "signature": basket["signature"],
                "fulfilment_method": "COLLECTION", "branch_id": info["branch"],
                "payment": {"provider": "COD", "status": "pending"}}
        status, server_ms, _, payload = api.call("POST", "/api/v1/customer/checkout", body)
        assert status == 201, payload[:500]
        times.append(server_ms)
    return times


def _ebills(api: Api, info: dict, n: int) -> tuple[list[float], list[float]]:
    """GET /customer/e-bill/{id} renders the order's PDF the first time (WeasyPrint already imported: a few
    orders are rendered first as warm-up, so both workers have loaded it); asking again and opening the signed
    link read the cached file."""
    orders = []
    for page in range(1, 4):
        status, _, _, payload = api.call("GET", f"/api/v1/customer/my-orders?page={page}")
        orders += [o["id"] for o in json.loads(payload)["data"]["orders"] if o.get("bill_no")]
    warm, orders = orders[:4], orders[4:4 + n]
    for order_id in warm:
        api.call("GET", f"/api/v1/customer/e-bill/{order_id}")
    first, cached = [], []
    for order_id in orders:
        for bucket in (first, cached):
            status, server_ms, _, payload = api.call("GET", f"/api/v1/customer/e-bill/{order_id}")
            assert status == 200, payload[:300]
            bucket.append(server_ms)
        status, server_ms, _, pdf = api.call("GET", "", raw_url=json.loads(payload)["pdf_url"])
        assert status == 200 and pdf.startswith(b"%PDF"), status
        cached.append(server_ms)
    return first, cached


def report(label: str, rows: list[Row], tput: dict) -> list[str]:
    lines = [f"### {label}", "", "| request | n | p50 ms | p95 ms | max ms | target p95 |", "|---|---|---|---|---|---|"]
    for r in rows:
        target = f"≤ {r.target:.0f} ms {'✓' if r.ok() else '✗'}" if r.target else "—"
        lines.append(f"| {r.name} | {r.n} | {r.p50:.1f} | {r.p95:.1f} | {r.worst:.1f} | {target} |")
    ok = tput["ratio"] >= MIN_THROUGHPUT_RATIO
    lines += ["", f"Throughput (median of paired rounds): ping {tput['floor']:.0f} req/s, my-orders "
              f"{tput['my-orders']:.0f} req/s: **{tput['ratio']:.2f}× the floor** "
              f"(target ≥ {MIN_THROUGHPUT_RATIO}× {'✓' if ok else '✗'})", ""]
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", help="path of a large SQLite database")
    parser.add_argument("--pg", help="URL of a large PostgreSQL database")
    parser.add_argument("--runs", type=int, default=60, help="timed my-orders and ping requests")
    parser.add_argument("--checkouts", type=int, default=40)
    parser.add_argument("--ebills", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections for throughput")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one throughput round")
    parser.add_argument("--rounds", type=int, default=3, help="paired throughput rounds (floor, my-orders)")
    args = parser.parse_args(argv)
    # The rate limits protect production; here they would cap what is measured (the server reads these).
    for name in ("API_RATE_LIMIT", "API_ADDRESS_RATE_LIMIT", "API_TOKEN_RATE_LIMIT"):
        os.environ[name] = "10000000/minute"
    targets = [("SQLite", f"sqlite:///{Path(args.sqlite).resolve()}")] if args.sqlite else []
    targets += [("PostgreSQL", args.pg)] if args.pg else []
    if not targets:
        parser.error("give --sqlite and/or --pg")
    out, failed = [], False
    for label, url in targets:
        rows, tput = run_target(label, url, args)
        out += report(label, rows, tput)
        failed |= not all(r.ok() for r in rows) or tput["ratio"] < MIN_THROUGHPUT_RATIO
    print("\n".join(out))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
