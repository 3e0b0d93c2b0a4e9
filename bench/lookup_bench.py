"""Public lookup by code, the officers' "late" tab and deadline arithmetic, on generated dossiers.

    export EGOV_PROFILE=demo EGOV_VAR_DIR=/tmp/egov-bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo --quiet
    .venv/bin/python manage.py collectstatic --noinput   # gunicorn serves the manifest's names
    .venv/bin/python manage.py generate_dossiers --rows 100000
    .venv/bin/python bench/lookup_bench.py

Prints egov's figure beside its floor: the selector ``dossier_for_lookup`` (+ the public timeline)
against a bare psycopg query of the same row; the HTTP lookup through gunicorn (2 workers on
loopback, a bounded number of requests) for the receipt's QR page and the code + second-factor
form; the "late" tab (``selectors.late_dossiers``) and the other workspace counts for an official
of the busiest agency; ``calendar.add_working_time`` calls per second.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.config.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from egov.accounts.models import User  # noqa: E402
from egov.core import calendar, clock  # noqa: E402
from egov.dossiers import selectors  # noqa: E402
from egov.dossiers.models import Dossier  # noqa: E402
from egov.organizations.models import Membership, Role  # noqa: E402
from egov.workspace import selectors as workspace_selectors  # noqa: E402

SAMPLE = 500
HTTP_REQUESTS = 400
HTTP_THREADS = 4
CALENDAR_CALLS = 10_000


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed(function: Callable[[], object], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = perf_counter()
        function()
        best = min(best, perf_counter() - started)
    return best


def main() -> None:
    total = Dossier.objects.count()
    print(f"{connection.vendor}, {total:,} dossiers")
    rng = random.Random(7)
    rows = list(
        Dossier.objects.order_by("?").values_list("code", "applicant__phone", "tracking_token")[:SAMPLE]
    )
    lookups = [(code, phone[-4:], token) for code, phone, token in rows if phone]

    # 1. The selector against the floor.
    selector_times = []
    for code, last4, _token in lookups:
        started = perf_counter()
        dossier = selectors.dossier_for_lookup(code, last4)
        assert dossier is not None
        selectors.public_timeline(dossier)
        selector_times.append(perf_counter() - started)
    url = os.environ.get("DATABASE_URL", "")
    floor_times = []
    if url.startswith("postgres"):
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as bare:
            for code, _last4, _token in lookups:
                started = perf_counter()
                bare.execute(
                    "SELECT d.id, d.code, d.status, d.due_at, a.phone, a.national_id FROM dossiers_dossier d "
                    "JOIN dossiers_applicant a ON a.id = d.applicant_id WHERE d.code = %s",
                    (code,),
                ).fetchone()
                floor_times.append(perf_counter() - started)
    p50, p99 = percentiles(selector_times)
    line = f"lookup selector + timeline: p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms"
    if floor_times:
        f50, f99 = percentiles(floor_times)
        line += f"   | bare psycopg row: p50 {f50 * 1e3:.2f} ms, p99 {f99 * 1e3:.2f} ms"
    print(line)

    # 2. The officers' tabs for the busiest agency.
    # The busiest agency that has a division head (communes may have none).
    headed = Membership.objects.filter(role=Role.DIVISION_HEAD).values("agency")
    busiest = (
        Dossier.objects.filter(agency__in=headed)
        .values("agency")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("agency", flat=True)[:1]
    )
    membership = (
        Membership.objects.filter(agency_id__in=list(busiest), role=Role.DIVISION_HEAD)
        .select_related("user")
        .first()
    )
    if membership is not None:
        official: User = membership.user
        now = clock.now()
        late = selectors.late_dossiers(actor=official, now=now)
        print(
            f"late tab ({official.username}, {late.count():,} late of "
            f"{selectors.visible_dossiers(official).count():,} visible): "
            f"count {timed(late.count) * 1e3:.1f} ms, "
            f"first 50 rows {timed(lambda: list(late[:50])) * 1e3:.1f} ms"
        )
        filters = workspace_selectors.DossierFilters()
        counts = workspace_selectors.tab_counts(actor=official, filters=filters, now=now)
        spent = timed(lambda: workspace_selectors.tab_counts(actor=official, filters=filters, now=now))
        shown = {tab.value: count for tab, count in counts.items()}
        print(
            "workspace tab counts (open aggregate + capped 'all', as the view runs them): "
            f"{spent * 1e3:.1f} ms {shown}"
        )
        for tab in (workspace_selectors.Tab.LATE, workspace_selectors.Tab.ALL):
            rows = workspace_selectors.tab_dossiers(actor=official, tab=tab, filters=filters, now=now)
            first = timed(lambda rows=rows: rows[:25])
            deep = timed(lambda rows=rows: rows[975:1000])
            print(
                f"workspace '{tab.value}' tab page of 25 (as the view): "
                f"first {first * 1e3:.1f} ms, 40th {deep * 1e3:.1f} ms"
            )
        for name, query in (
            ("due today", selectors.due_today(actor=official, now=now)),
            ("at risk", selectors.at_risk(actor=official, now=now)),
        ):
            print(f"{name} tab: count {timed(query.count) * 1e3:.1f} ms ({query.count():,} rows)")

    # 3. Deadline computations per second.
    cal = calendar.current()
    start = clock.now() - timedelta(days=400)
    instants = [start + timedelta(minutes=rng.randint(0, 800 * 24 * 60)) for _ in range(CALENDAR_CALLS)]
    duration = calendar.ProcessingTime.working_days(15)
    started = perf_counter()
    for instant in instants:
        calendar.add_working_time(instant, duration, cal=cal)
    elapsed = perf_counter() - started
    print(
        f"add_working_time: {CALENDAR_CALLS / elapsed:,.0f} calls/s "
        f"({elapsed / CALENDAR_CALLS * 1e6:.1f} µs/call)"
    )

    # 4. HTTP through gunicorn (BENCH_HTTP=0 skips it).
    if os.environ.get("BENCH_HTTP", "1") != "0":
        http_bench(lookups)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_bench(lookups: list[tuple[str, str, str]]) -> None:
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "egov.config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                probe = HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/tra-cuu/")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(1.0)  # both workers up
        qr = run_http(port, lookups, lambda conn, item, _state: get_qr(conn, item))
        report("GET /tra-cuu/qr/<token>/", qr)
        form = run_http(port, lookups, post_lookup)
        report("POST /tra-cuu/ (code + 4 digits)", form)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def get_qr(conn: HTTPConnection, item: tuple[str, str, str]) -> int:
    conn.request("GET", f"/tra-cuu/qr/{item[2]}/", headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    response.read()
    return response.status


_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def post_lookup(conn: HTTPConnection, item: tuple[str, str, str], state: dict[str, str]) -> int:
    if "token" not in state:  # one CSRF cookie and token per client thread, as a browser keeps
        conn.request("GET", "/tra-cuu/", headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read().decode()
        cookies = [c.split(";")[0] for c in response.msg.get_all("Set-Cookie") or []]
        state["cookie"] = "; ".join(c for c in cookies if "csrf" in c.lower())
        match = _TOKEN.search(body)
        state["token"] = match.group(1) if match else ""
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": state["token"], "code": item[0], "second_factor": item[1]}
    )
    conn.request(
        "POST",
        "/tra-cuu/",
        body=body,
        headers={
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": state["cookie"],
            "Referer": "http://127.0.0.1/tra-cuu/",
        },
    )
    response = conn.getresponse()
    response.read()
    return response.status


def run_http(
    port: int,
    lookups: list[tuple[str, str, str]],
    call: Callable[[HTTPConnection, tuple[str, str, str], dict[str, str]], int],
) -> tuple[list[float], float, dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    per_thread = HTTP_REQUESTS // HTTP_THREADS

    def client(offset: int) -> None:
        state: dict[str, str] = {}
        for index in range(per_thread):
            item = lookups[(offset * per_thread + index) % len(lookups)]
            conn = HTTPConnection("127.0.0.1", port, timeout=30)
            started = perf_counter()
            status = call(conn, item, state)
            spent = perf_counter() - started
            conn.close()
            with lock:
                latencies.append(spent)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(HTTP_THREADS)]
    started = perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, perf_counter() - started, statuses


def report(name: str, result: tuple[list[float], float, dict[int, int]]) -> None:
    latencies, elapsed, statuses = result
    p50, p99 = percentiles(latencies)
    print(
        f"{name}: {len(latencies)} requests, {HTTP_THREADS} clients: p50 {p50 * 1e3:.1f} ms, "
        f"p99 {p99 * 1e3:.1f} ms, {len(latencies) / elapsed:.0f} req/s, statuses {statuses}"
    )


if __name__ == "__main__":
    main()
