"""egov's half of signing with an official's USB token through the signing agent
(``python -m signing_agent``, docs/signing-agent.md): prepare on the server, the agent signs the
digest with the token (SoftHSM2 here), egov checks and embeds the value with its timestamp."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from egov.signatures import official_keys, pades, services
from egov.signatures.trust import current_anchors
from egov.signatures.validation import validate_pdf
from signing_agent.client import AgentClient
from tests.signatures.conftest import LAYOUT, SOFTHSM_MODULE, TOKEN_LABEL, pdfsig
from tests.signing_agent.conftest import spawn_agent, stop_agent

ORIGIN = "https://dichvucong.example.gov.vn"
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def agent(softhsm_key: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentClient]:
    env = {**os.environ, "EGOV_TEST_AGENT_PIN": "1234", "SIGNING_AGENT_TEST_APPROVE": "yes"}
    log_file = tmp_path_factory.mktemp("agent") / "agent.log"
    args = [
        sys.executable, "-m", "signing_agent", "--module", SOFTHSM_MODULE, "--token-label", TOKEN_LABEL,
        "--allowed-origin", ORIGIN, "--port", "0", "--log-file", str(log_file),
        "--test-only-pin-from-env", "EGOV_TEST_AGENT_PIN",
    ]  # fmt: skip
    process, port = spawn_agent(args, env)
    yield AgentClient(f"http://127.0.0.1:{port}", origin=ORIGIN)
    stop_agent(process)


def _certificate(agent: AgentClient) -> tuple[bytes, int]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    status = agent.status()
    assert status.status == 200, status.body
    described = next(c for c in status.body["certificates"] if not c["is_ca"])
    cert = x509.load_pem_x509_certificate(described["pem"].encode())
    return cert.public_bytes(serialization.Encoding.DER), cert.serial_number


def _begin(agent: AgentClient, leader: Any, draft_pdf: bytes, signature_png: bytes) -> tuple[str, bytes, int]:
    """Freeze the draft and start signing it with the agent's certificate: (pending id, to sign, serial)."""
    certificate, serial = _certificate(agent)
    frozen = services.freeze_document(actor=leader.user, agency=leader.agency, pdf=draft_pdf, layout=LAYOUT)
    pending_id, to_sign = official_keys.begin_agent_signing(
        actor=leader.user,
        agency=leader.agency,
        pdf=frozen.pdf,
        certificate=certificate,
        signature_image=signature_png,
    )
    return pending_id, to_sign, serial


def test_a_leader_signs_through_the_agent_and_both_validators_agree(
    agent, leader, draft_pdf, signature_png, trusted_root, nss_db, tmp_path
):
    pending_id, to_sign, serial = _begin(agent, leader, draft_pdf, signature_png)
    answer = agent.sign(
        request_id=secrets.token_hex(8),
        digest=hashlib.sha256(to_sign).digest(),
        certificate_serial=serial,
        title="Quy chế",
    )
    assert answer.status == 200, answer.body

    pdf = official_keys.finish_agent_signing(
        actor=leader.user,
        agency=leader.agency,
        pending_id=pending_id,
        signature_value=base64.b64decode(answer.body["signature"]),
    )

    report = validate_pdf(pdf, anchors=current_anchors())
    assert report.ok, report.as_json()
    assert report.signatures[0].field_name == pades.SIGNER_FIELD and report.signatures[0].timestamp == "valid"
    signed_field, _empty_agency_field = pdfsig(pdf, nss_db, tmp_path)
    assert signed_field.field == pades.SIGNER_FIELD
    assert signed_field.signature_valid and signed_field.issuer_known


def test_a_signature_over_something_else_is_refused(agent, leader, draft_pdf, signature_png, trusted_root):
    pending_id, _to_sign, serial = _begin(agent, leader, draft_pdf, signature_png)
    answer = agent.sign(
        request_id=secrets.token_hex(8),
        digest=hashlib.sha256(b"other").digest(),
        certificate_serial=serial,
        title="x",
    )
    with pytest.raises(pades.PdfProblem, match="không khớp"):
        official_keys.finish_agent_signing(
            actor=leader.user,
            agency=leader.agency,
            pending_id=pending_id,
            signature_value=base64.b64decode(answer.body["signature"]),
        )


def test_another_user_cannot_finish_someone_elses_signing(
    leader, draft_pdf, signature_png, trusted_root, dev_pki
):
    from egov.organizations.models import Role
    from tests.factories import MembershipFactory

    frozen = services.freeze_document(actor=leader.user, agency=leader.agency, pdf=draft_pdf, layout=LAYOUT)
    pending_id, _ = official_keys.begin_agent_signing(
        actor=leader.user,
        agency=leader.agency,
        pdf=frozen.pdf,
        certificate=dev_pki.cert_der("agency"),
        signature_image=signature_png,
    )
    deputy = MembershipFactory(role=Role.AGENCY_LEADER, agency=leader.agency)
    with pytest.raises(pades.PdfProblem, match="hết hạn"):
        official_keys.finish_agent_signing(
            actor=deputy.user, agency=leader.agency, pending_id=pending_id, signature_value=b"x" * 256
        )
