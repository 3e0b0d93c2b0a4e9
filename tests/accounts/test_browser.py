"""The account journeys in real Chromium, each page checked with axe-core (serious and critical)."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.accounts.conftest import wrong_code
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Cây-đa-đầu-làng-1975"
IDENTIFIER = "Số điện thoại, thư điện tử hoặc tên đăng nhập"


@pytest.fixture
def visit(page: Page, live_server, axe_violations):
    """Open a path and check the page; ``check()`` checks whatever page the journey reached."""

    class Visitor:
        def __call__(self, path: str) -> Page:
            page.goto(live_server.url + path)
            self.check()
            return page

        def check(self) -> None:
            expect(page.get_by_role("heading", level=1)).to_have_count(1)
            assert axe_violations(page) == []

    return Visitor()


def heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def sign_in(page: Page, identifier: str, password: str = DEFAULT_PASSWORD) -> None:
    page.get_by_label(IDENTIFIER).fill(identifier)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("main").get_by_role("button", name="Đăng nhập").click()


def test_a_citizen_registers_and_sees_their_profile_and_record(page: Page, visit):
    visit("/accounts/register/")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_role("alert")).to_contain_text("Hãy nhập họ và tên.")
    visit.check()
    page.get_by_role("alert").get_by_role("link", name="Hãy nhập họ và tên.").click()
    expect(page.get_by_label("Họ và tên")).to_be_focused()

    page.get_by_label("Họ và tên").fill("Lê Thị Hoa")
    page.get_by_label("Số định danh cá nhân").fill("001 303 012345")
    page.get_by_label("Thư điện tử").fill("hoa@example.vn")
    page.get_by_label("Số điện thoại di động").fill("+84 912 345 678")
    page.get_by_label("Mật khẩu", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(NEW_PASSWORD)
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Tạo tài khoản").click()

    heading(page, "Tài khoản của bạn")
    expect(page.get_by_text("Tự khai báo")).to_be_visible()
    visit.check()
    page.get_by_role("link", name="Xem hồ sơ cá nhân của bạn").click()
    heading(page, "Hồ sơ cá nhân")
    expect(page.get_by_text("001303012345")).to_be_visible()
    visit.check()


def test_a_citizen_signs_in_with_a_phone_number_and_signs_out(page: Page, visit):
    citizen = UserFactory()
    visit("/accounts/login/")
    sign_in(page, citizen.phone)
    page.get_by_role("banner").get_by_role("link", name=citizen.full_name).click()
    heading(page, "Tài khoản của bạn")
    visit.check()
    page.get_by_role("main").get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Đăng nhập")).to_be_visible()


def test_an_official_enrols_an_authenticator_then_signs_in_again_with_a_backup_code(page: Page, visit):
    official = MembershipFactory().user
    csp_reports: list[str] = []
    page.on(
        "console",
        lambda message: csp_reports.append(message.text) if "Security Policy" in message.text else None,
    )
    visit("/accounts/login/")
    sign_in(page, official.username)

    heading(page, "Cài đặt xác thực hai lớp")
    visit.check()
    secret = page.get_by_label("Không quét được? Nhập khóa bí mật này vào ứng dụng").input_value()
    key = b32decode(secret.replace(" ", ""))
    page.get_by_label("Mã xác thực").fill(f"{totp(key):06d}")
    qr_code = page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực")
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    page.get_by_role("button", name="Xác nhận và bật xác thực hai lớp").click()

    heading(page, "Mã dự phòng")
    visit.check()
    codes = page.get_by_role("main").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    page.get_by_role("link", name="Không gian làm việc").click()
    heading(page, f"Xin chào, {official.full_name}")
    assert csp_reports == []
    visit.check()
    page.get_by_role("banner").get_by_role("button", name="Đăng xuất").click()

    visit("/accounts/login/")
    sign_in(page, official.username)
    heading(page, "Xác thực hai lớp")
    visit.check()
    page.get_by_label("Mã xác thực").fill(wrong_code(key))  # a wrong app code: backup codes stay open
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("alert")).to_contain_text("Mã không đúng")
    visit.check()
    page.get_by_label("Mã xác thực").fill(codes[0])
    page.get_by_role("button", name="Xác nhận").click()
    page.get_by_role("link", name="Không gian làm việc").click()
    heading(page, f"Xin chào, {official.full_name}")
    assert csp_reports == []


def test_five_wrong_passwords_show_an_accessible_lockout_page(page: Page, visit):
    citizen = UserFactory()
    visit("/accounts/login/")
    for _ in range(5):
        sign_in(page, citizen.email, "sai-mật-khẩu")
    heading(page, "Tài khoản tạm thời bị khóa")
    visit.check()


def test_a_citizen_resets_a_forgotten_password_by_email(page: Page, visit, live_server):
    citizen = UserFactory()
    visit("/accounts/login/")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    heading(page, "Quên mật khẩu")
    visit.check()
    page.get_by_label("Thư điện tử").fill(citizen.email)
    page.get_by_role("button", name="Gửi đường dẫn đặt lại mật khẩu").click()
    heading(page, "Hãy kiểm tra hộp thư")
    visit.check()

    link = re.search(r"https?://\S+/accounts/password-reset/\S+/", mail.outbox[0].body)
    assert link is not None
    page.goto(link[0])
    heading(page, "Đặt mật khẩu mới")
    visit.check()
    page.get_by_label("Mật khẩu mới", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    heading(page, "Đã đặt mật khẩu mới")
    visit.check()
    page.get_by_role("main").get_by_role("link", name="Đăng nhập").click()
    sign_in(page, citizen.email, NEW_PASSWORD)
    expect(page.get_by_role("banner").get_by_role("link", name=citizen.full_name)).to_be_visible()
