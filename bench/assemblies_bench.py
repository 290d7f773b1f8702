"""Assemblies under a plenary's load: 300 delegates voting at once, and the projector.

An assembly is seeded with BENCH_DELEGATES delegates (accepted credentials, checked in), each
with an account and an API token, and BENCH_ROUNDS polls open. Then, against gunicorn (the
same server also serves the bare Django view, the baseline of the same run):

- casting: for each poll, every delegate votes at the same moment (a barrier releases the
  BENCH_DELEGATES clients together, each on its own keep-alive connection), through
  `POST /api/v1/assemblies/<slug>/polls/<n>/cast` with its token and an Idempotency-Key, as
  a phone does; latency of each vote, p50/p95/p99, and every vote checked in the database;
- the projector page (`/asambleas/<slug>/proyector/`) and its htmx poll that finds nothing
  changed (`?parte=panel&v=<version>`, answered 204), each under BENCH_DELEGATES concurrent
  clients for BENCH_SECONDS;
- the bare Django view under the same load.

The STV count of 1,000,000 ballots is measured by bench/tally_bench.py; its figures are
quoted from bench/results/tally.md. Runs on SQLite, and on PostgreSQL when one answers at
127.0.0.1:5432 (or BENCH_DATABASE_URL); BENCH_DATABASES=sqlite limits it to SQLite. Writes
bench/results/assemblies.md.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpbench

DELEGATES = int(os.environ.get("BENCH_DELEGATES", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
SLUG = "asamblea-bench"

# Run in a child process with the benchmark's environment: the assembly, its delegates with
# their tokens, and the polls open, all through the module's own actions.
SEED_SCRIPT = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.contrib.auth.models import User
from django.utils import timezone
from comuna.assemblies import actions, actions_voting
from comuna.core import actions as core_actions
from comuna.core.models import OrganisationKind
delegates, rounds, slug = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
today = timezone.localdate()
owner = core_actions.organisation_create(
    actor=None, kind=OrganisationKind.COMMUNE, name="Comuna de prueba", slug="comuna-bench"
)
assembly = actions.assembly_create(
    actor=None, owner=owner, title="Asamblea de carga", slug=slug, scope="national",
    starts_on=today, ends_on=today + timedelta(days=1),
)
for status in ("convened", "in_session"):
    actions.assembly_set_status(actor=None, assembly=assembly, status=status)
tokens = []
per_unit = 50
for unit in range((delegates + per_unit - 1) // per_unit):
    org = core_actions.organisation_create(
        actor=None, kind=OrganisationKind.COUNCIL, name=f"Consejo {unit + 1}",
        slug=f"consejo-bench-{unit + 1}", parent=owner,
    )
    delegation = actions.delegation_invite(
        actor=None, assembly=assembly, organisation=org, quota=per_unit
    )
    for i in range(min(per_unit, delegates - unit * per_unit)):
        n = unit * per_unit + i + 1
        user = User.objects.create_user(f"delegado{n}", None, None)
        person = core_actions.person_create(actor=None, user=user, full_name=f"Delegado {n}")
        participant = actions.delegate_register(
            actor=None, delegation=delegation, person=person,
            mandate_valid_until=today + timedelta(days=30),
        )
        actions.credential_decide(actor=None, participant=participant, accept=True)
        actions.participant_check_in(actor=None, assembly=assembly, code=participant.number)
        _token, raw = core_actions.token_create(actor=user, name="bench")
        tokens.append(raw)
for r in range(rounds):
    poll = actions_voting.poll_create(
        actor=None, assembly=assembly, title=f"Votacion {r + 1}", decision_type="ordinary",
        secret=bool(r % 2),
    )
    actions_voting.poll_open(actor=None, poll=poll)
print(json.dumps({"tokens": tokens}))
"""

CHECK_SCRIPT = """
import json, sys
import django
django.setup()
from comuna.assemblies.models_voting import Ballot, Poll, RollEntry
slug = sys.argv[1]
polls = Poll.objects.filter(assembly__slug=slug)
print(json.dumps({
    "roll": RollEntry.objects.filter(poll__in=polls).count(),
    "ballots": Ballot.objects.filter(poll__in=polls).count(),
}))
"""


