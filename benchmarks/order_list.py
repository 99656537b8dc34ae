"""Order list at scale: p50/p95/max server time per query shape, over HTTP, on SQLite and PostgreSQL.

Uses existing large databases (``flask --app wsgi demo-data --orders 1000000``), brings them to the latest
migration (the list's indexes), starts a real server (gunicorn, 2 sync workers, a free loopback port), signs in
as the demo admin (every branch) and the demo staff member (branch 1 only) and requests each query shape
many times. Server time is read from the ``Server-Timing`` header the order pages send (the whole request
inside the app: user load, page query, capped count, rendering); client time is printed alongside.

    .venv/bin/python benchmarks/order_list.py \\
        --sqlite benchmarks/data/orders-1m.db \\
        --pg postgresql://postgres@127.0.0.1:5432/od_bench_1m --runs 40

Prints one table per database (and a Markdown version with --markdown) and exits 1 when a p95 is over its
budget (issue 7: 30 ms for a whole order code, email or phone number, 100 ms for every other shape).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
BUDGET_MS = 100.0
EXACT_BUDGET_MS = 30.0  # a whole order code, email address or phone number: an equality lookup
ACCOUNTS = {"admin": ("admin@demo.test", "demo-admin"), "staff": ("staff@demo.test", "demo-staff")}
EXACT_SHAPES = ("search: exact code", "search: customer email", "search: phone, national form",
                "search: phone, international form")
COMMON_FRAGMENT = "mar"  # the example: a common three-letter piece of names
# "code of another branch": for staff, no exact match in their scope, so the substring search runs.
SHAPES = ("no filter", "one status", "channel + created range", "branch + status + total range",
          *EXACT_SHAPES, "search: code of another branch", f'search: "{COMMON_FRAGMENT}"',
          "search: 3-letter fragment", "search: name fragment", "sort by total", "page 500")


def budget(shape: str) -> float:
    return EXACT_BUDGET_MS if shape in EXACT_SHAPES else BUDGET_MS


# --- the database: upgrade, statistics, sample values ----------------------------------------------

def engine_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def upgrade(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    t0 = time.perf_counter()
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    print(f"  migrations applied in {time.perf_counter() - t0:.1f} s", flush=True)


def prepare(url: str) -> None:
    """Fresh planner statistics; on PostgreSQL also the visibility map, so paging scans stay index-only
    (autovacuum does the same on a live database)."""
    engine = sa.create_engine(engine_url(url), isolation_level="AUTOCOMMIT")
    t0 = time.perf_counter()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("VACUUM ANALYZE orders")
            conn.exec_driver_sql("VACUUM ANALYZE order_search")
        else:
            conn.exec_driver_sql("ANALYZE orders")
    engine.dispose()
    print(f"  statistics refreshed in {time.perf_counter() - t0:.1f} s", flush=True)


@dataclass
class Samples:
    codes: list[str]  # half of them of the staff member's branch
    emails: list[str]
    phones: list[str]  # as stored: "+27 82 779 0876"
    own: dict[str, list[str]]  # codes, emails, phones of the staff member's branch only
    other_codes: list[str]  # codes of other branches
    fragments: list[str]
    short_fragments: list[str]
    branch_id: int
    newest: str  # ISO date of the newest order
    total_orders: int


def sample(url: str, n: int, seed: int = 7) -> Samples:
    rnd = random.Random(seed)
    engine = sa.create_engine(engine_url(url))
    with engine.connect() as conn:
        lo, hi = conn.execute(sa.text("SELECT min(id), max(id) FROM orders")).one()
        count = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar()
        branch_id = conn.execute(sa.text(
            "SELECT sb.branch_id FROM staff_branches sb JOIN staff_users u ON u.id = sb.staff_id "
            "WHERE u.email = :e ORDER BY sb.branch_id LIMIT 1"), {"e": ACCOUNTS["staff"][0]}).scalar()
        ids = [rnd.randint(lo, hi) for _ in range(n * 3)]
        rows = conn.execute(sa.text(
            "SELECT code, customer_email, customer_phone, customer_name, branch_id FROM orders WHERE id IN ("
            + ",".join(map(str, ids)) + ")")).all()
        newest = conn.execute(sa.text("SELECT max(created_at) FROM orders")).scalar()
    engine.dispose()
    # Staff see branch 1 only: they look up whole codes, emails and phones of their own branch (the exact
    # lookups); admins get values of any branch, half of them from the staff member's branch.
    rnd.shuffle(rows)
    mine = [r for r in rows if r.branch_id == branch_id]
    others = [r.code for r in rows if r.branch_id != branch_id][:n]
    own = {"codes": [r.code for r in mine][:n], "emails": [r.customer_email for r in mine if r.customer_email][:n],
           "phones": [r.customer_phone for r in mine if r.customer_phone][:n]}
    rows = [r for pair in zip(mine, rows) for r in pair] or rows
    fragments, short_fragments = [], []
    for r in rows:
        words = [w for w in re.split(r"[^A-Za-z]+", r.customer_name) if len(w) >= 5]
        if words:
            w = rnd.choice(words)
            start = rnd.randint(0, len(w) - 4)
            fragments.append(w[start:start + 4].lower())
            short_fragments.append(w[start:start + 3].lower())
    newest_day = str(newest)[:10]
    return Samples([r.code for r in rows][:n], [r.customer_email for r in rows if r.customer_email][:n],
                   [r.customer_phone for r in rows if r.customer_phone][:n], own, others, fragments[:n],
                   short_fragments[:n], branch_id, newest_day, count)


def national(phone: str) -> str:
    """"+27 82 779 0876" as people write it at home: "082 779 0876"."""
    return re.sub(r"^\+27\s*", "0", phone)


def international(phone: str) -> str:
    """"+27 82 779 0876" as pasted from a contact card: "+27827790876"."""
    return re.sub(r"\s+", "", phone)


def shape_urls(shape: str, s: Samples, runs: int, user: str) -> list[str]:
    """``runs`` URLs of one shape for ``user``; searches rotate through different values so no two are alike."""
    from datetime import date

    newest = date.fromisoformat(s.newest)
    rng_from, rng_to = (newest - timedelta(days=60)).isoformat(), (newest - timedelta(days=30)).isoformat()
    fixed = {
        "no filter": "",
        "one status": "status=PROCESSING",
        "channel + created range": f"channel=SHOPIFY&created_from={rng_from}&created_to={rng_to}",
        "branch + status + total range": f"branch={s.branch_id}&status=FULFILLED&total_min=500&total_max=1500",
        f'search: "{COMMON_FRAGMENT}"': f"q={COMMON_FRAGMENT}",
        "sort by total": "sort=total",
        "page 500": "page=500",
    }
    codes, emails, phones = ((s.own["codes"], s.own["emails"], s.own["phones"]) if user == "staff"
                             else (s.codes, s.emails, s.phones))
    rotating = {"search: exact code": codes, "search: customer email": emails,
                "search: phone, national form": [national(p) for p in phones],
                "search: phone, international form": [international(p) for p in phones],
                "search: code of another branch": s.other_codes,
                "search: 3-letter fragment": s.short_fragments, "search: name fragment": s.fragments}
    if shape in fixed:
        return ["/orders" + ("?" + fixed[shape] if fixed[shape] else "")] * runs
    values = rotating[shape]
    return ["/orders?" + urllib.parse.urlencode({"q": values[i % len(values)]}) for i in range(runs)]


# --- the server and the client ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, url: str, workers: int):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.instance = tempfile.mkdtemp(prefix="od-bench-")
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "benchmark-only", "INSECURE_COOKIES": "1",
               "ORDER_DESK_INSTANCE": self.instance, "LOGIN_MAX_FAILURES": "1000"}
        env.pop("REDIS_URL", None)
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "wsgi:app"], cwd=ROOT, env=env)

    def wait(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, float | None, float, bytes]:
        t0 = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=60) as r:
                body, status, timing = r.read(), r.status, r.headers.get("Server-Timing", "")
        except urllib.error.HTTPError as e:
            body, status, timing = e.read(), e.code, e.headers.get("Server-Timing", "")
        client_ms = (time.perf_counter() - t0) * 1000
        m = re.search(r"dur=([\d.]+)", timing or "")
        return status, float(m.group(1)) if m else None, client_ms, body

    def sign_in(self, email: str, password: str) -> None:
        _, _, _, page = self.get("/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                          page)
        data = urllib.parse.urlencode({"email": email, "password": password,
                                       "csrf_token": (token.group(1) or token.group(2)).decode()}).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=30) as r:
            if "/orders" not in r.geturl():
                raise RuntimeError(f"sign-in as {email} failed")


@dataclass
class Result:
    shape: str
    user: str
    server: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)
    rows_note: str = ""
    cold: float = 0.0

    def pct(self, values, p):
        values = sorted(values)
        return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]

    @property
    def p95(self) -> float:
        return self.pct(self.server, 95)


def measure(base: str, samples: Samples, runs: int, warmup: int, args_workers: int,
            shapes: tuple[str, ...] = SHAPES) -> list[Result]:
    results = []
    for user, (email, password) in ACCOUNTS.items():
        client = Client(base)
        client.sign_in(email, password)
        for shape in shapes:
            urls = shape_urls(shape, samples, runs, user)
            result = Result(shape, user)
            # Warm-up, as the floors are measured warm: every distinct URL once per worker (searches rotate
            # through different values), then ``warmup`` more. The slowest of these is reported as "cold".
            for url in list(dict.fromkeys(urls)) * args_workers + urls[:warmup]:
                status, server_ms, _, body = client.get(url)
                if status != 200 or server_ms is None:
                    raise RuntimeError(f"{url} answered {status}")
                result.cold = max(result.cold, server_ms)
            for i, url in enumerate(urls):
                status, server_ms, client_ms, body = client.get(url)
                if status != 200 or server_ms is None:
                    raise RuntimeError(f"{url} answered {status}")
                if i == 0:
                    m = re.search(rb'class="result-count muted">\s*([\d,+]+ orders?)', body)
                    result.rows_note = m.group(1).decode() if m else "0 orders"
                result.server.append(server_ms)
                result.client.append(client_ms)
            results.append(result)
            print(f"  {user:5} {shape:32} p50 {statistics.median(result.server):7.1f}  p95 {result.p95:7.1f}  "
                  f"max {max(result.server):7.1f}  cold {result.cold:7.1f} ms   ({result.rows_note})", flush=True)
    return results


def run_target(label: str, url: str, args) -> list[Result]:
    print(f"\n== {label}: {re.sub(r'//[^@/]*@', '//', url)}", flush=True)
    if not args.no_upgrade:
        upgrade(url)
    if not args.no_analyze:
        prepare(url)
    samples = sample(url, max(args.runs + args.warmup, 50))
    print(f"  {samples.total_orders:,} orders; staff branch {samples.branch_id}; newest {samples.newest}", flush=True)
    server = Server(url, args.workers)
    try:
        server.wait()
        shapes = tuple(sh for sh in SHAPES if not args.shapes or any(w in sh for w in args.shapes))
        return measure(server.base, samples, args.runs, args.warmup, args.workers, shapes)
    finally:
        server.stop()


def markdown(tables: dict[str, list[Result]]) -> str:
    labels = list(tables)
    head = "| shape | user | " + " | ".join(f"{lb} p50 / p95 / max (cold) ms" for lb in labels) + " |"
    lines = [head, "|---|---|" + "---|" * len(labels)]
    keys = [(r.shape, r.user) for r in next(iter(tables.values()))]
    for shape, user in keys:
        cells = []
        for lb in labels:
            r = next(x for x in tables[lb] if (x.shape, x.user) == (shape, user))
            cells.append(f"{statistics.median(r.server):.1f} / **{r.p95:.1f}** / {max(r.server):.1f} ({r.cold:.0f})")
        lines.append(f"| {shape} | {user} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", help="path of a large SQLite database")
    parser.add_argument("--pg", help="URL of a large PostgreSQL database")
    parser.add_argument("--runs", type=int, default=40, help="measured requests per shape and user")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-upgrade", action="store_true", help="do not run the migrations first")
    parser.add_argument("--no-analyze", action="store_true", help="do not refresh planner statistics first")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument("--shapes", nargs="*", metavar="WORD",
                        help="only the shapes whose name contains one of these words (e.g. search)")
    args = parser.parse_args(argv)
    targets = {}
    if args.sqlite:
        targets["SQLite"] = "sqlite:///" + str(Path(args.sqlite).resolve())
    if args.pg:
        targets["PostgreSQL"] = args.pg
    if not targets:
        parser.error("give --sqlite and/or --pg")
    tables = {label: run_target(label, url, args) for label, url in targets.items()}
    over = [(lb, r.shape, r.user, r.p95) for lb, rs in tables.items() for r in rs if r.p95 > budget(r.shape)]
    if args.markdown:
        print("\n" + markdown(tables))
    for lb, shape, user, p95 in over:
        print(f"OVER BUDGET: {lb} {user} {shape}: p95 {p95:.1f} ms > {budget(shape):.0f} ms")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
