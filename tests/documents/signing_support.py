"""What the signing tests of outgoing documents share: the dev PKI fixtures of tests/signatures
(imported, not copied), the leader's signature image and server-held key, documents walked to
"awaiting signature", the signing agent on SoftHSM2, and word positions read with pdftotext."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from egov.accounts.models import User
from egov.core import clock
from egov.documents import services
from egov.documents.models import OutgoingDocument
from egov.signatures.models import SignatureImage
from signing_agent.client import AgentClient
from tests.documents.conftest import World, composed_draft, doc_type
from tests.signing_agent.conftest import spawn_agent, stop_agent
from tests.signing_fixtures import PFX_PIN, SOFTHSM_MODULE, TOKEN_LABEL, pdfsig, render_pdf

AGENT_PIN_VARIABLE = "EGOV_TEST_AGENT_PIN"


__all__ = ["PFX_PIN", "pdfsig"]


@pytest.fixture
def signing_settings(settings: Any, dev_pki: Any) -> None:
    """The dev PKI's timestamp server and the public address printed in the QR code."""
    settings.EGOV_TSA_URL = dev_pki.tsa_url
    settings.EGOV_SIGNATURE_LEVEL = "B-T"
    settings.EGOV_PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"


def give_signature_image(user: User, image: bytes) -> None:
    SignatureImage.objects.update_or_create(user=user, defaults={"png": image, "updated_at": clock.now()})


def configure_server_key(settings: Any, user: User, pki_files: dict[str, Path]) -> None:
    """``official:<username>`` → the dev PKI's official PKCS#12 file (the demo's server-held key)."""
    settings.EGOV_SIGNING_ALLOW_PKCS12 = True
    settings.EGOV_SIGNING_KEYS = {
        f"official:{user.username}": {
            "kind": "pkcs12",
            "path": str(pki_files["official.p12"]),
            "ca_chain": [str(pki_files["ica.pem"])],
        }
    }


def awaiting(w: World, count: int = 1, **overrides: Any) -> list[OutgoingDocument]:
    """``count`` composed drafts reviewed and submitted to the leader for signature."""
    documents = []
    for index in range(count):
        document = composed_draft(
            w, summary=f"Trả lời về kế hoạch chuyển đổi số, văn bản {index + 1}", **overrides
        )
        services.submit_for_review(drafter=w.specialist, document=document)
        services.approve_content(head=w.head, document=document)
        documents.append(services.submit_for_signature(clerk=w.clerk, document=document, signer=w.leader))
    return documents


def uploaded_in_format_review(w: World) -> OutgoingDocument:
    """A two-page uploaded decision, its content approved: the clerk may pick its signing places."""
    document = services.create_draft(
        drafter=w.specialist,
        division=w.division,
        document_type=doc_type("quyet-dinh"),
        summary="Quyết định ban hành quy chế",
        upload=render_pdf(pages=2),
        upload_name="quyet-dinh.pdf",
    )
    services.submit_for_review(drafter=w.specialist, document=document)
    return services.approve_content(head=w.head, document=document)


# --- the signing agent on the official's computer (SoftHSM2 token) ------------------------------


@dataclass
class Agent:
    process: Any
    port: int
    origin: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> AgentClient:
        return AgentClient(self.url, origin=self.origin)


def start_agent(origin: str, log_folder: Path) -> Agent:
    """``python -m signing_agent`` on the token of ``softhsm_key`` (dev PKI certificate), PIN from
    the test-only variable, allowing ``origin``."""
    env = {**os.environ, AGENT_PIN_VARIABLE: "1234", "SIGNING_AGENT_TEST_APPROVE": "yes"}
    args = [
        sys.executable, "-m", "signing_agent", "--module", SOFTHSM_MODULE, "--token-label", TOKEN_LABEL,
        "--allowed-origin", origin, "--port", "0", "--log-file", str(log_folder / "agent.log"),
        "--test-only-pin-from-env", AGENT_PIN_VARIABLE, "--rate", "1000",
    ]  # fmt: skip
    process, port = spawn_agent(args, env)
    return Agent(process=process, port=port, origin=origin)


@pytest.fixture
def agent_factory(softhsm_key: Any, tmp_path: Path) -> Iterator[Any]:
    started: list[Agent] = []

    def start(origin: str) -> Agent:
        agent = start_agent(origin, tmp_path)
        started.append(agent)
        return agent

    yield start
    for agent in started:
        stop_agent(agent.process)


# --- where words are on a page -----------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str
    page: int
    x1: float
    y1: float  # from the bottom of the page, like PDF boxes
    x2: float
    y2: float


def words(pdf: bytes, tmp_path: Path) -> list[Word]:
    """Every word with its box in PDF points (origin bottom left), from ``pdftotext -bbox``."""
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    result: list[Word] = []
    for page_index, page in enumerate(
        re.findall(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', out, re.S)
    ):
        height = float(page[0])
        for x1, y1, x2, y2, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page[1]
        ):
            result.append(
                Word(text, page_index, float(x1), height - float(y2), float(x2), height - float(y1))
            )
    return result


def field_boxes(pdf: bytes) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """Form and signature fields of a PDF: name → (page index, rectangle in points)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    boxes = {}
    for index, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            name = annotation.get("/T") or annotation.get("/Parent", {}).get("/T")
            if name:
                x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
                boxes[str(name)] = (index, (x1, y1, x2, y2))
    return boxes
