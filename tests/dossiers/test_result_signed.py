"""A dossier's result issued as a digitally signed outgoing document (issue 6): drafted at the last
step, reviewed, signed by the leader and issued by the clerk through the documents services; the
issue finishes the dossier with the signed PDF, which the citizen downloads and anyone verifies.
Signing uses the dev PKI of tests/signatures: the leader's PKCS#12 key, the agency's seal on
SoftHSM2, RFC 3161 timestamps on loopback."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from egov.accounts.models import AssuranceLevel, User
from egov.documents import services as document_services
from egov.documents.models import DocumentType, OutgoingDocument, OutgoingVersion
from egov.documents.rules import OutgoingStatus
from egov.documents.services.signing import sign_with_server_key
from egov.dossiers import rules, services
from egov.dossiers.models import Dossier, DossierResult
from egov.dossiers.rules import Status
from egov.dossiers.services.result_document import suggested_summary
from egov.organizations.models import Membership, Position, Role
from egov.procedures.models import ProcessStep
from egov.signatures import images, trust
from egov.signatures.models import IssuedFile
from egov.signatures.softhsm import SOFTHSM_MODULE
from egov.signatures.validation import validate_pdf
from tests.documents.conftest import ensure_document_types
from tests.dossiers.conftest import APPLICANT_ID, RESULT_FILE, World, dossier_in, member
from tests.dossiers.test_views_processing import signed_in
from tests.factories import DivisionFactory, PositionFactory, UserFactory
from tests.signing_fixtures import PFX_PIN, TOKEN_LABEL, TOKEN_PIN, render_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tsa_setting")]
SEAL_KEY = "agency:stp-test"


# --- the flow, as the documents and signatures services run it ------------------------------------


def prepare_signing(world: World) -> User:
    """The document types, the leader's position (a signing capacity) and the agency's clerk."""
    ensure_document_types()
    director = PositionFactory(agency=world.agency, title="Giám đốc", kind=Position.Kind.HEAD)
    Membership.objects.filter(user=world.leader, agency=world.agency).update(position=director)
    office = DivisionFactory(agency=world.agency, name="Văn phòng", abbreviation="VP")
    return member(world.agency, Role.CLERK, office, full_name="Lê Thị Văn Thư")


@pytest.fixture
def keys(
    world: World,
    settings: Any,
    pki_files: Any,
    softhsm_key: Any,
    trusted_root: Any,
    signature_png: bytes,
    seal_png: bytes,
) -> None:
    """The leader's key (a PKCS#12 file standing for a USB token) and signature image; the agency's
    seal on SoftHSM2 with its image."""
    settings.EGOV_SIGNING_ALLOW_PKCS12 = True
    chain = [str(pki_files["ica.pem"])]
    settings.EGOV_SIGNING_KEYS = {
        f"official:{world.leader.username}": {
            "kind": "pkcs12",
            "path": str(pki_files["official.p12"]),
            "ca_chain": chain,
        },
        SEAL_KEY: {
            "kind": "pkcs11",
            "module": SOFTHSM_MODULE,
            "token_label": TOKEN_LABEL,
            "key_label": "agency",
            "ca_chain": chain,
        },
    }
    settings.EGOV_SIGNING_KEYS_FILE = ""
    images.set_signature_image(actor=None, user=world.leader, png=signature_png)
    images.set_agency_seal(actor=None, agency=world.agency, png=seal_png, key_name=SEAL_KEY)


def draft(world: World, dossier: Dossier) -> OutgoingDocument:
    return services.draft_result_document(
        dossier=dossier,
        drafter=world.specialist,
        document_type=DocumentType.objects.get(code="quyet-dinh"),
        summary=suggested_summary(dossier),
        upload=render_pdf(1),
        upload_name="ket-qua.pdf",
    )


def submit_to_leader(world: World, clerk: User, document: OutgoingDocument) -> None:
    """Content review, form check, submission for signature (the PDF is frozen with its QR code)."""
    document_services.submit_for_review(drafter=world.specialist, document=document)
    document_services.approve_content(head=world.head, document=document)
    document_services.submit_for_signature(clerk=clerk, document=document, signer=world.leader)


def sign(world: World, document: OutgoingDocument) -> None:
    [outcome] = sign_with_server_key(signer=world.leader, document_ids=[document.pk], pin=PFX_PIN)
    assert outcome.ok, outcome.message


def issue(clerk: User, document: OutgoingDocument) -> OutgoingDocument:
    """The clerk issues it with the agency's seal; the issued file is published for verification."""
    issued = document_services.issue(clerk=clerk, document=document, seal_pin=TOKEN_PIN)
    return OutgoingDocument.objects.select_related("issued_file").get(pk=issued.pk)


