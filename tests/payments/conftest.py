"""A small world for payments: an agency with officials holding the payment permissions, a citizen,
a subject to pay for, and egov's SANDBOX gateway started as its own process on a free port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import models

from egov.accounts.models import User
from egov.core import clock
from egov.organizations.models import Agency, Role
from egov.payments import rules, services
from egov.payments.gateways import get_gateway
from egov.payments.models import FeeOrder, Payment
from tests.factories import AgencyFactory, MembershipFactory, OfficialFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sandbox-secret-for-development-only"  # the test profile's default (settings.py)
MERCHANT = "egov-sandbox"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SandboxProcess:
    url: str
    process: subprocess.Popen[bytes]

    def settle(self, payment: Payment, action: str = "pay", *, drop_callback: bool = False) -> int:
        """Act as the payer on the sandbox's page: press "pay" or "cancel". Returns the HTTP status
        of the redirect (303), without following it (the browser's return is a separate step)."""
        page = urllib.request.urlopen(payment.checkout_url, timeout=10).read().decode()
        token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
        form = {"token": token, "action": action} | ({"drop_callback": "1"} if drop_callback else {})

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            opener.open(payment.checkout_url, data=urlencode(form).encode(), timeout=20)
        except urllib.error.HTTPError as redirect:
            return redirect.code
        return 200


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[SandboxProcess]:
    """``manage.py run_sandbox_gateway`` on a free loopback port, for the whole session."""
    port = free_port()
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "egov.config.test_settings", "EGOV_PROFILE": "test"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_sandbox_gateway", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                process.kill()
                pytest.fail(f"the sandbox gateway did not start: {output}")
            time.sleep(0.1)
    yield SandboxProcess(url=url, process=process)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sandbox(sandbox_process: SandboxProcess, settings: Any) -> SandboxProcess:
    settings.EGOV_PAYMENT_GATEWAY_URL = sandbox_process.url
    settings.EGOV_PAYMENT_GATEWAY = "egov.payments.gateways.sandbox.SandboxGateway"
    settings.EGOV_PAYMENT_GATEWAY_SECRET = SECRET
    settings.EGOV_PAYMENT_MERCHANT_ID = MERCHANT
    get_gateway()._call("POST", "/api/sandbox/reset", {})  # type: ignore[attr-defined]
    return sandbox_process


@dataclass
class PayWorld:
    agency: Agency
    other_agency: Agency
    clerk: User  # one-stop officer: orders, refunds
    specialist: User  # orders
    leader: User  # refunds, reconciles
    outsider: User  # an official of another agency
    citizen: User
    other_citizen: User


@pytest.fixture
def pay_world(db: Any) -> PayWorld:
    agency = AgencyFactory(name="Sở Tư pháp Thử")
    other = AgencyFactory(name="Sở Xây dựng Thử")

    def member(where: Agency, role: str) -> User:
        official = OfficialFactory()
        MembershipFactory(user=official, agency=where, role=role)
        return official

    return PayWorld(
        agency=agency,
        other_agency=other,
        clerk=member(agency, Role.ONE_STOP_OFFICER),
        specialist=member(agency, Role.SPECIALIST),
        leader=member(agency, Role.AGENCY_LEADER),
        outsider=member(other, Role.AGENCY_LEADER),
        citizen=UserFactory(full_name="Nguyễn Thị Nộp"),
        other_citizen=UserFactory(),
    )


def make_order(
    world: PayWorld,
    *,
    amount: int = 150_000,
    key: str = "test:1",
    payer: Any = "citizen",
    subject: models.Model | None = None,
) -> FeeOrder:
    payer_user = world.citizen if payer == "citizen" else payer
    return services.create_fee_order(
        actor=world.specialist,
        agency=world.agency,
        subject=subject or world.agency,
        subject_label="Hồ sơ 000.00.12.H56-261130-0001",
        purpose="dossier_fee",
        description="Lệ phí cấp phiếu lý lịch tư pháp",
        amount=amount,
        payer=payer_user,
        payer_name="Nguyễn Thị Nộp",
        idempotency_key=key,
    )


RETURN_URL = "http://127.0.0.1:9/thanh-toan/ve"
CALLBACK_URL = "http://127.0.0.1:9/thanh-toan/thong-bao/sandbox/"  # nobody listens: no callback arrives


def signed_callback(
    payment: Payment,
    *,
    status: str = "paid",
    path: str = "/thanh-toan/thong-bao/sandbox/",
    secret: str = SECRET,
    at: int | None = None,
    **changes: Any,
) -> tuple[bytes, dict[str, str], str]:
    """A callback as the sandbox signs it, with ``changes`` to the body (forgeries)."""
    timestamp = at if at is not None else int(clock.now().timestamp())
    data = {
        "event_id": f"{payment.gateway_payment_id}:{status}",
        "merchant_id": MERCHANT,
        "reference": payment.reference,
        "gateway_payment_id": payment.gateway_payment_id,
        "amount": payment.amount,
        "currency": rules.CURRENCY,
        "status": status,
        "at": timestamp,
    } | changes
    body = json.dumps(data, sort_keys=True).encode()
    signature = rules.sign(secret, timestamp=timestamp, method="POST", path=path, body=body)
    return body, {"X-Signature-Timestamp": str(timestamp), "X-Signature": signature}, path


def host_of(url: str) -> str:
    return urlsplit(url).netloc
