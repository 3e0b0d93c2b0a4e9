"""Signing in through VNeID (the sandbox provider) in real Chromium on a phone-sized screen, with axe."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from egov.accounts.models import AssuranceLevel, User
from tests.accounts.conftest import SANDBOX_CLIENT_ID, provider_settings
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
SANDBOX_HEADING = "Đăng nhập bằng định danh điện tử (sandbox)"


@pytest.fixture
def vneid_live(settings, sandbox_idp, live_server):
    """The sandbox provider knows the live server's callback; egov is configured to use it."""
    callback = f"{live_server.url}/accounts/oidc/vneid/callback/"
    client = sandbox_idp.provider.clients[SANDBOX_CLIENT_ID]
    if callback not in client.redirect_uris:
        client.redirect_uris.append(callback)
    cache.clear()
    settings.EGOV_OIDC_PROVIDERS = {"vneid": provider_settings(sandbox_idp.issuer)}
    yield live_server
    cache.clear()


def no_serious_violations(page: Page, axe_violations) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert axe_violations(page) == []


def test_a_citizen_signs_in_through_vneid_and_comes_back_verified(page: Page, vneid_live, axe_violations):
    page.set_viewport_size(PHONE)
    page.goto(f"{vneid_live.url}/accounts/login/?next=/accounts/profile/")
    no_serious_violations(page, axe_violations)
    page.get_by_role("link", name="Đăng nhập bằng VNeID (sandbox)").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(SANDBOX_HEADING)
    expect(page.get_by_text("MÔI TRƯỜNG THỬ NGHIỆM (SANDBOX)")).to_be_visible()
    no_serious_violations(page, axe_violations)
    page.get_by_label("Trần Thị Bình", exact=False).check()
    page.get_by_role("button", name="Đồng ý và đăng nhập").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản của bạn")
    expect(page.get_by_role("status")).to_contain_text("Bạn đã đăng nhập bằng VNeID (sandbox).")
    expect(page.get_by_text("Đã xác thực định danh")).to_be_visible()
    expect(page.get_by_role("cell", name="Công ty TNHH Thương mại Bình Minh")).to_be_visible()
    no_serious_violations(page, axe_violations)
    user = User.objects.get(national_id="079195001234")
    assert user.assurance_level == AssuranceLevel.VERIFIED


def test_a_self_declared_citizen_verifies_and_an_expired_token_is_refused_first(
    page: Page, vneid_live, axe_violations
):
    citizen = UserFactory(national_id="001090012345")
    page.set_viewport_size(PHONE)
    page.goto(f"{vneid_live.url}/accounts/login/?next=/accounts/profile/")
    page.get_by_label("Số điện thoại, thư điện tử hoặc tên đăng nhập").fill(citizen.email)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản của bạn")

    page.get_by_role("link", name="Xác thực tài khoản bằng VNeID (sandbox)").click()
    page.get_by_label("Mô phỏng lỗi (chỉ dùng khi kiểm thử)").select_option(label="ID token đã hết hạn")
    page.get_by_role("button", name="Đồng ý và đăng nhập").click()
    expect(page.get_by_role("status")).to_contain_text("Không xác minh được thông tin định danh")
    expect(page.get_by_text("Tự khai báo", exact=True)).to_be_visible()
    no_serious_violations(page, axe_violations)

    page.get_by_role("link", name="Xác thực tài khoản bằng VNeID (sandbox)").click()
    page.get_by_role("button", name="Đồng ý và đăng nhập").click()  # Nguyễn Văn An, the first choice
    expect(page.get_by_role("status")).to_contain_text("đã được xác thực định danh qua VNeID (sandbox)")
    expect(page.get_by_text("Đã xác thực định danh")).to_be_visible()
    citizen.refresh_from_db()
    assert citizen.assurance_level == AssuranceLevel.VERIFIED
