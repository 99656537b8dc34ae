"""Export benchmark: rows/s and peak memory of the CSV and XLSX exports, beside each database's floor.

    .venv/bin/python benchmarks/export.py sqlite:///benchmarks/data/orders-1m.db \\
        postgresql://postgres@127.0.0.1:5432/od_bench_1m

For every database URL and size (100k and 1M orders by default) it measures, each in a fresh subprocess (so
peak RSS is that run's own, read with os.wait4):

- floor: PostgreSQL ``COPY (SELECT <same columns> ...) TO STDOUT WITH CSV`` through psycopg ``cursor.copy()``;
  SQLite a bare ``sqlite3`` cursor + ``csv.writer`` over the same query. "Same query" = the export's own
  SELECT (same FROM, WHERE, ORDER BY) with the raw columns instead of the formatted ones (status, channel,
  payment and method as their stored codes, not as labels).
- csv: the export job's work (``app.reports.runner.build_file``: count, then the CSV builder).
- xlsx: the same for Excel (plus the totals sheet).

The 100k set is a real filter: orders placed since the 100,000th newest one (``created_from=<timestamp>``).
Times exclude interpreter start-up; peak RSS includes it (the whole process, as a worker would have).
Only reads the databases; files go to a temporary directory that is removed at the end.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
SIZES = (100_000, 1_000_000)
ADMIN = SimpleNamespace(sees_all_branches=True, branch_ids=[], is_manager=True, active=True)  # scope: everything


# --- the child: one measurement ------------------------------------------------------------------

def _app(url: str):
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    from app import create_app

    return create_app()


def _filter(size: int | None):
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Order
    from app.orders.filters import parse_order_filter

    args = {}
    if size:
        ts = db.session.scalar(sa.select(Order.created_at).order_by(Order.created_at.desc()).offset(size - 1)
                               .limit(1))
        if ts is not None:
            args["created_from"] = ts.isoformat()
    return parse_order_filter(args)


def _raw_columns(cols):
    """The floor reads the stored codes, not the labels the export computes (``label_sql``)."""
    from app.reports.columns import COLUMNS, ENUM

    return [COLUMNS["orders"].get(f"{c.key}_code", c) if c.kind == ENUM else c for c in cols]


def child(kind: str, url: str, size: int | None, out: str) -> dict:
    app = _app(url)
    with app.app_context():
        from app.extensions import db
        from app.reports import builders
        from app.reports.columns import default_keys, resolve
        from app.reports.query import export_select
        from app.reports.runner import build_file

        f = _filter(size)
        start = time.perf_counter()
        if kind in ("csv", "xlsx"):
            rows = build_file(ADMIN, f, shape="orders", format=kind, columns=default_keys("orders"), path=Path(out))
        else:  # the floor
            with db.engine.connect() as conn:
                stmt = export_select(ADMIN, f, "orders", _raw_columns(resolve("orders", default_keys("orders"))),
                                     dialect=conn.dialect.name, as_text=False)
                if conn.dialect.name == "postgresql":
                    sql = builders.literal_sql(stmt, conn.dialect)
                    rows = 0
                    with open(out, "wb") as fh, conn.connection.driver_connection.cursor() as cur:
                        with cur.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
                            for data in copy:
                                fh.write(data)
                                rows += 1
                else:
                    import sqlite3

                    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                    raw = sqlite3.connect(url.removeprefix("sqlite:///"))
                    rows = 0
                    with open(out, "w", newline="", encoding="utf-8") as fh:
                        writer = csv.writer(fh)
                        cur = raw.execute(sql)
                        while chunk := cur.fetchmany(5000):
                            writer.writerows(chunk)
                            rows += len(chunk)
                    raw.close()
        seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds, "bytes": os.path.getsize(out)}


# --- the parent: run the children, print the table ----------------------------------------------

def measure(kind: str, url: str, size: int | None, workdir: str) -> dict:
    out = os.path.join(workdir, f"out-{kind}.{'xlsx' if kind == 'xlsx' else 'csv'}")
    proc = subprocess.Popen([sys.executable, __file__, "--child", kind, url, str(size or 0), out],
                            stdout=subprocess.PIPE, cwd=ROOT)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} on {url} failed")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    os.unlink(out)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="+", help="sqlite:///path or postgresql://... (read only)")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="order counts, comma-separated")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--repeat", type=int, default=2, help="CSV and floor runs per size (best is kept)")
    parser.add_argument("--xlsx-max", type=int, default=1_000_000, help="skip XLSX above this size")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    print("| database | orders | what | rows | time (s) | rows/s | peak RSS (MB) | × floor |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="export-bench-") as workdir:
        for url in args.urls:
            name = "PostgreSQL" if url.startswith("postgres") else "SQLite"
            for size in sizes:
                best: dict[str, dict] = {}
                kinds = ["floor"] + [k for k in formats if k == "csv"]
                for _ in range(args.repeat):  # alternate floor and product so drift hits both alike
                    for kind in kinds:
                        r = measure(kind, url, size, workdir)
                        if kind not in best or r["seconds"] < best[kind]["seconds"]:
                            best[kind] = r
                if "xlsx" in formats and size <= args.xlsx_max:
                    best["xlsx"] = measure("xlsx", url, size, workdir)
                floor = best["floor"]["seconds"]
                for kind, r in best.items():
                    label = {"floor": "COPY (floor)" if name == "PostgreSQL" else "sqlite3 + csv.writer (floor)",
                             "csv": "CSV export", "xlsx": "XLSX export"}[kind]
                    ratio = "1.00" if kind == "floor" else (f"{r['seconds'] / floor:.2f}" if kind == "csv" else "—")
                    print(f"| {name} | {size:,} | {label} | {r['rows']:,} | {r['seconds']:.2f} | "
                          f"{r['rows'] / r['seconds']:,.0f} | {r['peak_mb']:.0f} | {ratio} |", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, kind, url, size, out = sys.argv
        print(json.dumps(child(kind, url, int(size) or None, out)))
    else:
        main()
