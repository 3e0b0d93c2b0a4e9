"""Helpers shared by the dossier browser tests: signing an official in, opening an action's form,
reading a downloaded PDF."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page

from egov.accounts.models import User
from tests.dossiers.conftest import VN


def sign_in_as(page: Page, live_server: Any, user: User) -> None:
    """Put a session past both factors into the browser (the sign-in pages have their own tests)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="authenticator", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


def open_action(page: Page, title: str) -> Any:
    """Open the action's disclosure and return its form (named after the action)."""
    page.locator("summary", has_text=title).click()
    return page.get_by_role("form", name=title)


def downloaded_pdf_text(page: Page, url: str, folder: Path) -> str:
    """GET ``url`` with the browser's session, check it is a PDF and return its text (NFC, one
    space between words)."""
    response = page.context.request.get(url)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    path = folder / "downloaded.pdf"
    path.write_bytes(response.body())
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return " ".join(unicodedata.normalize("NFC", text.stdout.decode()).split())


def printed_appointment(due: datetime) -> str:
    """How the receipt (form 01) writes its appointment."""
    due = due.astimezone(VN)
    return f"{due:%H} giờ {due:%M} phút, ngày {due.day:02d} tháng {due.month:02d} năm {due.year}"
