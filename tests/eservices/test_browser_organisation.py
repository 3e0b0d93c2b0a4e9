""" "Nộp cho ai?" in Chromium on a 360-px phone, checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from egov.eservices import services
from egov.eservices.models import ApplicationDraft
from tests.dossiers.browser_support import sign_in_as
from tests.eservices.conftest import citizen, online_world
from tests.eservices.test_organisation import TAX_CODE, authorise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_representative_chooses_the_organisation_on_a_phone(
    page: Page, live_server: Any, axe_violations: Any
) -> None:
    world = online_world()
    user = citizen()
    authorise(user)
    draft = services.start_draft(user=user, procedure=world.procedure)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in_as(page, live_server, user)

    def check() -> None:
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{live_server.url}/dich-vu-cong/ho-so-nhap/{draft.public_id}/")
    page.get_by_role("link", name="Nộp cho ai").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nộp cho ai?")
    check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()  # nothing chosen: an error, same page
    expect(page.get_by_text("Hãy chọn nộp hồ sơ cho bản thân hay cho một tổ chức.")).to_be_visible()
    check()
    page.get_by_label(f"Cho Công ty TNHH Hạc Thành (mã số thuế {TAX_CODE})").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(page).to_have_url(f"{live_server.url}/dich-vu-cong/ho-so-nhap/{draft.public_id}/trang/1/")
    assert ApplicationDraft.objects.get(pk=draft.pk).organisation_tax_code == TAX_CODE
