"""The dialogue with government at national scale: a registry of 3,000 communes and 48,000
councils (`comuna seed-national`), then a national directory of public bodies and 1,000,000
demands (`comuna seed-dialogue-national`); then throughput and p50/p95 of a body's statistics
page (the busiest body and a mayor's office), the body statistics API, the "where demands get
stuck" page and its API under 20 concurrent clients, side by side with the bare Django view
served by the same gunicorn in the same run; and one client in process (SQL queries and time
per request, the stuck page also with its cache emptied before each request).
Budget (DESIGN.md §6 and issue 7): p95 under 150 ms.

Runs on SQLite, and on PostgreSQL when one answers at 127.0.0.1:5432 (or BENCH_DATABASE_URL).
Writes bench/results/dialogue.md. BENCH_DEMANDS, BENCH_COMMUNES, BENCH_COUNCILS, BENCH_CLIENTS
and BENCH_SECONDS change the sizes and the load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpbench

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
DEMANDS = int(os.environ.get("BENCH_DEMANDS", "1000000"))
COMMUNES = int(os.environ.get("BENCH_COMMUNES", "3000"))
COUNCILS = int(os.environ.get("BENCH_COUNCILS", "48000"))
BUDGET_MS = 150.0
STUCK = "/dialogo/atascos/"

# Run with the benchmark's environment: the busiest body and a mayor's office of the seed.
PICK_SCRIPT = """
import json
import django
django.setup()
from django.db.models import Q
from comuna.dialogue.models import BodyStats
busiest = BodyStats.objects.order_by("-received", "body_id").select_related("body").first()
mayor = (
    BodyStats.objects.filter(body__body_type="mayors_office", received__gt=0)
    .order_by("-received", "body_id").select_related("body").first()
)
print(json.dumps({
    "busiest": [busiest.body.slug, busiest.body.name, busiest.received],
    "mayor": [mayor.body.slug, mayor.body.name, mayor.received],
}))
"""

# One client, in process: SQL queries, the median time of 5 requests, and for the stuck page
# the same with the cache emptied before each request (its cost when the counters change).
PROFILE_SCRIPT = """
import json, statistics, sys, time
import django
django.setup()
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
paths = json.loads(sys.argv[1])
client = Client()
rows = []
def timed(path, clear):
    times = []
    for _ in range(5):
        if clear:
            cache.clear()
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
for path in paths:
    client.get(path)
    reset_queries()
    with CaptureQueriesContext(connection) as warm:
        status = client.get(path).status_code
    warm_count = len(warm)  # now: the log is cleared when the next request starts
    cache.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as cold:
        client.get(path)
    cold_count = len(cold)
    rows.append([path, status, warm_count, timed(path, False), cold_count, timed(path, True)])
