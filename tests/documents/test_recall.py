"""Recall (thu hồi) and replacement of issued documents, reaching the copies delivered in the instance."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from egov.core.models import AuditEvent
from egov.documents import rules, services
from egov.documents.models import IncomingDocument
from egov.documents.rules import IncomingStatus, OutgoingStatus
from tests.documents.conftest import composed_draft, walk_to_signed
from tests.documents.test_views import signed_in


def issued(world, **overrides):
    return services.issue(
        clerk=world.clerk, document=walk_to_signed(world, composed_draft(world, **overrides))
    )


def test_the_leader_recalls_an_issued_document_and_the_delivered_copy_follows(
    world, django_capture_on_commit_callbacks
):
    document = issued(world)
    copy = IncomingDocument.objects.get(agency=world.other)
    services.submit_to_leader(clerk=world.other_clerk, document=copy, leader=world.other_leader)
    with pytest.raises(ValidationError):
        services.recall(leader=world.leader, document=document, reason=" ")
    with pytest.raises(PermissionDenied):
        services.recall(leader=world.clerk, document=document, reason="Sai thẩm quyền")
    with django_capture_on_commit_callbacks(execute=True):
        services.recall(leader=world.leader, document=document, reason="Ban hành sai thẩm quyền")
    document.refresh_from_db()
    copy.refresh_from_db()
    assert document.status == OutgoingStatus.RECALLED
    assert (copy.status, copy.recall_reason) == (IncomingStatus.RECALLED, "Ban hành sai thẩm quyền")
    assert AuditEvent.objects.filter(action="documents.incoming.recalled").count() == 1


def test_a_draft_cannot_be_recalled(world):
    with pytest.raises(rules.IllegalTransition):
        services.recall(leader=world.leader, document=composed_draft(world), reason="x")


def test_a_replacement_recalls_the_replaced_document_when_it_is_issued(world):
    wrong = issued(world)
    replacement = composed_draft(world, replaces=wrong)
    wrong.refresh_from_db()
    assert wrong.status == OutgoingStatus.ISSUED  # still valid until the replacement is issued
    replacement = services.issue(clerk=world.clerk, document=walk_to_signed(world, replacement))
    wrong.refresh_from_db()
    assert wrong.status == OutgoingStatus.RECALLED
    assert wrong.recall_reason == f"Được thay thế bởi văn bản số {replacement.notation}"
    assert set(IncomingDocument.objects.filter(agency=world.other).values_list("status", flat=True)) == {
        IncomingStatus.RECALLED,
        IncomingStatus.REGISTERED,
    }


def test_only_an_issued_document_of_the_agency_can_be_replaced(world):
    with pytest.raises(ValidationError, match="đã phát hành"):
        composed_draft(world, replaces=composed_draft(world))


def test_recall_and_replace_on_the_screens(world):
    document = issued(world)
    clerk = signed_in(world.clerk)
    assert (
        "Soạn văn bản thay thế"
        not in clerk.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    )
    specialist = signed_in(world.specialist)
    form = specialist.get(reverse("documents:outgoing_create") + f"?replaces={document.pk}").content.decode()
    assert f"thay thế văn bản số {document.notation}" in form
    leader = signed_in(world.leader)
    page = leader.get(reverse("documents:outgoing_detail", args=[document.pk])).content.decode()
    assert "Thu hồi văn bản" in page
    leader.post(reverse("documents:outgoing_action", args=[document.pk, "recall"]), {"reason": "Sai số liệu"})
    document.refresh_from_db()
    assert document.status == OutgoingStatus.RECALLED
