"""Correction (đính chính, Decree 30): an issued document with an error of form or presentation is
corrected by a công văn linked to it; both pages, and the copies delivered inside the instance,
say so once the correction is issued."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from playwright.sync_api import Page, expect

from egov.core.models import AuditEvent
from egov.documents import services
from egov.documents.models import IncomingDocument, OutgoingDocument
from tests.documents.conftest import build_world, composed_draft, doc_type, walk_to_signed
from tests.documents.test_views import signed_in
from tests.dossiers.browser_support import sign_in_as


def issued(world, **overrides) -> OutgoingDocument:
    return services.issue(
        clerk=world.clerk, document=walk_to_signed(world, composed_draft(world, **overrides))
    )


def correction_of(world, wrong: OutgoingDocument) -> OutgoingDocument:
    return composed_draft(world, summary=f"Đính chính văn bản số {wrong.notation}", corrects=wrong)


def test_a_correcting_cong_van_links_the_issued_document_and_is_audited(world):
    wrong = issued(world)
    correction = correction_of(world, wrong)
    assert correction.corrects == wrong
    assert list(wrong.corrected_by.all()) == [correction]
    event = AuditEvent.objects.get(action="documents.outgoing.create", object_id=str(correction.pk))
    assert event.details["corrects"] == wrong.pk
    wrong.refresh_from_db()
    assert wrong.status == "issued"  # a correction never recalls what it corrects


def test_only_an_issued_document_of_the_same_agency_is_corrected(world):
    draft = composed_draft(world)
    with pytest.raises(ValidationError, match="Chỉ đính chính được văn bản đã phát hành"):
        correction_of(world, draft)
    other_agency = OutgoingDocument.objects.create(
        agency=world.other,
        division=world.other_division,
        drafter=world.other_clerk,
        document_type=doc_type("cong-van"),
        summary="Văn bản của Sở Nội vụ",
        status="issued",
        number=1,
        year=2026,
        notation="01/SNV-VP",
        issued_on=draft.created_at.date(),
        created_at=draft.created_at,
    )
    with pytest.raises(ValidationError, match="Chỉ đính chính được văn bản đã phát hành"):
        correction_of(world, other_agency)
    wrong = issued(world)
    with pytest.raises(ValidationError, match="vừa thay thế vừa đính chính"):
        composed_draft(world, corrects=wrong, replaces=wrong)
    assert not OutgoingDocument.objects.filter(corrects__isnull=False).exists()


def test_pages_say_it_once_the_correction_is_issued(world):
    wrong = issued(world)
    correction = correction_of(world, wrong)
    leader = signed_in(world.leader)
    wrong_page = reverse("documents:outgoing_detail", args=[wrong.pk])
    assert "Đã được đính chính bởi" not in leader.get(wrong_page).content.decode()
    correction = services.issue(clerk=world.clerk, document=walk_to_signed(world, correction))
    assert (
        f'Đã được đính chính bởi văn bản số <a href="{
            reverse("documents:outgoing_detail", args=[correction.pk])
        }">{correction.notation}</a>'
        in leader.get(wrong_page).content.decode()
    )
    correction_page = leader.get(reverse("documents:outgoing_detail", args=[correction.pk])).content.decode()
    assert "Đính chính văn bản" in correction_page and wrong.notation in correction_page


def test_the_copies_delivered_in_the_instance_show_the_correction(world):
    wrong = issued(world)
    correction = services.issue(
        clerk=world.clerk, document=walk_to_signed(world, correction_of(world, wrong))
    )
    copy = IncomingDocument.objects.get(agency=world.other, source_outgoing=wrong)
    copy_of_correction = IncomingDocument.objects.get(agency=world.other, source_outgoing=correction)
    clerk = signed_in(world.other_clerk)
    page = clerk.get(reverse("documents:incoming_detail", args=[copy.pk])).content.decode()
    link = reverse("documents:incoming_detail", args=[copy_of_correction.pk])
    assert f'Đã được đính chính bởi văn bản số <a href="{link}">{correction.notation}</a>' in page
    page = clerk.get(link).content.decode()
    assert f'<a href="{reverse("documents:incoming_detail", args=[copy.pk])}">{wrong.notation}</a>' in page


def test_the_draft_form_offers_the_correction_with_cong_van_preselected(world):
    wrong = issued(world)
    client = signed_in(world.specialist)
    url = reverse("documents:outgoing_create")
    page = client.get(url, {"corrects": wrong.pk}).content.decode()
    assert f"Đính chính văn bản số {wrong.notation}" in page
    assert f'<option value="{doc_type("cong-van").pk}" selected>' in page
    assert f'<option value="{wrong.pk}" selected>' in page
    response = client.post(
        url,
        {
            "division": world.division.pk,
            "document_type": doc_type("cong-van").pk,
            "summary": f"Đính chính văn bản số {wrong.notation}",
            "mode": "compose",
            "place": "Cà Mau",
            "body": "Đính chính ngày ban hành ghi tại văn bản.",
            "urgency": "normal",
            "corrects": wrong.pk,
        },
    )
    assert response.status_code == 302
    assert OutgoingDocument.objects.get(corrects=wrong).drafter == world.specialist


def test_a_document_the_drafter_does_not_see_cannot_be_chosen(world):
    wrong = issued(world)
    outsider = signed_in(world.other_clerk)
    assert outsider.get(reverse("documents:outgoing_create"), {"corrects": wrong.pk}).status_code in (
        403,
        404,
    )
    assert (
        signed_in(world.colleague)
        .get(reverse("documents:outgoing_create"), {"corrects": wrong.pk})
        .status_code
        == 404
    )


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_drafter_corrects_an_issued_document_in_the_browser(
    page: Page, live_server: Any, axe_violations: Any
) -> None:
    world = build_world()
    wrong = issued(world)
    sign_in_as(page, live_server, world.specialist)
    page.goto(live_server.url + reverse("documents:outgoing_detail", args=[wrong.pk]))
    page.get_by_role("link", name="Đính chính văn bản").click()
    expect(page.get_by_label("Trích yếu")).to_have_value(f"Đính chính văn bản số {wrong.notation}")
    expect(page.get_by_label("Loại văn bản")).to_have_value(str(doc_type("cong-van").pk))
    expect(page.get_by_label("Đính chính văn bản")).to_have_value(str(wrong.pk))
    assert axe_violations(page) == []
    page.get_by_label("Địa danh").fill("Cà Mau")
    page.get_by_label("Nội dung").fill("Đính chính ngày ban hành ghi tại văn bản.")
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_role("status")).to_contain_text("Đã tạo dự thảo.")
    expect(page.get_by_role("link", name=wrong.notation)).to_be_visible()
    assert axe_violations(page) == []
