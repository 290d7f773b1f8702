"""Throughput and p50/p95 of a geography page and its API under 20 concurrent clients, side
by side with a bare Django view served by the same gunicorn in the same run.

Runs on SQLite, and on PostgreSQL when one answers at 127.0.0.1:5432 (or BENCH_DATABASE_URL).
Writes bench/results/geography.md.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpbench

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
URLS = [
    ("state page (Lara)", "/geografia/lara/"),
    ("states page with map", "/geografia/"),
    ("API: states", "/api/v1/geography/states"),
    ("API: parishes of Lara", "/api/v1/geography/parishes?state=VE-K&page_size=100"),
]


def measure(database: str, url: str | None) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="comuna-bench-") as tmp:
        env = httpbench.bench_env(Path(tmp), url)
        httpbench.comuna(env, "migrate", "--noinput", "--verbosity", "0")
        httpbench.comuna(env, "load-geography")
        httpbench.comuna(env, "collectstatic", "--noinput", "--verbosity", "0")
        with httpbench.server(env) as port:
            baseline = httpbench.load(port, "bare Django view", httpbench.BARE, CLIENTS, SECONDS)
            results = [httpbench.load(port, label, path, CLIENTS, SECONDS) for label, path in URLS]
    return [f"### {database}", "", *httpbench.table(results, baseline), ""]


def main() -> int:
    sections = measure("SQLite", None)
    pg = httpbench.postgres_database("geography")
    if pg:
        try:
            sections += measure("PostgreSQL", pg)
        finally:
            httpbench.drop_postgres_database(pg)
    else:
        sections += ["PostgreSQL was not reachable at 127.0.0.1:5432: not measured.", ""]
    report = [
        "# Geography pages and API under load",
        "",
        *httpbench.machine(),
        f"- {CLIENTS} concurrent keep-alive clients, {SECONDS:.0f} s per URL, gunicorn 2 workers"
        " x 8 threads, DEBUG off; the load generator runs on the same machine.",
        "- The figure is the ratio to the bare Django view (same server, same run).",
        "",
        *sections,
    ]
    out = Path(__file__).resolve().parent / "results" / "geography.md"
    out.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