print(json.dumps(rows))
"""


def postgres_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    ready = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False
    ).returncode
    if ready != 0:
        return None
    name = f"comuna_bench_dialogue_{os.getpid()}"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    if name.startswith("comuna_bench_"):
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False
        )


def timed_command(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(httpbench.BIN / "comuna"), *args],
        env=env,
        cwd=httpbench.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    summary = done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
    return time.perf_counter() - started, summary


def python(env: dict[str, str], script: str, *args: str) -> str:
    done = subprocess.run(
        [str(httpbench.BIN / "python"), "-c", script, *args],
        env={**env, "DJANGO_SETTINGS_MODULE": "comuna.settings"},
        cwd=httpbench.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def urls_for(picked: dict[str, list[object]]) -> list[tuple[str, str]]:
    busiest, mayor = picked["busiest"][0], picked["mayor"][0]
    return [
        ("body page: busiest body", f"/dialogo/entes/{busiest}/"),
        ("body page: a mayor's office", f"/dialogo/entes/{mayor}/"),
        ("API: body statistics", f"/api/v1/dialogue/bodies/{busiest}/stats"),
        ("where demands get stuck", STUCK),
        ("API: network statistics", "/api/v1/dialogue/stats"),
        ("demands, first page", "/dialogo/planteamientos/"),
    ]


def measure(database: str, url: str | None) -> tuple[list[str], str]:
    with tempfile.TemporaryDirectory(prefix="comuna-bench-") as tmp:
        env = httpbench.bench_env(Path(tmp), url)
        httpbench.comuna(env, "migrate", "--noinput", "--verbosity", "0")
        httpbench.comuna(env, "load-geography")
        httpbench.comuna(env, "collectstatic", "--noinput", "--verbosity", "0")
        registry_s, _registry = timed_command(
            env, "seed-national", "--communes", str(COMMUNES), "--councils", str(COUNCILS)
        )
        seconds, summary = timed_command(env, "seed-dialogue-national", "--demands", str(DEMANDS))
        print(f"{database}: seed-dialogue-national in {seconds:.1f} s ({summary})", flush=True)
        seed_row = f"| {database} | {registry_s:.1f} s | {seconds:.1f} s | {summary} |"
        picked = json.loads(python(env, PICK_SCRIPT))
        urls = urls_for(picked)
        with httpbench.server(env) as port:
            for _label, path in urls:
                status, _size = httpbench.get(port, path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status} on {database}")
            baseline = httpbench.load(port, "bare Django view", httpbench.BARE, CLIENTS, SECONDS)
            results = [httpbench.load(port, label, path, CLIENTS, SECONDS) for label, path in urls]
        rows = json.loads(python(env, PROFILE_SCRIPT, json.dumps([p for _l, p in urls])))
    over = [r.label for r in results if r.p95_ms >= BUDGET_MS]
    verdict = (
        f"Every URL within the budget (p95 < {BUDGET_MS:.0f} ms)."
        if not over
        else f"Over the budget (p95 ≥ {BUDGET_MS:.0f} ms): {', '.join(over)}."
    )
    busiest, mayor = picked["busiest"], picked["mayor"]
    return [
        f"### {database}",
        "",
        f"Busiest body: {busiest[1]} (`{busiest[0]}`, {busiest[2]} demands); mayor's office: "
        f"{mayor[1]} (`{mayor[0]}`, {mayor[2]} demands).",
        "",
        *httpbench.table(results, baseline, BUDGET_MS),
        "",
        verdict,
        "",
        "One client, in process (Django test client, no HTTP): SQL queries and the median time "
        "of 5 requests, as served (cached fragments warm) and with the cache emptied before "
        "each request (what a request costs right after a write).",
        "",
        "| page | status | SQL queries | ms | SQL queries, cache emptied | ms, cache emptied |",
        "|---|---:|---:|---:|---:|---:|",
        *[
            f"| `{path}` | {status} | {queries} | {ms:.1f} | {cold_queries} | {cold_ms:.1f} |"
            for path, status, queries, ms, cold_queries, cold_ms in rows
        ],
        "",
    ], seed_row


def main() -> int:
    load_before = os.getloadavg()
    sections, seed = measure("SQLite", None)
    seeds = [seed]
    pg = postgres_url()
    if pg:
        try:
            pg_sections, pg_seed = measure("PostgreSQL", pg)
            sections += pg_sections
            seeds.append(pg_seed)
        finally:
            drop(pg)
    else:
        sections += ["PostgreSQL was not reachable at 127.0.0.1:5432: not measured.", ""]
    report = [
        "# The dialogue with government at national scale",
        "",
        *httpbench.machine(),
        f"- load average before the run: {load_before[0]:.2f} (1 min), "
        f"{load_before[1]:.2f} (5 min); the machine may be shared",
        f"- data: `comuna seed-national --communes {COMMUNES} --councils {COUNCILS}`, then "
        f"`comuna seed-dialogue-national --demands {DEMANDS}` (bulk inserts; statistics "
        "rebuilt from the demands with grouped queries; ANALYZE)",
        f"- {CLIENTS} concurrent keep-alive clients, {SECONDS:.0f} s per URL, gunicorn 2 workers"
        " x 8 threads, DEBUG off, anonymous requests; the load generator runs on the same "
        "machine.",
        f"- budget: p95 < {BUDGET_MS:.0f} ms under {CLIENTS} clients at national size. The "
        "ratio columns compare with the bare Django view (same server, same run).",
        "- how the statistics stay fast: counters per body (BodyStats, AnswerDays, BodyMonth) "
        'kept by the actions in the same transaction; only "overdue now" is counted live, on '
        "partial indexes of the open demands. Visitors who are not signed in (as here) get whole "
        "pages from a per-process cache keyed by the data version (newest audit event and the "
        "day: any write makes it stale; core.fragments.cache_public_get); beneath it, the "
        "rendered statistics are cached fragments, shared with signed-in people. The "
        "cache-emptied columns show what a request costs right after a write.",
        "",
        "## Seed time",
        "",
        "| database | seed-national | seed-dialogue-national | rows |",
        "|---|---:|---:|---|",
        *seeds,
        "",
        "## Pages and API under load",
        "",
        *sections,
    ]
    out = Path(__file__).resolve().parent / "results" / "dialogue.md"
    out.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
