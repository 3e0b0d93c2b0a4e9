"""Signing outgoing documents with the official's USB token, end to end with the real signing agent
(``python -m signing_agent``) on a SoftHSM2 token holding the dev PKI's certificate: egov prepares
each frozen PDF, the agent signs all digests with one PIN entry (``/v1/sign-batch``), egov embeds
the values and records the signed PDFs. Also through the JSON endpoints the page script calls."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from egov.documents.models import OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services import signing
from egov.documents.services.outgoing import read_version
from egov.signatures import pades
from egov.signatures.trust import current_anchors
from egov.signatures.validation import validate_pdf
from signing_agent.client import AgentClient, AgentResponse
from tests.documents.signing_support import awaiting, give_signature_image, pdfsig
from tests.documents.test_views import signed_in

ORIGIN = "https://dichvucong.example.gov.vn"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_settings")]


def _certificate(client: AgentClient) -> dict[str, Any]:
    status = client.status()
    assert status.status == 200, status.body
    assert status.body["token"]["present"]
    return next(c for c in status.body["certificates"] if not c["is_ca"])


def _sign_batch(
    client: AgentClient, certificate: dict[str, Any], prepared: list[dict[str, Any]]
) -> AgentResponse:
    answer = client.sign_batch(
        request_id=secrets.token_hex(12),
        documents=[(p["item_id"], base64.b64decode(p["digest"]), p["label"][:300]) for p in prepared],
        certificate_serial=int(certificate["serial"], 16),
    )
    assert answer.status == 200, answer.body
    return answer


def test_the_leader_signs_three_documents_through_the_agent_with_one_pin(
    world, agent_factory, signature_png, trusted_root, nss_db, tmp_path
):
    give_signature_image(world.leader, signature_png)
    documents = awaiting(world, 3)
    client = agent_factory(ORIGIN).client()
    certificate = _certificate(client)

    prepared, refused = signing.begin_with_agent(
        signer=world.leader, document_ids=[d.pk for d in documents], certificate_pem=certificate["pem"]
    )
    assert refused == [] and [p.document_id for p in prepared] == [d.pk for d in documents]
    answer = _sign_batch(client, certificate, [p.as_json() for p in prepared])
    assert [r["status"] for r in answer.body["results"]] == ["signed"] * 3

    for item, result in zip(prepared, answer.body["results"], strict=True):
        outcome = signing.finish_with_agent(
            signer=world.leader,
            document_id=item.document_id,
            pending_id=item.pending_id,
            signature_value=base64.b64decode(result["signature"]),
        )
        assert outcome.ok, outcome.message
    for document in documents:
        document.refresh_from_db()
        assert document.status == OutgoingStatus.SIGNED
        signed = read_version(document.versions.get(kind=OutgoingVersion.Kind.SIGNED))
        report = validate_pdf(signed, anchors=current_anchors())
        assert report.ok and report.signatures[0].field_name == pades.SIGNER_FIELD, report.as_json()
        checked, _agency_field = pdfsig(signed, nss_db, tmp_path)
        assert checked.signature_valid and checked.issuer_known

    # The same answer posted again (double submit): reported, nothing recorded twice.
    again = signing.finish_with_agent(
        signer=world.leader,
        document_id=prepared[0].document_id,
        pending_id=prepared[0].pending_id,
        signature_value=base64.b64decode(answer.body["results"][0]["signature"]),
    )
    assert not again.ok and "đã được ký trước đó" in again.message


def _csrf_client(user: Any) -> tuple[Client, str]:
    client = signed_in(user)
    client.handler.enforce_csrf_checks = True  # as a browser: the token is required
    client.get(reverse("documents:signing_list"))
    return client, client.cookies["csrftoken"].value


def test_the_page_endpoints_are_csrf_protected_scoped_and_finish_each_document(
    world, agent_factory, signature_png, trusted_root
):
    give_signature_image(world.leader, signature_png)
    first, second = awaiting(world, 2)
    client = agent_factory(ORIGIN).client()
    certificate = _certificate(client)
    browser, token = _csrf_client(world.leader)
    begin_url = reverse("documents:signing_agent_begin")
    finish_url = reverse("documents:signing_agent_finish")
    body = {"documents": [first.pk, second.pk], "certificate": certificate["pem"]}

    assert browser.post(begin_url, body, content_type="application/json").status_code == 403  # no token
    begun = browser.post(begin_url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert begun.status_code == 200
    prepared = begun.json()["prepared"]
    answer = _sign_batch(client, certificate, prepared)

    # Another leader cannot finish the leader's documents (and learns nothing about them).
    deputy, deputy_token = _csrf_client(world.deputy)
    result = answer.body["results"][0]
    stolen = deputy.post(
        finish_url,
        {"document": first.pk, "pending_id": prepared[0]["pending_id"], "signature": result["signature"]},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=deputy_token,
    ).json()
    assert not stolen["ok"] and "Không có văn bản này" in stolen["message"]

    for item, result in zip(prepared, answer.body["results"], strict=True):
        finished = browser.post(
            finish_url,
            {"document": item["id"], "pending_id": item["pending_id"], "signature": result["signature"]},
            content_type="application/json",
            HTTP_X_CSRFTOKEN=token,
        ).json()
        assert finished == {"id": item["id"], "label": item["label"], "ok": True, "message": "Đã ký"}
    first.refresh_from_db()
    assert first.status == OutgoingStatus.SIGNED
    bad = browser.post(finish_url, {"document": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert bad.status_code == 400 and "không hợp lệ" in bad.json()["error"]
