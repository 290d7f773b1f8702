"""The registry at national scale: the time of `comuna seed-national --communes 3000 --councils
48000`, then throughput and p50/p95 of the directory, a commune's profile and the API lists
under 20 concurrent clients, side by side with the bare Django view served by the same
gunicorn in the same run, and a profile of one client in process (SQL queries and time per
request, cProfile of the directory). Budget (DESIGN.md §6): p95 under 150 ms.

Runs on SQLite, and on PostgreSQL when one answers at 127.0.0.1:5432 (or BENCH_DATABASE_URL).
Writes bench/results/registry.md. BENCH_COMMUNES, BENCH_COUNCILS, BENCH_CLIENTS and
BENCH_SECONDS change the sizes and the load.
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
COMMUNES = int(os.environ.get("BENCH_COMMUNES", "3000"))
COUNCILS = int(os.environ.get("BENCH_COUNCILS", "48000"))
BUDGET_MS = 150.0
DIRECTORY = "/red/directorio/"
# A commune of the national seed, from the middle of the list (see registry/national.py).
PROFILE = f"/red/comunas/comuna-nacional-{max(1, COMMUNES // 2):0{max(4, len(str(COMMUNES)))}d}/"
URLS = [
    ("directory: communes, first page", DIRECTORY),
    ("directory: councils of Lara", f"{DIRECTORY}?tipo=consejos&estado=VE-K"),
    ("commune profile", PROFILE),
    ("API: communes of Lara", "/api/v1/communes?state=VE-K"),
    ("API: councils, page 50", "/api/v1/councils?page=50"),
]


def seed(env: dict[str, str]) -> tuple[float, str]:
    """Seconds taken by `comuna seed-national`, and the summary line it printed."""
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(httpbench.BIN / "comuna"),
            "seed-national",
            "--communes",
            str(COMMUNES),
            "--councils",
            str(COUNCILS),
        ],
        env=env,
        cwd=httpbench.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    summary = done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
    return elapsed, summary


# Run in a child process with the benchmark's environment: each URL once through Django's
# test client, with its SQL queries counted and its time taken (median of 5), then a cProfile
# of the directory's first page.
PROFILE_SCRIPT = """
import cProfile, io, json, pstats, statistics, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
paths, top = json.loads(sys.argv[1]), int(sys.argv[2])
client = Client()
rows = []
for path in paths:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    count = len(queries)  # now: the log is cleared when the next request starts
    times = []
    for _ in range(5):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    rows.append([path, status, count, statistics.median(times)])
profile = cProfile.Profile()
profile.enable()
for _ in range(5):
    client.get(paths[0])
profile.disable()
text = io.StringIO()
stats = pstats.Stats(profile, stream=text)
stats.sort_stats("tottime").print_stats(top)
stats.sort_stats("cumulative").print_stats("comuna/|template", top)
print(json.dumps({"rows": rows, "profile": text.getvalue()}))
"""


def profile(env: dict[str, str]) -> list[str]:
    """Queries and in-process time of each URL, and where the directory spends its time."""
    done = subprocess.run(
        [
            str(httpbench.BIN / "python"),
            "-c",
            PROFILE_SCRIPT,
            json.dumps([path for _label, path in URLS]),
            "15",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "comuna.settings"},
        cwd=httpbench.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    lines = [
        "One client, in process (Django test client, no HTTP): SQL queries per request and the "
        "median time of 5 requests.",
        "",
        "| page | status | SQL queries | ms |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| `{path}` | {status} | {queries} | {ms:.1f} |"
        for path, status, queries, ms in found["rows"]
    ]
    kept = [line for line in found["profile"].splitlines() if line.strip()]
    lines += [
        "",
        f"<details><summary>cProfile of 5 requests to <code>{DIRECTORY}</code>: the 15 "
        "functions with the most time of their own, then the project's code and the templates "
        "by cumulative time</summary>",
        "",
        "```",
        *kept,
        "```",
        "",
        "</details>",
        "",
    ]
    return lines


def measure(database: str, url: str | None) -> tuple[list[str], str]:
    """The report section of one database, and its row of the seed table."""
    with tempfile.TemporaryDirectory(prefix="comuna-bench-") as tmp:
        env = httpbench.bench_env(Path(tmp), url)
        httpbench.comuna(env, "migrate", "--noinput", "--verbosity", "0")
        httpbench.comuna(env, "load-geography")
        httpbench.comuna(env, "collectstatic", "--noinput", "--verbosity", "0")
        seconds, summary = seed(env)
        print(f"{database}: seed-national in {seconds:.1f} s ({summary})", flush=True)
        seed_row = f"| {database} | {seconds:.1f} s | {summary} |"
        with httpbench.server(env) as port:
            status, _size = httpbench.get(port, DIRECTORY)
            if status != 200:
                return [
                    f"### {database}",
                    "",
                    f"`{DIRECTORY}` answered {status}: the pages are not there yet, so the "
                    "HTTP part was not run.",
                    "",
                ], seed_row
            for _label, path in URLS:
                status, _size = httpbench.get(port, path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status} on {database}")
            baseline = httpbench.load(port, "bare Django view", httpbench.BARE, CLIENTS, SECONDS)
            results = [httpbench.load(port, label, path, CLIENTS, SECONDS) for label, path in URLS]
        profiled = profile(env)
    over = [r.label for r in results if r.p95_ms >= BUDGET_MS]
    verdict = (
        f"Every URL within the budget (p95 < {BUDGET_MS:.0f} ms)."
        if not over
        else f"Over the budget (p95 ≥ {BUDGET_MS:.0f} ms): {', '.join(over)}."
    )
    return [
        f"### {database}",
        "",
        *httpbench.table(results, baseline, BUDGET_MS),
        "",
        verdict,
        "",
        *profiled,
    ], seed_row


def main() -> int:
    load_before = os.getloadavg()
    sections, seeds = measure("SQLite", None)
    seed_rows = [seeds]
    pg = httpbench.postgres_database("registry")
    if pg:
        try:
            pg_sections, pg_seed = measure("PostgreSQL", pg)
            sections += pg_sections
            seed_rows.append(pg_seed)
        finally:
            httpbench.drop_postgres_database(pg)
    else:
        sections += ["PostgreSQL was not reachable at 127.0.0.1:5432: not measured.", ""]
    report = [
        "# The registry at national scale",
        "",
        *httpbench.machine(),
        f"- load average before the run: {load_before[0]:.2f} (1 min), "
        f"{load_before[1]:.2f} (5 min); the machine may be shared",
        f"- national seed: `comuna seed-national --communes {COMMUNES} --councils {COUNCILS}` on "
        "a migrated database with the geography loaded (bulk inserts, one transaction)",
        f"- {CLIENTS} concurrent keep-alive clients, {SECONDS:.0f} s per URL, gunicorn 2 workers"
        " x 8 threads, DEBUG off, anonymous requests; the load generator runs on the same "
        "machine.",
        f"- budget (DESIGN.md §6): p95 < {BUDGET_MS:.0f} ms under {CLIENTS} clients at national "
        "size. The ratio columns compare with the bare Django view (same server, same run).",
        "",
        "## Seed time",
        "",
        "| database | seed-national | rows |",
        "|---|---:|---|",
        *seed_rows,
        "",
        "## Pages and API under load",
        "",
        *sections,
    ]
    out = Path(__file__).resolve().parent / "results" / "registry.md"
    out.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
