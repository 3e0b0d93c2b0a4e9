"""In Chromium, axe-checked: the clerk issues a signed document with the seal's PIN (a wrong PIN is
refused with a clear message, nothing numbered), and the receiving agency's clerk sees the copy's
signatures checked valid, with the report."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from egov.documents.models import IncomingDocument, OutgoingDocument
from egov.documents.rules import OutgoingStatus
from tests.documents.conftest import World
from tests.documents.test_issue_signed import keys, sealed_world, signed_document  # noqa: F401 - fixtures
from tests.dossiers.browser_support import sign_in_as
from tests.signing_fixtures import PFX_PIN

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("tsa_setting"),
]


def test_the_clerk_seals_with_the_pin_and_the_recipient_sees_valid_signatures(
    page: Page,
    live_server: Any,
    axe_violations: Any,
    sealed_world: World,  # noqa: F811 - the fixture
) -> None:
    world = sealed_world
    document = signed_document(world)
    sign_in_as(page, live_server, world.clerk)
    page.goto(live_server.url + reverse("documents:outgoing_detail", args=[document.pk]))
    form = page.get_by_role("form", name="Cấp số, đóng dấu số và phát hành")
    assert axe_violations(page) == []

    form.get_by_label("Mã PIN con dấu số của cơ quan").fill("9999")
    form.get_by_role("button", name="Cấp số, đóng dấu và phát hành").click()
    expect(page.get_by_role("status")).to_contain_text("Không mở được khóa ký số của cơ quan")
    document.refresh_from_db()
    assert (document.status, document.number) == (OutgoingStatus.SIGNED, None)

    form = page.get_by_role("form", name="Cấp số, đóng dấu số và phát hành")
    form.get_by_label("Mã PIN con dấu số của cơ quan").fill(PFX_PIN)
    form.get_by_role("button", name="Cấp số, đóng dấu và phát hành").click()
    expect(page.get_by_role("status")).to_contain_text("Đã phát hành văn bản số 01/STP-HCTP")
    expect(page.get_by_role("status")).to_contain_text("đóng dấu số")
    assert axe_violations(page) == []
    assert OutgoingDocument.objects.get(pk=document.pk).status == OutgoingStatus.ISSUED

    copy = IncomingDocument.objects.get(source_outgoing=document)
    sign_in_as(page, live_server, world.other_clerk)
    page.goto(live_server.url + reverse("documents:incoming_detail", args=[copy.pk]))
    expect(page.get_by_text("Chữ ký số hợp lệ", exact=True)).to_be_visible()
    report = page.get_by_role("region", name="Kết quả kiểm tra chữ ký số khi nhận")
    expect(report).to_contain_text("Tất cả chữ ký số hợp lệ.")
    expect(report.get_by_role("table")).to_contain_text("Nguyễn Văn Đức")
    assert axe_violations(page) == []

    # An altered copy would be flagged on the page and in the lists.
    IncomingDocument.objects.filter(pk=copy.pk).update(signature_status="invalid")
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("chữ ký số của văn bản không hợp lệ")
    page.goto(live_server.url + reverse("documents:home") + "?tab=to_submit")
    expect(page.get_by_text("Chữ ký số không hợp lệ")).to_be_visible()
    assert axe_violations(page) == []
