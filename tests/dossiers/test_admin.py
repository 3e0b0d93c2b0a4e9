"""The admin shows dossiers with their history and changes nothing."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from tests.dossiers.conftest import World, dossier_in


def test_a_dossier_opens_read_only_with_its_history(world: World, admin_client: Client):
    dossier = dossier_in(world, Status.RETURNED, True)
    listing = admin_client.get(reverse("admin:dossiers_dossier_changelist"))
    assert listing.status_code == 200 and dossier.code in listing.content.decode()
    page = admin_client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Thẩm định" in body and 'name="_save"' not in body


def test_the_admin_cannot_add_or_delete_a_dossier(world: World, admin_client: Client):
    dossier = dossier_in(world, Status.SUBMITTED, False)
    assert admin_client.get(reverse("admin:dossiers_dossier_add")).status_code == 403
    assert admin_client.post(reverse("admin:dossiers_dossier_delete", args=[dossier.pk])).status_code == 403
    assert Dossier.objects.filter(pk=dossier.pk).exists()
