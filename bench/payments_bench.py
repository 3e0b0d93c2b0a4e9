"""How long does egov take on the money path, against its sandbox gateway on loopback?

    DJANGO_SETTINGS_MODULE=egov.config.test_settings .venv/bin/python bench/payments_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_dev DJANGO_SETTINGS_MODULE=... \\
        .venv/bin/python bench/payments_bench.py --payments 200 --threads 10

On a throwaway test database, with the sandbox gateway served from a thread of this process:
- start: ``start_payment`` (row, signed HTTP create at the gateway, row update) per payment;
- callback: ``receive_callback`` of a signed "paid" callback (HMAC check, lock, transition,
  gap-free receipt number, audit), one thread, then ``--threads`` threads at once;
- replay: the same callbacks again (each must be refused as a duplicate, nothing changes);
- query: ``refresh_from_gateway`` (signed status query + apply) for payments whose callback was lost;
- receipt PDF: rendering one e-receipt;
- reconcile: the day's settlement file fetched and compared with egov.
Reports p50/p95 in milliseconds and checks the receipt numbers are exactly 1..n.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from urllib.parse import urlencode
from urllib.request import urlopen

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from egov.accounts.models import User  # noqa: E402
from egov.core import clock  # noqa: E402
from egov.organizations.models import Agency, Membership, Role  # noqa: E402
from egov.payments import reconciliation, rules, services  # noqa: E402
from egov.payments.models import FeeOrder, Payment, Receipt  # noqa: E402
from egov.payments.receipts import receipt_pdf  # noqa: E402
from egov.payments.sandbox_server import SandboxGateway, make_sandbox_server  # noqa: E402

CALLBACK_PATH = "/thanh-toan/thong-bao/sandbox/"


def percentiles(samples: list[float]) -> str:
    if not samples:
        return "-"
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   n={len(ordered)}"


def timed(samples: list[float], work: Callable[[], object]) -> None:
    start = perf_counter()
    work()
    samples.append(perf_counter() - start)


def callback_for(payment: Payment) -> tuple[bytes, dict[str, str]]:
    ts = int(clock.now().timestamp())
    body = json.dumps(
        {
            "event_id": f"{payment.gateway_payment_id}:paid",
            "merchant_id": settings.EGOV_PAYMENT_MERCHANT_ID,
            "reference": payment.reference,
            "gateway_payment_id": payment.gateway_payment_id,
            "amount": payment.amount,
            "currency": "VND",
            "status": "paid",
            "at": ts,
        }
    ).encode()
    signature = rules.sign(
        settings.EGOV_PAYMENT_GATEWAY_SECRET, timestamp=ts, method="POST", path=CALLBACK_PATH, body=body
    )
    return body, {"X-Signature-Timestamp": str(ts), "X-Signature": signature}


def test_database() -> str:
    if connection.vendor == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="payments_bench_")) / "bench.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(path)
    return connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)


def start_sandbox() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    app = SandboxGateway(
        merchant_id=settings.EGOV_PAYMENT_MERCHANT_ID,
        secret=settings.EGOV_PAYMENT_GATEWAY_SECRET,
        public_url=url,
    )
    server = make_sandbox_server(app, host="127.0.0.1", port=port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.EGOV_PAYMENT_GATEWAY_URL = url
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--payments", type=int, default=100)
    parser.add_argument("--threads", type=int, default=10)
    args = parser.parse_args()
    old_name = connection.settings_dict["NAME"]
    name = test_database()
    try:
        sandbox = start_sandbox()
        print(
            f"{connection.vendor} ({name}), sandbox gateway at {sandbox}, {args.payments} payments per phase"
        )
        agency = Agency.objects.create(
            code="000.00.77.H99", name="Sở Đo đạc", abbreviation="SDD", kind="department"
        )
        leader = User.objects.create(username="bench-leader", full_name="Lãnh đạo", is_official=True)
        Membership.objects.create(user=leader, agency=agency, role=Role.AGENCY_LEADER)
        specialist = User.objects.create(
            username="bench-specialist", full_name="Chuyên viên", is_official=True
        )
        Membership.objects.create(user=specialist, agency=agency, role=Role.SPECIALIST)

        def order(n: int) -> FeeOrder:
            return services.create_fee_order(
                actor=specialist,
                agency=agency,
                subject=agency,
                subject_label=f"Hồ sơ {n}",
                purpose="dossier_fee",
                description="Lệ phí",
                amount=50_000 + n,
                payer=None,
                payer_name="Người nộp",
                idempotency_key=f"bench:{n}",
            )

        n = args.payments
        starts: list[float] = []
        payments: list[Payment] = []
        for i in range(3 * n):
            o = order(i)
            timed(
                starts,
                lambda o=o: payments.append(  # type: ignore[misc]
                    services.start_payment(
                        order=o, return_url="http://127.0.0.1:9/r", callback_url="http://127.0.0.1:9/c"
                    )
                ),
            )
        print(f"start_payment (HTTP create)     {percentiles(starts)}")

        one: list[float] = []
        for payment in payments[:n]:
            body, headers = callback_for(payment)
            timed(
                one,
                lambda b=body, h=headers: services.receive_callback(
                    body=b, headers=h, path=CALLBACK_PATH, ip=None
                ),
            )
        print(f"callback, 1 thread              {percentiles(one)}")

        many: list[float] = []
        lock = threading.Lock()
        batch = payments[n : 2 * n]

        def worker(slice_: list[Payment]) -> None:
            try:
                for payment in slice_:
                    body, headers = callback_for(payment)
                    start = perf_counter()
                    services.receive_callback(body=body, headers=headers, path=CALLBACK_PATH, ip=None)
                    with lock:
                        many.append(perf_counter() - start)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=worker, args=(batch[t :: args.threads],)) for t in range(args.threads)
        ]
        wall = perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = perf_counter() - wall
        print(
            f"callback, {args.threads:2d} threads            {percentiles(many)}   {len(many) / wall:6.1f}/s"
        )

        replays: list[float] = []
        for payment in payments[:n]:
            body, headers = callback_for(payment)
            timed(
                replays,
                lambda b=body, h=headers: services.receive_callback(
                    body=b, headers=h, path=CALLBACK_PATH, ip=None
                ),
            )
        print(f"replayed callback (refused)     {percentiles(replays)}")

        queries: list[float] = []
        for payment in payments[2 * n :]:
            page = urlopen(payment.checkout_url).read().decode()
            token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
            form = urlencode({"token": token, "action": "pay", "drop_callback": "1"}).encode()
            with contextlib.suppress(OSError):
                urlopen(payment.checkout_url, data=form)
            timed(queries, lambda p=payment: services.refresh_from_gateway(payment=p))
        print(f"status query + apply            {percentiles(queries)}")

        pdfs: list[float] = []
        receipt_pdf(Receipt.objects.first())  # type: ignore[arg-type] # warm-up (imports, fonts)
        for receipt in Receipt.objects.select_related("payment")[:10]:
            timed(pdfs, lambda r=receipt: receipt_pdf(r))
        print(f"receipt PDF                     {percentiles(pdfs)}")

        recon: list[float] = []
        for _ in range(3):
            timed(recon, lambda: reconciliation.reconcile(actor=leader, day=clock.today()))
        report = reconciliation.reconcile(actor=leader, day=clock.today())
        print(
            f"reconcile {report.lines_in_file} lines           {percentiles(recon)}   "
            f"mismatches={len(report.mismatches)}"
        )

        numbers = sorted(Receipt.objects.values_list("number", flat=True))
        ok = numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 3 * n
        paid = Payment.objects.filter(status="paid").count()
        print(f"receipts 1..{len(numbers)}: {'gap-free, unique' if ok else 'BROKEN'}; paid payments: {paid}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
