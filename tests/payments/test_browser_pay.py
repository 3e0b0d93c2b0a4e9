"""A citizen pays (and cancels) a fee in real Chromium on a phone, through the sandbox gateway's
own page and its signed callback to egov's live server; every egov page checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Page, expect

from egov.core import clock
from egov.payments import services
from egov.payments.models import GatewayCallback, Payment
from egov.payments.rules import PaymentStatus
from tests.dossiers.browser_support import sign_in_as
from tests.payments.conftest import CALLBACK_URL, RETURN_URL, PayWorld, SandboxProcess, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(page: Page, live_server: Any, sandbox: SandboxProcess, settings: Any) -> Page:
    settings.EGOV_PAYMENT_PUBLIC_URL = live_server.url  # where the sandbox sends its callback
    page.set_viewport_size({"width": 360, "height": 740})
    return page


@pytest.fixture
def check(axe_violations: Any) -> Any:
    def run(page: Page) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    return run


def test_a_citizen_pays_a_fee_in_the_sandbox_and_gets_the_receipt(
    phone: Page, live_server: Any, pay_world: PayWorld, check: Any
):
    order = make_order(pay_world, payer=None)  # received at the desk: the address is the key
    phone.goto(f"{live_server.url}/thanh-toan/{order.token}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thanh toán phí, lệ phí")
    expect(phone.get_by_text("150.000 đ", exact=True)).to_be_visible()
    check(phone)

    phone.get_by_role("button", name="Thanh toán trực tuyến 150.000 đ").click()
    expect(phone.get_by_text("Cổng thanh toán THỬ NGHIỆM (sandbox)")).to_be_visible()
    check(phone)
    phone.get_by_role("button", name="Thanh toán 150.000 đ").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Thanh toán thành công")
    assert phone.url.startswith(live_server.url)
    check(phone)
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PAID
    assert GatewayCallback.objects.get().verdict == "applied"  # confirmed by the callback, not the return
    receipt = phone.get_by_role("link", name=re.compile("Tải biên lai điện tử BL-EGOV số 0000001"))
    response = phone.context.request.get(live_server.url + (receipt.get_attribute("href") or ""))
    assert response.status == 200 and response.body().startswith(b"%PDF-")


def test_a_signed_in_citizen_cancels_at_the_sandbox_and_can_pay_again(
    phone: Page, live_server: Any, pay_world: PayWorld, check: Any
):
    order = make_order(pay_world)
    client = Client()
    client.force_login(pay_world.citizen)
    phone.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.session.session_key,
                "url": live_server.url,
            }
        ]
    )
    phone.goto(f"{live_server.url}/thanh-toan/{order.token}/")
    phone.get_by_role("button", name="Thanh toán trực tuyến 150.000 đ").click()
    phone.get_by_role("button", name="Hủy giao dịch").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Giao dịch đã bị hủy")
    check(phone)
    assert Payment.objects.get().status == PaymentStatus.CANCELLED
    phone.get_by_role("link", name="Thanh toán lại").click()
    phone.get_by_role("button", name="Thanh toán trực tuyến 150.000 đ").click()
    expect(phone.get_by_text("Cổng thanh toán THỬ NGHIỆM (sandbox)")).to_be_visible()
    assert Payment.objects.filter(status=PaymentStatus.PENDING).count() == 1


def test_the_finance_officer_reconciles_a_day_on_the_screen(
    phone: Page, live_server: Any, pay_world: PayWorld, sandbox: SandboxProcess, check: Any
):
    payment = services.start_payment(
        order=make_order(pay_world), return_url=RETURN_URL, callback_url=CALLBACK_URL
    )
    sandbox.settle(payment, "pay", drop_callback=True)
    services.refresh_from_gateway(payment=payment)
    Payment.objects.filter(pk=payment.pk).update(amount=149_000)  # egov's row disagrees with the gateway
    sign_in_as(phone, live_server, pay_world.leader)
    phone.goto(f"{live_server.url}/thanh-toan/doi-soat/")
    check(phone)
    phone.get_by_label("Ngày giao dịch").fill(clock.today().strftime("%d/%m/%Y"))
    phone.get_by_role("button", name="Đối soát").click()
    expect(phone.get_by_role("table", name="1 chênh lệch")).to_be_visible()
    expect(phone.get_by_role("cell", name="Số tiền khác nhau")).to_be_visible()
    expect(phone.get_by_role("cell", name=payment.reference)).to_be_visible()
    check(phone)  # the table scrolls inside its own box on a phone; the page itself must not
