"""Fee orders, exemptions, payments through the sandbox gateway, callbacks (good, forged, stale,
replayed, mismatched), status queries, refunds and receipts, against the database."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from egov.core import clock
from egov.core.models.audit import AuditEvent
from egov.payments import receipts, rules, services
from egov.payments.gateways import GatewayReport, ReportedStatus
from egov.payments.models import FeeOrder, GatewayCallback, Payment, Receipt
from egov.payments.rules import IllegalPaymentTransition, PaymentStatus
from egov.payments.signals import payment_settled
from tests.payments.conftest import (
    CALLBACK_URL,
    RETURN_URL,
    PayWorld,
    SandboxProcess,
    make_order,
    signed_callback,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def settled_signals() -> Any:
    received: list[dict[str, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    payment_settled.connect(listen, dispatch_uid="test-listener")
    yield received
    payment_settled.disconnect(dispatch_uid="test-listener")


def pending(world: PayWorld, **order: Any) -> Payment:
    return services.start_payment(
        order=make_order(world, **order), return_url=RETURN_URL, callback_url=CALLBACK_URL
    )


def actions(prefix: str = "payment.") -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith=prefix).order_by("pk").values_list("action", flat=True)
    )


# --- Fee orders and exemptions ------------------------------------------------------------------


def test_the_same_key_gives_the_same_order_and_another_amount_is_refused(pay_world: PayWorld):
    first = make_order(pay_world)
    assert make_order(pay_world) == first
    assert FeeOrder.objects.count() == 1
    with pytest.raises(ValidationError, match="số tiền khác"):
        make_order(pay_world, amount=1)
    assert actions() == ["payment.order_create"]


def test_amounts_are_whole_positive_dong(pay_world: PayWorld):
    with pytest.raises(ValidationError):
        make_order(pay_world, amount=0)


def test_an_official_of_another_agency_or_a_citizen_for_someone_else_cannot_order(pay_world: PayWorld):
    kwargs: dict[str, Any] = {
        "agency": pay_world.agency,
        "subject": pay_world.agency,
        "subject_label": "x",
        "purpose": "dossier_fee",
        "description": "Lệ phí",
        "amount": 10_000,
        "payer_name": "A",
        "idempotency_key": "k",
    }
    with pytest.raises(PermissionDenied):
        services.create_fee_order(actor=pay_world.outsider, payer=None, **kwargs)
    with pytest.raises(PermissionDenied):
        services.create_fee_order(actor=pay_world.citizen, payer=pay_world.other_citizen, **kwargs)
    own = services.create_fee_order(actor=pay_world.citizen, payer=pay_world.citizen, **kwargs)
    assert own.payer == pay_world.citizen


def test_a_partial_exemption_reduces_what_is_due_and_keeps_its_ground(pay_world: PayWorld, settled_signals):
    order = make_order(pay_world, amount=100_000)
    order = services.grant_exemption(
        order=order, officer=pay_world.specialist, amount=50_000, ground="Người có công, Thông tư 106/2021"
    )
    assert order.amount_due == 50_000 and not order.is_settled
    assert order.exemption.ground == "Người có công, Thông tư 106/2021"
    assert order.exemption.granted_by == pay_world.specialist
    assert settled_signals == []
    event = AuditEvent.objects.get(action="payment.exempt")
    assert event.details["ground"] == "Người có công, Thông tư 106/2021"


def test_a_full_exemption_settles_the_order_and_says_so_after_commit(
    pay_world: PayWorld, settled_signals, django_capture_on_commit_callbacks
):
    order = make_order(pay_world, amount=100_000)
    with django_capture_on_commit_callbacks(execute=True):
        order = services.grant_exemption(
            order=order, officer=pay_world.specialist, amount=100_000, ground="Trẻ em"
        )
    assert order.is_settled and order.amount_due == 0
    assert settled_signals == [
        {"signal": payment_settled, "order_id": order.pk, "payment_id": None, "exempt": True}
    ]


def test_an_exemption_needs_a_ground_and_the_permission(pay_world: PayWorld):
    order = make_order(pay_world)
    with pytest.raises(ValidationError, match="căn cứ"):
        services.grant_exemption(order=order, officer=pay_world.specialist, amount=1, ground="  ")
    with pytest.raises(PermissionDenied):
        services.grant_exemption(order=order, officer=pay_world.outsider, amount=1, ground="x")
    with pytest.raises(ValidationError):
        services.grant_exemption(
            order=order, officer=pay_world.specialist, amount=order.amount + 1, ground="x"
        )


# --- Paying through the sandbox -----------------------------------------------------------------


def test_starting_a_payment_opens_it_at_the_sandbox_and_a_second_start_reuses_it(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    order = make_order(pay_world)
    first = services.start_payment(order=order, return_url=RETURN_URL, callback_url=CALLBACK_URL)
    assert first.status == PaymentStatus.PENDING
    assert first.checkout_url.startswith(sandbox.url + "/pay/SBX")
    assert first.amount == 150_000
    again = services.start_payment(order=order, return_url=RETURN_URL, callback_url=CALLBACK_URL)
    assert again.pk == first.pk and Payment.objects.count() == 1
    assert actions() == ["payment.order_create", "payment.create", "payment.open_at_gateway"]


def test_an_unreachable_gateway_leaves_a_retryable_attempt_and_no_money_moves(
    pay_world: PayWorld, sandbox: SandboxProcess, settings: Any
):
    order = make_order(pay_world)
    settings.EGOV_PAYMENT_GATEWAY_URL = "http://127.0.0.1:9"
    with pytest.raises(services.PaymentUnavailable, match="chưa có khoản tiền nào bị trừ"):
        services.start_payment(order=order, return_url=RETURN_URL, callback_url=CALLBACK_URL)
    attempt = Payment.objects.get()
    assert attempt.status == PaymentStatus.CREATED
    settings.EGOV_PAYMENT_GATEWAY_URL = sandbox.url
    retried = services.start_payment(order=order, return_url=RETURN_URL, callback_url=CALLBACK_URL)
    assert retried.pk == attempt.pk and retried.status == PaymentStatus.PENDING


def test_a_wrong_secret_at_egov_makes_the_sandbox_refuse_to_create(
    pay_world: PayWorld, sandbox: SandboxProcess, settings: Any
):
    settings.EGOV_PAYMENT_GATEWAY_SECRET = "not-the-shared-secret"
    with pytest.raises(services.PaymentUnavailable):
        pending(pay_world)


def test_a_signed_callback_pays_issues_a_receipt_and_settles_after_commit(
    pay_world: PayWorld, sandbox: SandboxProcess, settled_signals, django_capture_on_commit_callbacks
):
    payment = pending(pay_world)
    body, headers, path = signed_callback(payment)
    with django_capture_on_commit_callbacks(execute=True):
        log = services.receive_callback(body=body, headers=headers, path=path, ip="127.0.0.1")
    assert log.verdict == GatewayCallback.Verdict.APPLIED
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.paid_at is not None
    assert payment.order.is_settled
    receipt = payment.receipt
    assert (receipt.series, receipt.number, receipt.amount) == ("BL-EGOV", 1, 150_000)
    assert settled_signals == [
        {"signal": payment_settled, "order_id": payment.order_id, "payment_id": payment.pk, "exempt": False}
    ]


def test_a_replayed_callback_changes_nothing_and_is_logged(pay_world: PayWorld, sandbox: SandboxProcess):
    payment = pending(pay_world)
    body, headers, path = signed_callback(payment)
    services.receive_callback(body=body, headers=headers, path=path, ip="127.0.0.1")
    replay = services.receive_callback(body=body, headers=headers, path=path, ip="203.0.113.9")
    assert replay.verdict == GatewayCallback.Verdict.DUPLICATE
    assert Receipt.objects.count() == 1
    assert actions().count("payment.confirm_paid") == 1
    assert "payment.callback_replayed" in actions()


@pytest.mark.parametrize(
    ("forgery", "reason"),
    [
        ({"secret": "guessed"}, "wrong HMAC signature"),
        ({"amount": 1}, "amount 1 differs"),
        ({"currency": "USD"}, "currency USD"),
        ({"gateway_payment_id": "SBXFORGED"}, "gateway id SBXFORGED"),
        ({"merchant_id": "someone-else"}, "another merchant"),
        ({"reference": "EGUNKNOWN"}, "unknown reference"),
        ({"path": "/another/path/"}, "wrong HMAC signature"),
    ],
)
def test_a_forged_or_mismatched_callback_changes_nothing_and_is_logged(
    pay_world: PayWorld, sandbox: SandboxProcess, forgery: dict[str, Any], reason: str
):
    payment = pending(pay_world)
    body, headers, _signed_path = signed_callback(payment, **forgery)
    # A callback signed for another path is delivered to the real one.
    log = services.receive_callback(
        body=body, headers=headers, path="/thanh-toan/thong-bao/sandbox/", ip="203.0.113.9"
    )
    assert log.verdict == GatewayCallback.Verdict.REJECTED
    assert reason in log.reason
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not Receipt.objects.exists()
    event = AuditEvent.objects.get(action="payment.callback_rejected")
    assert reason in event.details["reason"] and event.ip == "203.0.113.9"


def test_a_stale_or_unsigned_callback_is_refused(pay_world: PayWorld, sandbox: SandboxProcess):
    payment = pending(pay_world)
    body, headers, path = signed_callback(payment, at=int(clock.now().timestamp()) - 3600)
    assert "window" in services.receive_callback(body=body, headers=headers, path=path, ip=None).reason
    assert "timestamp" in services.receive_callback(body=body, headers={}, path=path, ip=None).reason
    body, headers, path = signed_callback(payment)
    garbage = b"{not json"
    ts = int(headers["X-Signature-Timestamp"])
    sig = rules.sign(
        "sandbox-secret-for-development-only", timestamp=ts, method="POST", path=path, body=garbage
    )
    log = services.receive_callback(body=garbage, headers={**headers, "X-Signature": sig}, path=path, ip=None)
    assert "malformed" in log.reason
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert GatewayCallback.objects.filter(verdict="rejected").count() == 3


def test_a_callback_the_table_does_not_allow_is_refused(pay_world: PayWorld, sandbox: SandboxProcess):
    payment = pending(pay_world)
    body, headers, path = signed_callback(payment, status="cancelled")
    assert services.receive_callback(body=body, headers=headers, path=path, ip=None).verdict == "applied"
    body, headers, path = signed_callback(payment, status="paid")
    log = services.receive_callback(body=body, headers=headers, path=path, ip=None)
    assert log.verdict == "rejected" and "not in the table" in log.reason
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED


def test_paying_at_the_sandbox_without_a_callback_is_found_by_the_status_query(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    payment = pending(pay_world)
    assert sandbox.settle(payment, "pay", drop_callback=True) == 303
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING  # nothing arrived: egov believes nothing yet
    payment = services.refresh_from_gateway(payment=payment)
    assert payment.status == PaymentStatus.PAID and payment.receipt.number == 1
    assert AuditEvent.objects.get(action="payment.confirm_paid").details["source"] == "query"


def test_cancelling_at_the_sandbox_is_found_by_the_status_query_and_a_new_attempt_is_possible(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    payment = pending(pay_world)
    sandbox.settle(payment, "cancel")
    payment = services.refresh_from_gateway(payment=payment)
    assert payment.status == PaymentStatus.CANCELLED
    second = services.start_payment(order=payment.order, return_url=RETURN_URL, callback_url=CALLBACK_URL)
    assert second.pk != payment.pk and second.status == PaymentStatus.PENDING


def test_a_settled_order_cannot_be_paid_again(pay_world: PayWorld, sandbox: SandboxProcess):
    payment = pending(pay_world)
    body, headers, path = signed_callback(payment)
    services.receive_callback(body=body, headers=headers, path=path, ip=None)
    with pytest.raises(services.AlreadySettled):
        services.start_payment(order=payment.order, return_url=RETURN_URL, callback_url=CALLBACK_URL)


# --- Refunds -------------------------------------------------------------------------------------


def paid(world: PayWorld, sandbox: SandboxProcess, **order: Any) -> Payment:
    payment = pending(world, **order)
    sandbox.settle(payment, "pay", drop_callback=True)
    return services.refresh_from_gateway(payment=payment)


def test_a_refund_goes_through_the_gateway_and_is_audited(pay_world: PayWorld, sandbox: SandboxProcess):
    payment = paid(pay_world, sandbox)
    payment = services.refund_payment(payment=payment, officer=pay_world.leader, reason="Hồ sơ bị từ chối")
    assert payment.status == PaymentStatus.REFUNDED and payment.refund_reason == "Hồ sơ bị từ chối"
    assert services.get_gateway().query(payment.reference).status is ReportedStatus.REFUNDED
    event = AuditEvent.objects.get(action="payment.refund")
    assert event.actor_id == str(pay_world.leader.pk)
    assert event.details["reason"] == "Hồ sơ bị từ chối"


def test_only_a_paid_payment_is_refunded_by_someone_allowed_with_a_reason(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    payment = pending(pay_world)
    with pytest.raises(IllegalPaymentTransition):
        services.refund_payment(payment=payment, officer=pay_world.leader, reason="x")
    payment = paid(pay_world, sandbox, key="test:2")
    with pytest.raises(PermissionDenied):
        services.refund_payment(payment=payment, officer=pay_world.specialist, reason="x")
    with pytest.raises(PermissionDenied):
        services.refund_payment(payment=payment, officer=pay_world.outsider, reason="x")
    with pytest.raises(ValidationError):
        services.refund_payment(payment=payment, officer=pay_world.leader, reason=" ")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID


# --- Receipts ------------------------------------------------------------------------------------


def confirm(payment: Payment, at: datetime) -> Payment:
    """Apply a (verified) gateway report, as a callback would, at a chosen instant."""
    report = GatewayReport(
        event_id=f"{payment.reference}:paid",
        reference=payment.reference,
        gateway_payment_id=payment.gateway_payment_id,
        amount=payment.amount,
        currency="VND",
        status=ReportedStatus.PAID,
        at=at,
    )
    with clock.frozen(at):
        services.apply_report(report=report, source="test")
    return Payment.objects.select_related("receipt").get(pk=payment.pk)


def test_receipt_numbers_run_without_gaps_and_restart_each_year(pay_world: PayWorld, sandbox: SandboxProcess):
    payments = [pending(pay_world, key=f"k{n}") for n in range(4)]
    numbers = [
        confirm(payments[0], datetime(2026, 12, 31, 23, 50, tzinfo=VN)).receipt,
        confirm(payments[1], datetime(2026, 12, 31, 23, 59, tzinfo=VN)).receipt,
        confirm(payments[2], datetime(2027, 1, 1, 0, 1, tzinfo=VN)).receipt,
        confirm(payments[3], datetime(2027, 1, 1, 8, 0, tzinfo=VN)).receipt,
    ]
    assert [(r.year, r.number) for r in numbers] == [(2026, 1), (2026, 2), (2027, 1), (2027, 2)]


def test_the_receipt_pdf_states_series_number_amount_in_words_and_payer(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    receipt = confirm(pending(pay_world), datetime(2026, 11, 30, 9, 15, tzinfo=VN)).receipt
    pdf = receipts.receipt_pdf(receipt)
    assert pdf.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "BIÊN LAI THU PHÍ, LỆ PHÍ",
        "BL-EGOV",
        "0000001",
        "150.000 đ",
        "Một trăm năm mươi nghìn đồng",
        "Nguyễn Thị Nộp",
        "Sở Tư pháp Thử",
        "ngày 30 tháng 11 năm 2026",
    ):
        assert expected in text, expected
    assert receipts.receipt_filename(receipt) == "bien-lai-BL-EGOV-2026-0000001.pdf"


def test_the_cron_command_confirms_a_payment_whose_payer_never_came_back(
    pay_world: PayWorld, sandbox: SandboxProcess, capsys: Any
):
    from datetime import timedelta

    from django.core.management import call_command

    paid_at_gateway = pending(pay_world, key="cron:1")
    sandbox.settle(paid_at_gateway, "pay", drop_callback=True)
    still_open = pending(pay_world, key="cron:2")
    fresh = pending(pay_world, key="cron:3")
    sandbox.settle(fresh, "pay", drop_callback=True)
    Payment.objects.filter(pk__in=[paid_at_gateway.pk, still_open.pk]).update(
        created_at=clock.now() - timedelta(minutes=30)
    )
    call_command("refresh_pending_payments", "--older-than-minutes", "10")
    assert "2 pending payments asked, 1 settled or closed" in capsys.readouterr().out
    statuses = dict(Payment.objects.values_list("pk", "status"))
    assert statuses == {paid_at_gateway.pk: "paid", still_open.pk: "pending", fresh.pk: "pending"}
