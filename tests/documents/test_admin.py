"""The admin: registers and delegations are added there (audited); documents are read-only."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from egov.core.models import AuditEvent
from egov.documents.models import Delegation, Register
from tests.documents.conftest import register


def test_an_administrator_adds_a_register_and_it_is_audited(world, admin_client: Client):
    response = admin_client.post(
        reverse("admin:documents_register_add"),
        {"agency": world.agency.pk, "kind": "outgoing", "name": "Sổ quyết định", "is_active": "on"},
    )
    assert response.status_code == 302
    created = Register.objects.get(name="Sổ quyết định")
    assert AuditEvent.objects.filter(action="documents.register.create", object_id=str(created.pk)).exists()


def test_a_delegation_with_its_period_is_added_and_audited(world, admin_client: Client):
    response = admin_client.post(
        reverse("admin:documents_delegation_add"),
        {
            "agency": world.agency.pk,
            "delegate": world.head.pk,
            "kind": "TL.",
            "valid_from": "2026-01-01",
            "valid_until": "2026-12-31",
            "reason": "Quyết định 01/QĐ-STP",
        },
    )
    assert response.status_code == 302
    assert Delegation.objects.get().kind == "TL."
    assert AuditEvent.objects.filter(action="documents.delegation.create").exists()


def test_documents_are_read_only_in_the_admin(world, admin_client: Client):
    document = register(world)
    assert admin_client.get(reverse("admin:documents_incomingdocument_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:documents_incomingdocument_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:documents_incomingdocument_delete", args=[document.pk])).status_code
        == 403
    )
