"""Issue 6's "Done when" as one story in real Chromium, each page checked with axe-core: a leader
batch-signs three outgoing documents with a SoftHSM2 key through the real signing agent (started
for egov's origin only, one PIN entry on the agent's side), the clerk numbers and seals each one in
the browser with the agency's seal on SoftHSM2, and the recipient agency's clerk opens each copy
delivered on arrival and sees "Chữ ký số hợp lệ". Then every issued file, downloaded through the
recipient's page, is checked by poppler's ``pdfsig`` (NSS database trusting the test root): each
signature valid and its chain found, agreeing with egov's own report; the verification link
printed in the PDF (beside its QR code) opens the public page showing the file's SHA-256; and one
byte flipped inside a signed range is reported broken by both egov and pdfsig.

The citizen's part of that paragraph (downloading a signed dossier result whose QR code opens the
verification page) is tests/dossiers/test_result_signed_browser.py; issue 5's story, signed with
a server-held key, is test_browser.py."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils.csp import CSP
from playwright.sync_api import Page, expect
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.documents.models import IncomingDocument, OutgoingDocument, OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services.outgoing import read_version
from egov.signatures import images, pades
from egov.signatures.softhsm import SOFTHSM_MODULE
from egov.signatures.trust import current_anchors
from egov.signatures.validation import FileReport, validate_pdf
from tests.documents.conftest import World, build_world
from tests.documents.signing_support import awaiting, give_signature_image, pdfsig
from tests.dossiers.browser_support import sign_in_as
from tests.signing_fixtures import TOKEN_LABEL, TOKEN_PIN, PdfsigSignature

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("signing_settings", "trusted_root"),
]
SEAL_KEY = "agency:stp-softhsm"


def seal_on_softhsm(settings: Any, world: World, softhsm_key: Any, seal_png: bytes) -> None:
    """The agency's seal: its image and the key on the SoftHSM2 token (the server's HSM)."""
    settings.EGOV_SIGNING_KEYS = {
        SEAL_KEY: {
            "kind": "pkcs11",
            "module": SOFTHSM_MODULE,
            "token_label": TOKEN_LABEL,
            "key_label": softhsm_key.key_label,
            "ca_chain": [str(path) for path in softhsm_key.ca_chain],
        }
    }
    settings.EGOV_SIGNING_KEYS_FILE = ""
    images.set_agency_seal(actor=None, agency=world.agency, png=seal_png, key_name=SEAL_KEY)


def batch_sign_with_the_agent(page: Page, live_server: Any, axe_violations: Any, world: World) -> None:
    sign_in_as(page, live_server, world.leader)
    page.goto(live_server.url + reverse("documents:signing_list"))
    panel = page.get_by_role("region", name="Ký bằng USB token (chứng thư số cá nhân)")
    expect(panel.get_by_role("status")).to_contain_text("Đã kết nối USB token")
    assert axe_violations(page) == []
    page.get_by_role("checkbox", name="Chọn tất cả văn bản trên trang").check()
    panel.get_by_role("button", name="Ký số bằng USB token").click()
    expect(panel.get_by_role("status")).to_contain_text("Hoàn tất: đã ký 3/3 văn bản.", timeout=60_000)
    expect(panel.get_by_role("progressbar", name="Tiến độ ký")).to_have_attribute("value", "3")
    assert axe_violations(page) == []


def seal_and_issue(page: Page, live_server: Any, axe_violations: Any, document: OutgoingDocument) -> str:
    """The clerk issues ``document`` from its page with the seal's PIN; returns the notation."""
    page.goto(live_server.url + reverse("documents:outgoing_detail", args=[document.pk]))
    form = page.get_by_role("form", name="Cấp số, đóng dấu số và phát hành")
    form.get_by_label("Mã PIN con dấu số của cơ quan").fill(TOKEN_PIN)
    form.get_by_role("button", name="Cấp số, đóng dấu và phát hành").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Đã phát hành văn bản số")
    expect(status).to_contain_text("đóng dấu số")
    assert axe_violations(page) == []
    match = re.search(r"\d{2}/STP-HCTP", status.inner_text())
    assert match, status.inner_text()
    return match.group(0)


def open_delivered_copy(page: Page, live_server: Any, axe_violations: Any, notation: str) -> bytes:
    """The recipient's clerk opens the copy from their list, sees its signatures valid and
    downloads its PDF through the page's link."""
    page.goto(live_server.url + reverse("documents:home") + "?tab=to_submit")
    page.get_by_role("link", name=notation).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Văn bản đến {notation}")
    expect(page.get_by_text("Chữ ký số hợp lệ", exact=True)).to_be_visible()
    report = page.get_by_role("region", name="Kết quả kiểm tra chữ ký số khi nhận")
    expect(report).to_contain_text("Tất cả chữ ký số hợp lệ.")
    assert axe_violations(page) == []
    href = page.get_by_role("link", name="Xem bản PDF").get_attribute("href")
    response = page.context.request.get(live_server.url + str(href))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    return response.body()