def child(env: dict[str, str], script: str, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [str(httpbench.BIN / "python"), "-c", script, *args],
        env={**env, "DJANGO_SETTINGS_MODULE": "comuna.settings"},
        cwd=httpbench.ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def quantiles(latencies: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(sorted(latencies), n=100, method="inclusive")
    return q[49], q[94], q[98]


def cast_rounds(port: int, tokens: list[str]) -> dict[str, object]:
    """Every delegate votes in each poll; all of them at the same moment per poll."""
    clients = len(tokens)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[dict[int, int]] = [{} for _ in range(clients)]
    retries = [0] * clients
    barrier = threading.Barrier(clients)
    round_seconds: list[float] = []
    round_started = [0.0]

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {
            "Authorization": f"Bearer {tokens[index]}",
            "Content-Type": "application/json",
        }
        for number in range(1, ROUNDS + 1):
            choice = ("yes", "no", "abstain", "yes")[(index + number) % 4]
            body = json.dumps({"choice": choice})
            if barrier.wait() == 0:
                round_started[0] = time.perf_counter()
            started = time.perf_counter()
            status = 0
            # The server closes keep-alive connections left idle for 2 s (gunicorn's
            # default), as between two polls: like a phone, send again on a new connection
            # with the same Idempotency-Key (safe: a vote is never counted twice).
            for attempt in range(2):
                try:
                    conn.request(
                        "POST",
                        f"/api/v1/assemblies/{SLUG}/polls/{number}/cast",
                        body=body,
                        headers={**headers, "Idempotency-Key": f"bench-{index}-{number}"},
                    )
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    break
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    retries[index] += attempt == 0
            latencies[index].append((time.perf_counter() - started) * 1000)
            statuses[index][status] = statuses[index].get(status, 0) + 1
            if barrier.wait() == 0:
                round_seconds.append(time.perf_counter() - round_started[0])
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [ms for per in latencies for ms in per]
    by_status: dict[int, int] = {}
    for per in statuses:
        for status, n in per.items():
            by_status[status] = by_status.get(status, 0) + n
    p50, p95, p99 = quantiles(flat)
    return {
        "requests": len(flat),
        "created": by_status.get(201, 0),
        "statuses": by_status,
        "seconds": elapsed,
        "p50": p50,
        "p95": p95,
        "p99": p99,
        "retries": sum(retries),
        "round_median": statistics.median(round_seconds),
        "round_max": max(round_seconds),
    }


def load_accepting(
    port: int, label: str, path: str, clients: int, seconds: float, ok: int
) -> httpbench.Result:
    """Like httpbench.load, for an answer whose expected status is `ok` (e.g. 204)."""
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
                conn.request("GET", path, headers={"Accept-Encoding": "gzip", "HX-Request": "true"})
                response = conn.getresponse()
                body = response.read()
                if response.status != ok:
                    errors[index] += 1
                sizes[index] = len(body)
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            latencies[index].append((time.perf_counter() - started) * 1000)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    flat = [ms for per in latencies for ms in per]
    p50, p95, p99 = quantiles(flat)
    return httpbench.Result(
        label=label,
        path=path,
        requests=len(flat),
        errors=sum(errors),
        seconds=elapsed,
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        bytes=max(sizes),
    )


def projector_version(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", f"/asambleas/{SLUG}/proyector/")
        response = conn.getresponse()
        html = response.read().decode()
    finally:
        conn.close()
    found = re.search(r"parte=panel&amp;v=([0-9a-f]+)", html)
    if not found:
        raise RuntimeError("the projector page carries no version")
    return found.group(1)


def measure(database: str, url: str | None) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="comuna-bench-") as tmp:
        env = httpbench.bench_env(Path(tmp), url)
        httpbench.comuna(env, "migrate", "--noinput", "--verbosity", "0")
        httpbench.comuna(env, "collectstatic", "--noinput", "--verbosity", "0")
        started = time.perf_counter()
        tokens = list(child(env, SEED_SCRIPT, str(DELEGATES), str(ROUNDS), SLUG)["tokens"])  # type: ignore[call-overload]
        seeded = time.perf_counter() - started
        print(f"{database}: seeded {len(tokens)} delegates in {seeded:.1f} s", flush=True)
        with httpbench.server(env) as port:
            projector = f"/asambleas/{SLUG}/proyector/"
            baseline = httpbench.load(port, "bare Django view", httpbench.BARE, DELEGATES, SECONDS)
            cast = cast_rounds(port, tokens)
            print(f"{database}: casting done", flush=True)
            page = httpbench.load(port, "projector page", projector, DELEGATES, SECONDS)
            version = projector_version(port)
            unchanged = load_accepting(
                port,
                "projector htmx poll, nothing changed (204)",
                f"{projector}?parte=panel&v={version}",
                DELEGATES,
                SECONDS,
                204,
            )
        stored = child(env, CHECK_SCRIPT, SLUG)
    expected = DELEGATES * ROUNDS
    cast_row = (
        f"| casting a vote (`POST /api/v1/assemblies/{SLUG}/polls/N/cast`) | {cast['requests']} "
        f"| {cast['requests'] - cast['created']} | "  # type: ignore[operator]
        f"{cast['requests'] / cast['seconds']:.0f} | {cast['p50']:.1f} | {cast['p95']:.1f} "  # type: ignore[operator]
        f"| {cast['p99']:.1f} | | {cast['p95'] / baseline.p95_ms:.2f} | |"  # type: ignore[operator]
    )
    return [
        f"### {database}",
        "",
        f"Seed ({DELEGATES} delegates with accounts and tokens, {ROUNDS} polls open, through "
        f"the actions): {seeded:.1f} s.",
        "",
        *httpbench.table([page, unchanged], baseline),
        cast_row,
        "",
        f"Casting: {ROUNDS} polls (odd-numbered named, even-numbered secret); in each, the "
        f"{DELEGATES} delegates vote at the same instant. Every poll took "
        f"{cast['round_median']:.2f} s (median) and at most {cast['round_max']:.2f} s from "
        f"the first vote sent to the last vote answered. {cast['retries']} votes were sent "
        "again on a new connection (the server had closed the idle one; the time shown "
        "includes it). Answers by status: "
        f"{json.dumps(cast['statuses'])}. In the database afterwards: {stored['roll']} roll "
        f"entries and {stored['ballots']} ballots (expected {expected} of each).",
        "",
    ]


def tally_figures() -> list[str]:
    path = Path(__file__).resolve().parent / "results" / "tally.md"
    if not path.exists():
        return ["bench/results/tally.md is missing: run bench/tally_bench.py."]
    text = path.read_text(encoding="utf-8")
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| grouped") or line.startswith("| CLI")
    ]
    stamp = next((line for line in text.splitlines() if line.startswith("Generated")), "")
    return [
        "Quoted from `bench/results/tally.md` (`bench/tally_bench.py`: 1,000,000 STV ballots, "
        f"20 candidates, 5 seats). {stamp}",
        "",
        "| run | ballots | parse (s) | count (s) | total (s) | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]


def main() -> int:
    load_before = os.getloadavg()
    began = time.perf_counter()
    sections: list[str] = []
    if "sqlite" in DATABASES:
        sections += measure("SQLite", None)
    if "postgresql" in DATABASES:
        pg = httpbench.postgres_database("assemblies")
        if pg:
            try:
                sections += measure("PostgreSQL", pg)
            finally:
                httpbench.drop_postgres_database(pg)
        else:
            sections += ["PostgreSQL was not reachable at 127.0.0.1:5432: not measured.", ""]
    took = time.perf_counter() - began
    report = [
        "# Assemblies: 300 delegates voting, the projector, and the STV count",
        "",
        *httpbench.machine(),
        f"- load average before the run: {load_before[0]:.2f} (1 min), "
        f"{load_before[1]:.2f} (5 min); the machine may be shared",
        f"- {DELEGATES} concurrent keep-alive clients (one per delegate); gunicorn 2 workers x 8 "
        f"threads, DEBUG off; {SECONDS:.0f} s per page; the load generator ({DELEGATES} Python "
        "threads) runs on the same 2 cores as the server, so absolute times are pessimistic.",
        "- The ratio columns compare with the bare Django view (same server, same run, same "
        "number of clients).",
        f"- the whole benchmark took {took:.0f} s.",
        "",
        "## Casting and the projector under load",
        "",
        *sections,
        "## Counting 1,000,000 STV ballots",
        "",
        *tally_figures(),
    ]
    out = Path(__file__).resolve().parent / "results" / "assemblies.md"
    out.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
