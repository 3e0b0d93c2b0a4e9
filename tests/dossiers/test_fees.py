"""A dossier's fees through payments: the obligation set at status 6 and met when its order is
settled (paid through the sandbox, or exempted), fixed fees at submission, refunds."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from egov.dossiers import services
from egov.dossiers.models import Dossier, StatusChange
from egov.dossiers.rules import Status
from egov.dossiers.services.fees import PURPOSE_FEE, PURPOSE_OBLIGATION, refund_allowed
from egov.payments import services as payments
from egov.payments.models import FeeOrder
from egov.payments.rules import PaymentStatus
from egov.procedures.models import Fee
from tests.dossiers.conftest import World, dossier_in
from tests.payments import conftest as payment_fixtures
from tests.payments.conftest import CALLBACK_URL, RETURN_URL, SandboxProcess

# The sandbox gateway's fixtures (its own process on a free port).
sandbox = payment_fixtures.sandbox
sandbox_process = payment_fixtures.sandbox_process


def obligation(world: World, amount: int = 2_000_000) -> tuple[Dossier, FeeOrder]:
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    order = services.request_fee_payment(
        dossier=dossier, officer=world.specialist, amount=amount, note="Lệ phí trước bạ"
    )
    return Dossier.objects.get(pk=dossier.pk), order


def pay(order: FeeOrder, gateway: SandboxProcess, capture: Any) -> None:
    """Pay at the sandbox's page; egov learns it by its signed status query (no live server here
    to receive the callback), committing so that payment_settled is sent."""
    payment = payments.start_payment(order=order, return_url=RETURN_URL, callback_url=CALLBACK_URL)
    gateway.settle(payment, "pay", drop_callback=True)
    with capture(execute=True):
        assert payments.refresh_from_gateway(payment=payment).status == PaymentStatus.PAID


def test_setting_an_amount_pauses_the_dossier_at_6_with_its_fee_order(world: World):
    dossier, order = obligation(world)
    assert dossier.status == Status.OBLIGATION_REQUESTED and dossier.paused_since is not None
    assert order.subject == dossier and order.purpose == PURPOSE_OBLIGATION
    assert (order.amount, order.agency, order.created_by) == (2_000_000, world.agency, world.specialist)
    assert order.payer_name == "Nguyễn Thị Nộp" and order.subject_label == f"Hồ sơ {dossier.code}"


def test_an_official_who_may_not_process_sets_no_amount_and_nothing_is_written(world: World):
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    with pytest.raises(PermissionDenied):
        services.request_fee_payment(dossier=dossier, officer=world.outsider, amount=1000, note="Lệ phí")
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_PROGRESS
    assert not FeeOrder.objects.exists()


def test_paying_online_meets_the_obligation_and_processing_resumes(
    world: World, sandbox: SandboxProcess, django_capture_on_commit_callbacks: Any
):
    dossier, order = obligation(world)
    pay(order, sandbox, django_capture_on_commit_callbacks)
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROGRESS and dossier.paused_since is None
    change = StatusChange.objects.filter(dossier=dossier).latest("pk")
    assert (change.source, change.target, change.actor) == (6, 4, world.specialist)
    assert "biên lai BL-EGOV 0000001/" in change.note


def test_a_full_exemption_with_its_ground_meets_the_obligation(
    world: World, django_capture_on_commit_callbacks: Any
):
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    with django_capture_on_commit_callbacks(execute=True):
        order = services.request_fee_payment(
            dossier=dossier,
            officer=world.specialist,
            amount=500_000,
            note="Lệ phí",
            exemption=payments.ExemptionData(amount=500_000, ground="Hộ nghèo, Nghị định 07/2021"),
        )
    assert order.is_settled and order.exemption.ground == "Hộ nghèo, Nghị định 07/2021"
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROGRESS
    assert StatusChange.objects.filter(dossier=dossier).latest("pk").note == "Được miễn nghĩa vụ tài chính."


def test_a_settled_order_of_another_kind_does_not_move_the_dossier(
    world: World, django_capture_on_commit_callbacks: Any
):
    dossier, _order = obligation(world)
    other = payments.create_fee_order(
        actor=world.specialist,
        agency=world.agency,
        subject=dossier,
        subject_label=dossier.code,
        purpose=PURPOSE_FEE,
        description="Phí khác",
        amount=10_000,
        payer=None,
        payer_name="A",
        idempotency_key="other",
    )
    with django_capture_on_commit_callbacks(execute=True):
        payments.grant_exemption(order=other, officer=world.specialist, amount=10_000, ground="x")
    assert Dossier.objects.get(pk=dossier.pk).status == Status.OBLIGATION_REQUESTED


def with_fees(world: World) -> None:
    Fee.objects.create(procedure=world.procedure, order=1, name="Lệ phí cấp phiếu", amount=200_000)
    Fee.objects.create(procedure=world.procedure, order=2, name="Phí theo biểu", schedule="Theo diện tích")


def test_fixed_fees_are_ordered_once_at_submission_and_schedules_are_left_to_the_officer(world: World):
    with_fees(world)
    dossier = dossier_in(world, Status.SUBMITTED, False)
    orders = services.order_submission_fees(dossier=dossier, actor=world.desk)
    assert [(o.description, o.amount, o.purpose) for o in orders] == [
        ("Lệ phí cấp phiếu", 200_000, PURPOSE_FEE)
    ]
    assert services.order_submission_fees(dossier=dossier, actor=world.desk) == orders
    with pytest.raises(PermissionDenied):
        services.order_submission_fees(dossier=dossier, actor=world.outsider)


@pytest.mark.parametrize(
    ("status", "accepted", "setting", "allowed"),
    [
        (Status.REFUSED, False, False, True),
        (Status.WITHDRAWN, False, False, True),
        (Status.WITHDRAWN, True, False, False),
        (Status.WITHDRAWN, True, True, True),
        (Status.IN_PROGRESS, True, True, False),
        (Status.RETURNED, True, True, False),
    ],
)
def test_refunds_are_allowed_for_refused_and_withdrawn_dossiers_per_the_rules(
    status, accepted, setting, allowed
):
    assert refund_allowed(status, accepted=accepted, after_acceptance=setting) is allowed


def test_the_fees_of_a_refused_dossier_are_refunded_through_the_gateway(
    world: World, sandbox: SandboxProcess, django_capture_on_commit_callbacks: Any
):
    with_fees(world)
    dossier = dossier_in(world, Status.SUBMITTED, False)
    [order] = services.order_submission_fees(dossier=dossier, actor=world.desk)
    pay(order, sandbox, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied, match="bị từ chối hoặc đã rút"):
        services.refund_dossier_fees(dossier=dossier, officer=world.desk, reason="x")
    services.refuse_dossier(dossier=dossier, officer=world.desk, reason="Không thuộc thẩm quyền")
    [refunded] = services.refund_dossier_fees(dossier=dossier, officer=world.desk, reason="Hồ sơ bị từ chối")
    assert refunded.status == PaymentStatus.REFUNDED and refunded.order == order


def test_a_dossier_withdrawn_after_acceptance_is_refunded_only_where_the_setting_allows(
    world: World, sandbox: SandboxProcess, settings: Any, django_capture_on_commit_callbacks: Any
):
    dossier, order = obligation(world)
    pay(order, sandbox, django_capture_on_commit_callbacks)
    services.withdraw(dossier=dossier, officer=world.desk, reason="Người nộp đề nghị rút")
    settings.EGOV_REFUND_ON_WITHDRAWAL_AFTER_ACCEPTANCE = False
    with pytest.raises(PermissionDenied):
        services.refund_dossier_fees(dossier=dossier, officer=world.desk, reason="Rút hồ sơ")
    settings.EGOV_REFUND_ON_WITHDRAWAL_AFTER_ACCEPTANCE = True
    assert len(services.refund_dossier_fees(dossier=dossier, officer=world.desk, reason="Rút hồ sơ")) == 1


def test_the_desk_refunds_a_refused_dossiers_paid_fees_from_its_page(
    world: World, sandbox: SandboxProcess, django_capture_on_commit_callbacks: Any
):
    from tests.dossiers.test_views_processing import act, signed_in

    with_fees(world)
    dossier = dossier_in(world, Status.SUBMITTED, False)
    [order] = services.order_submission_fees(dossier=dossier, actor=world.desk)
    pay(order, sandbox, django_capture_on_commit_callbacks)
    desk = signed_in(world.desk)
    page = desk.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert "Hoàn phí, lệ phí đã nộp" not in page  # still open: nothing to give back
    services.refuse_dossier(dossier=dossier, officer=world.desk, reason="Không thuộc thẩm quyền")
    assert "Hoàn phí, lệ phí đã nộp" in desk.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert desk.post(act(dossier, "hoan-phi"), {"hoan-phi-reason": ""}).status_code == 400
    response = desk.post(act(dossier, "hoan-phi"), {"hoan-phi-reason": "Hồ sơ bị từ chối"})
    assert response.status_code == 302
    assert order.payments.get().status == PaymentStatus.REFUNDED
    assert "Hoàn phí, lệ phí đã nộp" not in desk.get(f"/dossiers/{dossier.pk}/").content.decode()