def assert_agree(egov: FileReport, independent: list[PdfsigSignature]) -> None:
    """pdfsig sees the same signatures, in the same order, with the same integrity and trust."""
    assert [c.field for c in independent] == [s.field_name for s in egov.signatures]
    for mine, theirs in zip(egov.signatures, independent, strict=True):
        assert theirs.signature_valid == mine.intact and theirs.digest_mismatch == (not mine.intact)
        assert theirs.issuer_known == mine.trusted


def verification_path(pdf: bytes, folder: Path) -> str:
    """The verification link printed on page 1 beside the QR code (what the QR encodes)."""
    path = folder / "issued.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = re.search(
        r"https://dichvucong\.example\.gov\.vn(/ky-so/x/[A-Za-z0-9_-]+/)", "".join(text.split())
    )
    assert match, text
    return match.group(1)


def flip_a_signed_byte(pdf: bytes) -> bytes:
    """One byte changed inside the page content of the first revision, which every signature covers."""
    reader = PdfFileReader(io.BytesIO(pdf))
    first_range_end = reader.embedded_signatures[0].byte_range[1]
    start = pdf.index(b"stream", pdf.index(b"/Contents")) + len(b"stream\n") + 20
    assert start < first_range_end
    altered = bytearray(pdf)
    altered[start] ^= 0x01
    return bytes(altered)


def test_batch_signed_with_the_usb_token_sealed_delivered_valid_and_pdfsig_agrees(
    page: Page,
    live_server: Any,
    axe_violations: Any,
    settings: Any,
    agent_factory: Any,
    softhsm_key: Any,
    signature_png: bytes,
    seal_png: bytes,
    nss_db: str,
    tmp_path: Path,
) -> None:
    world = build_world()
    give_signature_image(world.leader, signature_png)
    seal_on_softhsm(settings, world, softhsm_key, seal_png)
    documents = awaiting(world, 3)
    agent = agent_factory(live_server.url)  # the agent accepts egov's origin only
    settings.EGOV_SIGNING_AGENT_URL = agent.url
    settings.SECURE_CSP = {**settings.SECURE_CSP, "connect-src": [CSP.SELF, agent.url]}

    # The leader signs the three in one action through the agent and its SoftHSM2 token.
    batch_sign_with_the_agent(page, live_server, axe_violations, world)
    assert {d.status for d in OutgoingDocument.objects.all()} == {OutgoingStatus.SIGNED}

    # The clerk numbers and seals each one in the browser.
    sign_in_as(page, live_server, world.clerk)
    notations = [seal_and_issue(page, live_server, axe_violations, d) for d in documents]
    assert sorted(notations) == ["01/STP-HCTP", "02/STP-HCTP", "03/STP-HCTP"]

    # The recipient agency's clerk opens each delivered copy: valid on arrival; downloads it.
    sign_in_as(page, live_server, world.other_clerk)
    delivered = {n: open_delivered_copy(page, live_server, axe_violations, n) for n in notations}

    for document in OutgoingDocument.objects.filter(pk__in=[d.pk for d in documents]):
        final = document.versions.get(kind=OutgoingVersion.Kind.ISSUED)
        pdf = delivered[document.notation]
        assert pdf == read_version(final)  # the recipient holds exactly the issued file
        assert IncomingDocument.objects.get(source_outgoing=document).signature_status == "valid"

        # Independent check: pdfsig agrees with egov on every signature.
        report = validate_pdf(pdf, anchors=current_anchors())
        assert report.ok, report.as_json()
        assert [s.field_name for s in report.signatures] == [pades.SIGNER_FIELD, pades.AGENCY_FIELD]
        checked = pdfsig(pdf, nss_db, tmp_path)
        assert all(c.signature_valid and c.issuer_known for c in checked)
        assert_agree(report, checked)

        # The printed verification link opens the public page with this file's SHA-256.
        page.context.clear_cookies()  # anyone, signed in or not
        page.goto(live_server.url + verification_path(pdf, tmp_path))
        expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực văn bản điện tử")
        expect(page.get_by_role("main")).to_contain_text(document.notation)
        expect(page.get_by_role("main")).to_contain_text(hashlib.sha256(pdf).hexdigest())
        published = page.get_by_role("region", name="Chữ ký số của tệp ban hành")
        expect(published).to_contain_text("Tất cả chữ ký số hợp lệ.")
        assert axe_violations(page) == []

    # One byte flipped inside a signed range: both egov and pdfsig say the file is broken.
    broken = flip_a_signed_byte(delivered[notations[0]])
    report = validate_pdf(broken, anchors=current_anchors())
    assert not report.ok and not any(s.intact for s in report.signatures), report.as_json()
    checked = pdfsig(broken, nss_db, tmp_path)
    assert len(checked) == 2 and all(c.digest_mismatch and not c.signature_valid for c in checked)
    assert [c.signature_valid for c in checked] == [s.intact for s in report.signatures]
