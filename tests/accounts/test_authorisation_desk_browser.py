"""The authorisation screen in real Chromium: record, find, revoke; axe-core on each state."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from egov.accounts.models import AssuranceLevel, OrganisationAuthorisation
from egov.organizations.models import Role
from tests.dossiers.browser_support import sign_in_as
from tests.factories import MembershipFactory, UserFactory, personal_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_and_revokes_an_authorisation(
    page: Page, live_server: Any, axe_violations: Any
) -> None:
    desk = MembershipFactory(role=Role.ONE_STOP_OFFICER)
    director = UserFactory(
        full_name="Trần Thị Bình", national_id=personal_id(77), assurance_level=AssuranceLevel.VERIFIED
    )
    sign_in_as(page, live_server, desk.user)
    page.goto(live_server.url + "/accounts/authorisations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quyền đại diện tổ chức")
    assert axe_violations(page) == []

    form = page.get_by_role("form", name="Ghi nhận quyền đại diện")
    form.get_by_label("Số định danh cá nhân của người được ủy quyền").fill("123")
    form.get_by_label("Mã số thuế của tổ chức").fill("0312345678")
    form.get_by_label("Tên tổ chức").fill("Công ty TNHH Bình Minh")
    form.get_by_label("Người đại diện theo pháp luật").check()
    form.get_by_label("Giấy tờ đã đối chiếu").fill("Giấy chứng nhận đăng ký doanh nghiệp")
    form.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_role("alert")).to_contain_text("12 chữ số")
    expect(page.get_by_label("Tên tổ chức")).to_have_value("Công ty TNHH Bình Minh")
    assert axe_violations(page) == []

    page.get_by_label("Số định danh cá nhân của người được ủy quyền").fill(director.national_id)
    page.get_by_label("Người đại diện theo pháp luật").check()
    page.get_by_role("form", name="Ghi nhận quyền đại diện").get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận Trần Thị Bình")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Công ty TNHH Bình Minh")
    expect(table).to_contain_text("Đang hiệu lực")
    assert axe_violations(page) == []

    page.locator("summary", has_text="Thu hồi").click()
    revoke = page.get_by_role("form", name="Thu hồi quyền đại diện")
    revoke.get_by_label("Lý do thu hồi").fill("Công ty đã thay người đại diện")
    revoke.get_by_role("button", name="Thu hồi").click()
    expect(page.get_by_role("status")).to_contain_text("Đã thu hồi quyền đại diện.")
    expect(page.get_by_role("table")).to_contain_text("Đã thu hồi")
    assert axe_violations(page) == []
    assert OrganisationAuthorisation.objects.get().revoked_at is not None
