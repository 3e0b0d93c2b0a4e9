"""The UI shell: Vietnamese error pages, security headers, health, language switching."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from egov.config import urls as project_urls

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("deliberate failure")


urlpatterns = [*project_urls.urlpatterns, path("boom/", boom)]
handler500 = project_urls.handler500


def test_home_page_is_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert "Bỏ qua, đến nội dung chính" in response.text


def test_unknown_page_gives_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_gives_a_vietnamese_500_without_details():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Hệ thống đang gặp sự cố" in response.text
    assert "deliberate failure" not in response.text


def test_a_citizen_on_the_workspace_gets_a_vietnamese_403(client, django_user_model):
    citizen = django_user_model.objects.create_user(username="dan", password="x" * 12)
    client.force_login(citizen)
    response = client.get("/workspace/")
    assert response.status_code == 403
    assert "Bạn không có quyền truy cập trang này" in response.text


def test_pages_carry_a_strict_csp_and_hardening_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_page_refers_to_another_host(client):
    body = client.get("/").text
    assert "http://" not in body.replace("http://testserver", "")
    assert "https://" not in body


def test_health_reports_the_database(client):
    data = client.get("/health").json()
    assert data["status"] == "ok"
    assert data["database"] in {"sqlite", "postgresql"}


def test_switching_to_english_translates_the_shell(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en">' in response.text
    assert "Skip to main content" in response.text


def test_an_english_browser_still_gets_vietnamese_until_the_visitor_chooses(client):
    response = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in response.text
