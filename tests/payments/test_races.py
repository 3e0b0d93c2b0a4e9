"""Concurrency claims raced on PostgreSQL: receipt numbers stay gap-free and unique when many
payments are confirmed at once, and one callback delivered many times at once is applied once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection

from egov.core import clock
from egov.payments import services
from egov.payments.gateways import GatewayReport, ReportedStatus
from egov.payments.models import GatewayCallback, Payment, Receipt
from egov.payments.rules import PaymentStatus
from tests.payments.conftest import PayWorld, make_order, signed_callback

RACERS = 20
DEADLINE_SECONDS = 120


def race(work: Callable[[int], None], racers: int = RACERS) -> list[BaseException]:
    barrier = threading.Barrier(racers)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=DEADLINE_SECONDS)
            work(n)
        except BaseException as error:  # collected and asserted by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(racers)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads)
    return errors


def pending_payment(world: PayWorld, n: int) -> Payment:
    return Payment.objects.create(
        order=make_order(world, key=f"race:{n}"),
        gateway="sandbox",
        gateway_payment_id=f"SBXRACE{n:04d}",
        checkout_url="http://127.0.0.1:9/pay/x",
        amount=150_000,
        status=PaymentStatus.PENDING,
        created_at=clock.now(),
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_get_receipt_numbers_without_duplicates_or_gaps(pay_world: PayWorld):
    payments = [pending_payment(pay_world, n) for n in range(RACERS)]

    def confirm(n: int) -> None:
        payment = payments[n]
        report = GatewayReport(
            event_id=f"{payment.gateway_payment_id}:paid",
            reference=payment.reference,
            gateway_payment_id=payment.gateway_payment_id,
            amount=payment.amount,
            currency="VND",
            status=ReportedStatus.PAID,
            at=clock.now(),
        )
        services.apply_report(report=report, source="race")

    assert race(confirm) == []
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, RACERS + 1))
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == RACERS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_callback_delivered_many_times_at_once_is_applied_once(pay_world: PayWorld):
    payment = pending_payment(pay_world, 0)
    body, headers, path = signed_callback(payment)
    assert (
        race(lambda _n: services.receive_callback(body=body, headers=headers, path=path, ip=None), 10) == []
    )
    verdicts = list(GatewayCallback.objects.values_list("verdict", flat=True))
    assert verdicts.count("applied") == 1 and verdicts.count("duplicate") == 9
    assert Receipt.objects.count() == 1
