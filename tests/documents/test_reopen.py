"""Reopening a completed incoming document (completed → assigned, Decree 30 follow-up): only a
leader of the agency, with a reason; the lines the completion closed open again, their people are
told, the reason is kept and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from playwright.sync_api import Page, expect

from egov.core import clock
from egov.core.models import AuditEvent
from egov.documents import rules, services
from egov.documents.models import Assignment, IncomingDocument
from tests.documents.conftest import assigned, assigned_to_unit, build_world, local
from tests.documents.test_views import signed_in
from tests.dossiers.browser_support import sign_in_as


def completed(world) -> IncomingDocument:
    with clock.frozen(local(2026, 11, 30, 9, 0)):
        document = assigned(world)
        return services.complete_incoming(actor=world.specialist, document=document, note="Đã trả lời.")


def test_the_leader_reopens_the_closed_lines_with_a_reason(world, django_capture_on_commit_callbacks):
    document = completed(world)
    mail.outbox.clear()
    with clock.frozen(local(2026, 12, 1, 9, 0)), django_capture_on_commit_callbacks(execute=True):
        reopened = services.reopen(
            leader=world.leader,
            document=document,
            reason="Văn bản trả lời còn thiếu số liệu.",
            deadline=date(2026, 12, 15),
        )
    assert reopened.status == rules.IncomingStatus.ASSIGNED
    assert (reopened.completed_at, reopened.completion_note, reopened.deadline) == (
        None,
        "",
        date(2026, 12, 15),
    )
    lines = Assignment.objects.filter(document=document)
    assert {(a.assignee, a.is_open, a.deadline) for a in lines} == {
        (world.specialist, True, date(2026, 12, 15)),
        (world.colleague, True, date(2026, 12, 15)),
    }
    assert document.opinions.get().text == "Mở lại xử lý: Văn bản trả lời còn thiếu số liệu."
    event = AuditEvent.objects.get(action="documents.incoming.reopen")
    assert event.details["reason"] == "Văn bản trả lời còn thiếu số liệu."
    assert event.details["previous_note"] == "Đã trả lời."
    assert sorted(event.details["reopened_assignments"]) == sorted(a.pk for a in lines)
    told = {address for message in mail.outbox for address in message.to}
    assert {world.specialist.email, world.colleague.email} <= told
    # The lead can process and complete again.
    assert services.may_complete(world.specialist, reopened)
    with clock.frozen(local(2026, 12, 2, 9, 0)):
        again = services.complete_incoming(actor=world.specialist, document=reopened)
    assert again.status == rules.IncomingStatus.COMPLETED


def test_a_unit_line_reopens_and_its_heads_are_told(world, django_capture_on_commit_callbacks):
    document = assigned_to_unit(world)
    services.complete_incoming(actor=world.colleague, document=document)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reopen(leader=world.leader, document=document, reason="Bổ sung báo cáo.")
    assert Assignment.objects.get(document=document).is_open
    assert any(world.head.email in message.to for message in mail.outbox)


def test_only_a_leader_of_the_agency_reopens(world):
    document = completed(world)
    for someone in (world.specialist, world.clerk, world.other_leader):
        with pytest.raises(PermissionDenied):
            services.reopen(leader=someone, document=document, reason="Xử lý lại.")
    assert IncomingDocument.objects.get(pk=document.pk).status == rules.IncomingStatus.COMPLETED
    assert not AuditEvent.objects.filter(action="documents.incoming.reopen").exists()


def test_only_a_completed_document_reopens(world):
    document = assigned(world)
    with pytest.raises(rules.IllegalTransition):
        services.reopen(leader=world.leader, document=document, reason="Xử lý lại.")


def test_a_reason_is_required_and_the_new_deadline_is_not_in_the_past(world):
    document = completed(world)
    with pytest.raises(ValidationError, match="lý do"):
        services.reopen(leader=world.leader, document=document, reason="  ")
    with clock.frozen(local(2026, 12, 1, 9, 0)), pytest.raises(ValidationError, match="trước hôm nay"):
        services.reopen(leader=world.leader, document=document, reason="Lại", deadline=date(2026, 11, 1))


def test_a_document_without_lines_waits_for_the_leaders_instruction(world):
    document = completed(world)
    Assignment.objects.filter(document=document).delete()  # as an entry imported from a paper register
    reopened = services.reopen(leader=world.leader, document=document, reason="Cần xử lý tiếp.")
    assert reopened.status == rules.IncomingStatus.ASSIGNED
    services.instruct(
        leader=world.leader,
        document=reopened,
        instruction="Phòng HCTP chủ trì",
        assignments=[services.AssignmentData(role="lead", assignee=world.specialist)],
    )
    assert services.may_complete(world.specialist, reopened)


def test_the_leader_reopens_on_the_page_and_others_do_not_see_the_form(world):
    document = completed(world)
    url = reverse("documents:incoming_detail", args=[document.pk])
    assert "Mở lại xử lý" not in signed_in(world.specialist).get(url).content.decode()
    action = reverse("documents:incoming_reopen", args=[document.pk])
    assert signed_in(world.specialist).post(action, {"reason": "x"}).status_code == 403
    client = signed_in(world.leader)
    assert "Mở lại xử lý" in client.get(url).content.decode()
    refused = client.post(action, {"reason": ""})
    assert refused.status_code == 400
    assert IncomingDocument.objects.get(pk=document.pk).status == rules.IncomingStatus.COMPLETED
    response = client.post(action, {"reason": "Thiếu số liệu."})
    assert response.status_code == 302
    assert IncomingDocument.objects.get(pk=document.pk).status == rules.IncomingStatus.ASSIGNED
    assert "Mở lại xử lý: Thiếu số liệu." in client.get(url).content.decode()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_leader_reopens_in_the_browser(page: Page, live_server: Any, axe_violations: Any) -> None:
    world = build_world()
    document = services.complete_incoming(actor=world.specialist, document=assigned(world))
    sign_in_as(page, live_server, world.leader)
    page.goto(live_server.url + reverse("documents:incoming_detail", args=[document.pk]))
    form = page.get_by_role("form", name="Mở lại xử lý")
    assert axe_violations(page) == []
    form.get_by_role("button", name="Mở lại").click()
    expect(page.get_by_role("form", name="Mở lại xử lý")).to_contain_text("Trường này là bắt buộc")
    assert axe_violations(page) == []
    form = page.get_by_role("form", name="Mở lại xử lý")
    form.get_by_label("Lý do mở lại").fill("Văn bản trả lời còn thiếu số liệu.")
    form.get_by_role("button", name="Mở lại").click()
    expect(page.get_by_role("status")).to_contain_text("Đã mở lại xử lý văn bản.")
    expect(page.get_by_text("Mở lại xử lý: Văn bản trả lời còn thiếu số liệu.")).to_be_visible()
    expect(page.get_by_role("form", name="Mở lại xử lý")).to_have_count(0)
    assert axe_violations(page) == []
