"""The pay page, the return page (which trusts no address), the callback endpoint, receipts, and
the finance officer's reconciliation screen and command."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.core import clock
from egov.core.models.audit import AuditEvent
from egov.payments import services
from egov.payments.gateways import get_gateway
from egov.payments.models import GatewayCallback, Payment
from egov.payments.rules import MismatchKind, PaymentStatus
from tests.payments.conftest import (
    CALLBACK_URL,
    RETURN_URL,
    PayWorld,
    SandboxProcess,
    make_order,
    signed_callback,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def signed_in(user: Any) -> Client:
    """The user signed in; an official also past the second factor."""
    client = Client()
    client.force_login(user)
    if user.is_official:
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, name="authenticator", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def test_the_payer_sees_the_amount_and_a_pay_button(pay_world: PayWorld):
    order = make_order(pay_world)
    response = signed_in(pay_world.citizen).get(reverse("payments:pay", args=[order.token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "150.000 đ" in html and "Thanh toán trực tuyến 150.000 đ" in html
    assert "Cache-Control" in response and "no-cache" in response["Cache-Control"]
    assert "form-action 'self' http://127.0.0.1:8765" in response["Content-Security-Policy"]


def test_someone_else_or_an_anonymous_visitor_gets_not_found(pay_world: PayWorld):
    order = make_order(pay_world)
    url = reverse("payments:pay", args=[order.token])
    assert signed_in(pay_world.other_citizen).get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert Client().get(reverse("payments:pay", args=["khong-co-ma-nay"])).status_code == 404


def test_an_order_without_a_payer_account_is_open_to_whoever_holds_its_address(pay_world: PayWorld):
    order = make_order(pay_world, payer=None)
    assert Client().get(reverse("payments:pay", args=[order.token])).status_code == 200


def test_posting_the_pay_form_redirects_to_the_sandbox_page_and_a_double_click_reuses_it(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    order = make_order(pay_world)
    client = signed_in(pay_world.citizen)
    url = reverse("payments:pay", args=[order.token])
    first = client.post(url)
    second = client.post(url)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert first["Location"].startswith(sandbox.url + "/pay/")
    assert Payment.objects.count() == 1


def test_the_pay_form_needs_csrf(pay_world: PayWorld):
    order = make_order(pay_world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(pay_world.citizen)
    assert client.post(reverse("payments:pay", args=[order.token])).status_code == 403


def test_the_return_page_ignores_what_the_address_claims(pay_world: PayWorld, sandbox: SandboxProcess):
    order = make_order(pay_world)
    services.start_payment(order=order, return_url=RETURN_URL, callback_url=CALLBACK_URL)
    url = reverse("payments:returned", args=[order.token]) + "?status=paid&vnp_ResponseCode=00"
    response = signed_in(pay_world.citizen).get(url)
    assert "Đang chờ xác nhận thanh toán" in response.content.decode()
    assert Payment.objects.get().status == PaymentStatus.PENDING


def test_the_return_page_asks_the_gateway_when_the_callback_is_late(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    order = make_order(pay_world)
    payment = services.start_payment(order=order, return_url=RETURN_URL, callback_url=CALLBACK_URL)
    sandbox.settle(payment, "pay", drop_callback=True)
    response = signed_in(pay_world.citizen).get(reverse("payments:returned", args=[order.token]))
    html = response.content.decode()
    assert "Thanh toán thành công" in html and "Tải biên lai điện tử BL-EGOV số 0000001" in html
    pdf = signed_in(pay_world.citizen).get(reverse("payments:receipt", args=[order.token, payment.reference]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    other = signed_in(pay_world.other_citizen).get(
        reverse("payments:receipt", args=[order.token, payment.reference])
    )
    assert other.status_code == 404


def test_the_callback_endpoint_answers_400_to_a_forgery_and_200_to_the_gateway(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    payment = services.start_payment(
        order=make_order(pay_world), return_url=RETURN_URL, callback_url=CALLBACK_URL
    )
    url = reverse("payments:callback", args=["sandbox"])
    body, headers, _path = signed_callback(payment, secret="guessed", path=url)
    client = Client(enforce_csrf_checks=True)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    assert client.post(url, body, content_type="application/json", **extra).status_code == 400
    body, headers, _path = signed_callback(payment, path=url)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    answer = client.post(url, body, content_type="application/json", **extra)
    assert answer.status_code == 200 and json.loads(answer.content)["verdict"] == "applied"
    assert client.post(url, body, content_type="application/json", **extra).json()["verdict"] == "duplicate"
    assert client.get(url).status_code == 405
    assert (
        client.post(
            reverse("payments:callback", args=["other"]), body, content_type="application/json"
        ).status_code
        == 404
    )
    assert list(GatewayCallback.objects.order_by("pk").values_list("verdict", flat=True)) == [
        "rejected",
        "applied",
        "duplicate",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_whole_http_flow_pays_through_the_sandboxs_signed_callback(
    pay_world: PayWorld, sandbox: SandboxProcess, live_server: Any, settings: Any
):
    settings.EGOV_PAYMENT_PUBLIC_URL = live_server.url
    order = make_order(pay_world)
    client = signed_in(pay_world.citizen)
    checkout = client.post(reverse("payments:pay", args=[order.token]))["Location"]
    assert sandbox.settle(Payment.objects.get(), "pay") == 303
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PAID
    log = GatewayCallback.objects.get()
    assert log.verdict == "applied" and log.reference == payment.reference
    assert checkout == payment.checkout_url
    order.refresh_from_db()
    assert order.is_settled


# --- Reconciliation -------------------------------------------------------------------------------


def paid_today(world: PayWorld, sandbox: SandboxProcess, key: str, amount: int = 150_000) -> Payment:
    payment = services.start_payment(
        order=make_order(world, key=key, amount=amount), return_url=RETURN_URL, callback_url=CALLBACK_URL
    )
    sandbox.settle(payment, "pay", drop_callback=True)
    return services.refresh_from_gateway(payment=payment)


def test_reconciliation_of_a_day_against_the_sandboxs_own_file_matches(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    paid_today(pay_world, sandbox, "r1")
    paid_today(pay_world, sandbox, "r2", 20_000)
    from egov.payments import reconciliation

    report = reconciliation.reconcile(actor=pay_world.leader, day=clock.today())
    assert report.lines_in_file >= 2 and report.payments_in_egov == 2
    assert report.matched
    assert AuditEvent.objects.filter(action="payment.reconcile").count() == 1


def test_reconciliation_lists_every_kind_of_mismatch_in_a_doctored_file(
    pay_world: PayWorld, sandbox: SandboxProcess
):
    from egov.payments import reconciliation

    a = paid_today(pay_world, sandbox, "m1")
    b = paid_today(pay_world, sandbox, "m2")
    c = paid_today(pay_world, sandbox, "m3")
    d = paid_today(pay_world, sandbox, "m4")
    text = get_gateway().settlement_file(clock.today())
    lines = [line for line in text.splitlines() if not line.startswith(d.reference)]  # d missing
    lines = [line.replace(f",{b.amount},", ",1,") if line.startswith(b.reference) else line for line in lines]
    lines = [line.replace(",paid,", ",refunded,") if line.startswith(c.reference) else line for line in lines]
    lines.append("EGFFFFFFFFFFFFFFFFFFFF,SBX0,5000,VND,paid,2026-11-30T09:00:00+00:00")
    report = reconciliation.reconcile(
        actor=pay_world.leader, day=clock.today(), settlement_text="\n".join(lines) + "\n"
    )
    found = {(m.kind, m.reference) for m in report.mismatches}
    assert found == {
        (MismatchKind.MISSING, d.reference),
        (MismatchKind.AMOUNT, b.reference),
        (MismatchKind.STATUS, c.reference),
        (MismatchKind.EXTRA, "EGFFFFFFFFFFFFFFFFFFFF"),
    }
    assert a.reference not in {m.reference for m in report.mismatches}


def test_a_malformed_settlement_file_is_refused_with_the_line(pay_world: PayWorld, sandbox: SandboxProcess):
    from django.core.exceptions import ValidationError

    from egov.payments import reconciliation

    with pytest.raises(ValidationError, match="định dạng"):
        reconciliation.reconcile(actor=pay_world.leader, day=clock.today(), settlement_text="a,b\n")
    header = "reference,gateway_payment_id,amount,currency,status,paid_at\n"
    with pytest.raises(ValidationError, match="Dòng 2"):
        reconciliation.reconcile(
            actor=pay_world.leader, day=clock.today(), settlement_text=header + "X,Y,1.5,VND,paid,t\n"
        )


def test_the_reconciliation_screen_is_for_officials_who_may_reconcile(
    pay_world: PayWorld, sandbox: SandboxProcess, django_assert_max_num_queries: Any
):
    url = reverse("payments:reconcile")
    assert signed_in(pay_world.citizen).get(url).status_code == 403
    assert signed_in(pay_world.specialist).get(url).status_code == 403
    payments = [paid_today(pay_world, sandbox, f"s{n}") for n in range(3)]
    client = signed_in(pay_world.leader)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(12):
        response = client.post(url, {"day": clock.today().strftime("%d/%m/%Y")})
    assert "Khớp hoàn toàn" in response.content.decode()
    services.refund_payment(payment=payments[0], officer=pay_world.leader, reason="Hồ sơ bị từ chối")
    # Tampered rows in egov's database; the refund above is on both sides and matches.
    Payment.objects.filter(pk=payments[1].pk).update(amount=1)
    Payment.objects.filter(pk=payments[2].pk).update(status="failed")
    html = client.post(url, {"day": clock.today().strftime("%d/%m/%Y")}).content.decode()
    assert "2 chênh lệch" in html and payments[1].reference in html and payments[2].reference in html
    assert payments[0].reference not in html


def test_the_reconcile_command_exits_1_on_mismatches(
    pay_world: PayWorld, sandbox: SandboxProcess, tmp_path: Any, capsys: Any
):
    paid_today(pay_world, sandbox, "c1")
    call_command("reconcile_payments", "--as", pay_world.leader.username)
    assert "0 mismatches" in capsys.readouterr().out
    file = tmp_path / "settlement.csv"
    file.write_text("reference,gateway_payment_id,amount,currency,status,paid_at\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        call_command("reconcile_payments", "--as", pay_world.leader.username, "--file", str(file))
    assert exit_.value.code == 1
    assert "missing" in capsys.readouterr().out


def test_reconciliation_uses_the_local_day(pay_world: PayWorld, sandbox: SandboxProcess):
    from egov.payments import reconciliation

    payment = services.start_payment(
        order=make_order(pay_world, key="late"), return_url=RETURN_URL, callback_url=CALLBACK_URL
    )
    Payment.objects.filter(pk=payment.pk).update(
        status="paid", paid_at=datetime(2026, 11, 30, 23, 30, tzinfo=VN)
    )
    header = "reference,gateway_payment_id,amount,currency,status,paid_at\n"
    on_30 = reconciliation.reconcile(
        actor=pay_world.leader, day=datetime(2026, 11, 30).date(), settlement_text=header
    )
    on_1 = reconciliation.reconcile(
        actor=pay_world.leader, day=datetime(2026, 12, 1).date(), settlement_text=header
    )
    assert [m.reference for m in on_30.mismatches] == [payment.reference]
    assert on_1.mismatches == []
