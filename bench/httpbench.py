"""A small HTTP load harness shared by the benchmarks.

It starts gunicorn for Comuna on a free port (the same server for every URL measured, so the
bare Django view it also serves is the baseline of the same run), drives it with N concurrent
keep-alive clients for a fixed time per URL, and returns throughput and latency percentiles.
"""

from __future__ import annotations

import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BARE = "/_bench/bare"


@dataclass(frozen=True)
class Result:
    label: str
    path: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    bytes: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def comuna(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "comuna"), *args], env=env, check=True, cwd=ROOT)


def bench_env(var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        COMUNA_DEBUG="false",
        COMUNA_BENCH="true",
        COMUNA_VAR_DIR=str(var_dir),
        COMUNA_LOG_LEVEL="warning",
        COMUNA_LOGIN_THROTTLE="false",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


@contextmanager
def server(env: dict[str, str], workers: int = 2, threads: int = 8) -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "comuna.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                get(port, "/healthz")
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("gunicorn did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(port: int, path: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        return response.status, len(response.read())
    finally:
        conn.close()


def load(port: int, label: str, path: str, clients: int, seconds: float) -> Result:
    """`clients` threads, each on one keep-alive connection, for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    sizes = [0] * clients
    stop_at = time.monotonic() + seconds
    barrier = threading.Barrier(clients)

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = conn.getresponse()
                body = response.read()
                if response.status != 200:
                    errors[index] += 1
                sizes[index] = len(body)
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            latencies[index].append((time.perf_counter() - started) * 1000)
        conn.close()

    for _ in range(3):  # warm the workers' caches
        get(port, path)
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = sorted(ms for per in latencies for ms in per)
    if not flat:
        raise RuntimeError(f"no successful request to {path}")
    q = statistics.quantiles(flat, n=100, method="inclusive")
    return Result(
        label=label,
        path=path,
        requests=len(flat),
        errors=sum(errors),
        seconds=elapsed,
        p50_ms=q[49],
        p95_ms=q[94],
        p99_ms=q[98],
        bytes=max(sizes),
    )


def machine() -> list[str]:
    import django

    return [
        f"- machine: {platform.platform()}, {os.cpu_count()} CPUs, {platform.processor() or '?'}",
        f"- Python {platform.python_version()}, Django {django.get_version()}",
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
    ]


def table(results: list[Result], baseline: Result, budget_ms: float | None = None) -> list[str]:
    lines = [
        "| page | requests | errors | req/s | p50 ms | p95 ms | p99 ms | gzip bytes "
        "| p95 / bare | req/s vs bare |" + (" budget |" if budget_ms else ""),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---|" if budget_ms else ""),
    ]
    for r in [baseline, *results]:
        row = (
            f"| {r.label} (`{r.path}`) | {r.requests} | {r.errors} | {r.throughput:.0f} "
            f"| {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.bytes} "
            f"| {r.p95_ms / baseline.p95_ms:.2f} | {r.throughput / baseline.throughput:.2f} |"
        )
        if budget_ms:
            row += (
                " baseline |"
                if r is baseline
                else (f" {'ok' if r.p95_ms < budget_ms else 'OVER'} (< {budget_ms:.0f} ms) |")
            )
        lines.append(row)
    return lines


def postgres_database(tag: str) -> str | None:
    """A fresh PostgreSQL database for a benchmark (BENCH_DATABASE_URL wins), or None when no
    server answers at 127.0.0.1:5432. Drop it with `drop_postgres_database`."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False)
    if ready.returncode != 0:
        return None
    name = f"comuna_bench_{tag}_{os.getpid()}"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_postgres_database(url: str) -> None:
    """Drop a database made by `postgres_database` (never one given in BENCH_DATABASE_URL)."""
    name = url.rsplit("/", 1)[1]
    if name.startswith("comuna_bench_"):
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=False
        )