def signed_result(world: World, clerk: User, dossier: Dossier) -> OutgoingDocument:
    """The dossier's result drafted, reviewed and signed, waiting for the clerk's issue."""
    document = draft(world, dossier)
    submit_to_leader(world, clerk, document)
    sign(world, document)
    return OutgoingDocument.objects.get(pk=document.pk)


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def citizen_client(**identity: Any) -> Client:
    client = Client()
    client.force_login(UserFactory(assurance_level=AssuranceLevel.VERIFIED, **identity))
    return client


# --- the whole walk -------------------------------------------------------------------------------


def test_the_issued_signed_result_finishes_the_dossier_and_reaches_the_citizen(
    world: World, keys: None
) -> None:
    clerk = prepare_signing(world)
    dossier = dossier_in(world, Status.IN_PROGRESS, True)

    document = draft(world, dossier)
    assert document.origin == f"dossiers:{dossier.code}"
    assert document.agency == world.agency and document.division == world.division
    assert document.summary == f"Cấp phiếu lý lịch tư pháp cho Nguyễn Thị Nộp (hồ sơ {dossier.code})"
    submit_to_leader(world, clerk, document)
    sign(world, document)
    assert fresh(dossier).status == Status.IN_PROGRESS  # signed is not yet issued

    issued = issue(clerk, document)

    # The issue finished the dossier, approved by the signer, with the issued signed PDF.
    dossier = fresh(dossier)
    assert dossier.status == Status.FINISHED
    result = DossierResult.objects.get(dossier=dossier)
    version = document_services.current_pdf(issued)
    assert version is not None
    assert result.result_document == issued and result.issued_by == world.leader
    assert (result.file_name, result.file_sha256) == (version.file_name, version.file_sha256)
    change = dossier.status_changes.get(target=Status.FINISHED)
    assert change.actor == world.leader and issued.notation in change.note
    assert change.details["result_document"] == issued.pk

    # The citizen downloads the signed PDF from "my dossier": the issued bytes, signatures intact.
    citizen = citizen_client(national_id=APPLICANT_ID)
    page = citizen.get(reverse("eservices:dossier", args=[dossier.code]))
    token = issued.issued_file.token if issued.issued_file else ""
    verify_path = reverse("signatures:verify", args=[token])
    assert "Văn bản điện tử có chữ ký số — kiểm tra tại" in page.text
    assert f'href="{verify_path}"' in page.text
    assert f"https://dichvucong.example.gov.vn{verify_path}" in page.text
    response = citizen.get(reverse("eservices:result", args=[dossier.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    downloaded = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert downloaded == stored_bytes(version.file_name)
    assert hashlib.sha256(downloaded).hexdigest() == result.file_sha256
    report = validate_pdf(downloaded, anchors=trust.current_anchors())
    assert report.signatures and all(s.intact and s.modifications_accepted for s in report.signatures)
    assert all(s.trusted for s in report.signatures)
    assert fresh(dossier).status == Status.RETURNED  # the download was the online return

    # Its QR code's page shows the issued file's SHA-256 — the file the citizen holds.
    verify_page = Client().get(verify_path)
    assert verify_page.status_code == 200
    assert IssuedFile.objects.get(token=token).sha256 == result.file_sha256
    assert result.file_sha256 in verify_page.text

    # Scoping: another citizen gets nothing; the officials of the agency get the same file.
    assert citizen_client().get(reverse("eservices:result", args=[dossier.code])).status_code == 404
    official = signed_in(world.desk).get(reverse("dossiers:result_file", args=[dossier.pk]))
    assert b"".join(official.streaming_content) == downloaded  # type: ignore[attr-defined]
    assert (
        signed_in(world.outsider).get(reverse("dossiers:result_file", args=[dossier.pk])).status_code == 404
    )


def test_a_dossier_that_cannot_take_the_result_refuses_the_issue_which_rolls_back(
    world: World, keys: None
) -> None:
    clerk = prepare_signing(world)
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    document = signed_result(world, clerk, dossier)
    services.stop(dossier=dossier, leader=world.leader, reason="Có tranh chấp")

    with pytest.raises(ValidationError) as refused:
        issue(clerk, document)

    assert refused.value.messages == [
        f"Không phát hành được văn bản kết quả của hồ sơ {dossier.code}: hồ sơ đang ở trạng thái "
        "“Dừng giải quyết”; chỉ hồ sơ đang giải quyết mới nhận được kết quả."
    ]
    document.refresh_from_db()
    assert (document.status, document.number, document.notation) == (OutgoingStatus.SIGNED, None, "")
    assert fresh(dossier).status == Status.STOPPED
    assert not DossierResult.objects.filter(dossier=dossier).exists()

    # Resumed, the same document issues and finishes the dossier; the refused number was not used.
    assert not document.versions.filter(kind=OutgoingVersion.Kind.ISSUED).exists()
    services.resume(dossier=dossier, leader=world.leader)
    issued = issue(clerk, document)
    assert issued.number == 1
    assert fresh(dossier).status == Status.FINISHED


# --- the rules around the draft ---------------------------------------------------------------------


def test_the_origin_names_the_dossier_and_the_stage_folds_the_reviews() -> None:
    origin = rules.result_origin("000.00.12.H56-261130-0001")
    assert origin == "dossiers:000.00.12.H56-261130-0001"
    assert rules.code_from_origin(origin) == "000.00.12.H56-261130-0001"
    assert rules.code_from_origin("") is None and rules.code_from_origin("dossiers:") is None
    stages = {status: rules.result_stage(status) for status in OutgoingStatus}
    assert stages == {
        OutgoingStatus.DRAFT: rules.ResultStage.DRAFT,
        OutgoingStatus.CONTENT_REVIEW: rules.ResultStage.DRAFT,
        OutgoingStatus.FORMAT_REVIEW: rules.ResultStage.DRAFT,
        OutgoingStatus.AWAITING_SIGNATURE: rules.ResultStage.AWAITING_SIGNATURE,
        OutgoingStatus.SIGNED: rules.ResultStage.SIGNED,
        OutgoingStatus.ISSUED: rules.ResultStage.ISSUED,
        OutgoingStatus.RECALLED: rules.ResultStage.RECALLED,
    }


def test_the_result_is_drafted_once_at_the_last_step(world: World) -> None:
    prepare_signing(world)
    ProcessStep.objects.filter(pk=world.steps[1].pk).update(order=3)
    between = ProcessStep.objects.create(
        template=world.steps[0].template,
        order=2,
        name="Kiểm tra",
        division_abbreviation="HCTP",
        share_percent=1,
    )
    dossier = dossier_in(world, Status.IN_PROGRESS, True)  # at step 1, a division's check follows

    with pytest.raises(rules.IllegalTransition, match="bước xử lý cuối cùng"):
        draft(world, dossier)

    services.hand_over(dossier=dossier, officer=world.specialist, to_step=between, to_user=world.specialist)
    document = draft(world, fresh(dossier))  # only the leader's approval is left
    with pytest.raises(ValidationError, match="Hồ sơ đã có văn bản kết quả"):
        draft(world, fresh(dossier))
    assert OutgoingDocument.objects.filter(origin=document.origin).count() == 1


def test_a_result_is_drafted_only_for_a_dossier_in_progress_by_its_processing_officials(
    world: World,
) -> None:
    prepare_signing(world)
    accepted = dossier_in(world, Status.ACCEPTED, True)
    with pytest.raises(rules.IllegalTransition, match="đang giải quyết"):
        draft(world, accepted)
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    with pytest.raises(Exception, match="quyền"):
        services.draft_result_document(
            dossier=dossier,
            drafter=world.outsider,
            document_type=DocumentType.objects.get(code="quyet-dinh"),
            summary="Kết quả",
            upload=render_pdf(1),
            upload_name="ket-qua.pdf",
        )
    assert not OutgoingDocument.objects.exists()


def test_a_paper_result_cannot_overtake_a_result_document_in_signature(world: World) -> None:
    clerk = prepare_signing(world)
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    document = draft(world, dossier)
    submit_to_leader(world, clerk, document)

    with pytest.raises(rules.IllegalTransition, match="Chờ ký"):
        services.finish(dossier=dossier, leader=world.leader, result_file=RESULT_FILE)
    assert fresh(dossier).status == Status.IN_PROGRESS


def test_an_issued_document_without_a_dossier_origin_changes_no_dossier(world: World) -> None:
    prepare_signing(world)
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    document = document_services.create_draft(
        drafter=world.specialist,
        division=world.division,
        document_type=DocumentType.objects.get(code="quyet-dinh"),
        summary="Quyết định khác",
        upload=render_pdf(1),
        upload_name="khac.pdf",
    )
    assert services.finish_with_document(document=document, version=None) is None
    assert fresh(dossier).status == Status.IN_PROGRESS


# --- the screens ------------------------------------------------------------------------------------


def test_the_processing_page_drafts_the_result_document_and_follows_it(world: World) -> None:
    clerk = prepare_signing(world)
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    specialist = signed_in(world.specialist)
    detail = reverse("dossiers:detail", args=[dossier.pk])

    page = specialist.get(detail)
    offered = {item["action"].slug: item["form"] for item in page.context["actions"]}
    form = offered["du-thao-ket-qua"]
    assert form["summary"].value() == suggested_summary(dossier)
    assert "Dự thảo văn bản kết quả" in page.text

    response = specialist.post(
        reverse("dossiers:act", args=[dossier.pk, "du-thao-ket-qua"]),
        {
            "du-thao-ket-qua-state": form["state"].value(),
            "du-thao-ket-qua-document_type": DocumentType.objects.get(code="quyet-dinh").pk,
            "du-thao-ket-qua-summary": "Cấp phiếu lý lịch tư pháp cho Nguyễn Thị Nộp",
            "du-thao-ket-qua-draft_file": SimpleUploadedFile(
                "quyet-dinh.pdf", render_pdf(1), content_type="application/pdf"
            ),
        },
    )
    assert response.status_code == 302
    document = OutgoingDocument.objects.get(origin=f"dossiers:{dossier.code}")
    assert document.document_type.code == "quyet-dinh" and document.drafter == world.specialist

    page = specialist.get(detail)
    assert "du-thao-ket-qua" not in {item["action"].slug for item in page.context["actions"]}
    state = page.context["result_document"]
    assert (state.label, state.url) == ("Dự thảo", reverse("documents:outgoing_detail", args=[document.pk]))
    assert f'href="{state.url}"' in page.text

    # In the leader's hands: "Chờ ký", and no paper approval beside it; the desk sees no link.
    submit_to_leader(world, clerk, document)
    leader_page = signed_in(world.leader).get(detail)
    assert leader_page.context["result_document"].label == "Chờ ký"
    assert "phe-duyet" not in {item["action"].slug for item in leader_page.context["actions"]}
    desk_page = signed_in(world.desk).get(detail)
    assert desk_page.context["result_document"].url == ""


def test_the_draft_form_asks_for_a_file_or_a_composed_body(world: World) -> None:
    prepare_signing(world)
    dossier = dossier_in(world, Status.IN_PROGRESS, True)
    specialist = signed_in(world.specialist)
    page = specialist.get(reverse("dossiers:detail", args=[dossier.pk]))
    state = next(
        i["form"]["state"].value() for i in page.context["actions"] if i["action"].slug == "du-thao-ket-qua"
    )
    url = reverse("dossiers:act", args=[dossier.pk, "du-thao-ket-qua"])
    data = {
        "du-thao-ket-qua-state": state,
        "du-thao-ket-qua-document_type": DocumentType.objects.get(code="cong-van").pk,
        "du-thao-ket-qua-summary": "Trả lời ông/bà Nguyễn Thị Nộp",
    }

    missing = specialist.post(url, data)
    assert missing.status_code == 400
    assert "Tải lên tệp dự thảo hoặc nhập nội dung" in missing.text

    composed = specialist.post(
        url,
        data | {"du-thao-ket-qua-body": "Sở Tư pháp trả lời như sau.", "du-thao-ket-qua-place": "Thanh Hóa"},
    )
    assert composed.status_code == 302
    document = OutgoingDocument.objects.get(origin=f"dossiers:{dossier.code}")
    assert document.composed["addressees"] == "Nguyễn Thị Nộp"
