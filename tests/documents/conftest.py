"""A small world for official documents: two agencies of one instance with their clerks, leaders,
division heads and specialists, and helpers that build PDFs and walk documents through the services."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from egov.accounts.models import User
from egov.documents import services
from egov.documents.models import DocumentType, IncomingDocument, OutgoingDocument
from egov.documents.types_data import load_types
from egov.organizations.models import Agency, Division, Position, Role
from tests.factories import (
    AgencyFactory,
    DivisionFactory,
    MembershipFactory,
    OfficialFactory,
    PositionFactory,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


def pdf_bytes(text: str = "") -> bytes:
    """A one-page PDF; with ``text`` (ASCII) a text layer pdftotext can read."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    if text:
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@dataclass
class World:
    agency: Agency
    other: Agency
    office: Division
    division: Division
    other_division: Division
    clerk: User
    leader: User
    deputy: User
    head: User
    specialist: User
    colleague: User
    other_clerk: User
    other_leader: User
    outsider: User


def member(
    agency: Agency, role: str, division: Division | None = None, position: Position | None = None, **user: Any
) -> User:
    official = OfficialFactory(**user)
    MembershipFactory(user=official, agency=agency, role=role, division=division, position=position)
    return official


def ensure_document_types() -> None:
    """The types of migration 0002 again: a transactional test's flush empties the table."""
    load_types(DocumentType)


def build_world() -> World:
    ensure_document_types()
    agency = AgencyFactory(name="Sở Tư pháp", abbreviation="STP")
    other = AgencyFactory(name="Sở Nội vụ", abbreviation="SNV")
    office = DivisionFactory(agency=agency, name="Văn phòng", abbreviation="VP")
    division = DivisionFactory(agency=agency, name="Phòng Hành chính tư pháp", abbreviation="HCTP")
    other_division = DivisionFactory(agency=other, name="Văn phòng", abbreviation="VP")
    director = PositionFactory(agency=agency, title="Giám đốc", kind=Position.Kind.HEAD)
    vice = PositionFactory(agency=agency, title="Phó Giám đốc", kind=Position.Kind.DEPUTY)
    other_director = PositionFactory(agency=other, title="Giám đốc", kind=Position.Kind.HEAD)
    return World(
        agency=agency,
        other=other,
        office=office,
        division=division,
        other_division=other_division,
        clerk=member(agency, Role.CLERK, office, full_name="Lê Thị Văn Thư"),
        leader=member(agency, Role.AGENCY_LEADER, None, director, full_name="Nguyễn Văn Giám Đốc"),
        deputy=member(agency, Role.AGENCY_LEADER, None, vice, full_name="Trần Phó Giám Đốc"),
        head=member(agency, Role.DIVISION_HEAD, division, full_name="Phạm Trưởng Phòng"),
        specialist=member(agency, Role.SPECIALIST, division, full_name="Đỗ Chuyên Viên"),
        colleague=member(agency, Role.SPECIALIST, division, full_name="Võ Đồng Nghiệp"),
        other_clerk=member(other, Role.CLERK, other_division, full_name="Văn Thư Sở Nội Vụ"),
        other_leader=member(other, Role.AGENCY_LEADER, None, other_director, full_name="Giám Đốc Sở Nội Vụ"),
        outsider=member(other, Role.SPECIALIST, other_division),
    )


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def doc_type(code: str) -> DocumentType:
    return DocumentType.objects.get(code=code)


def incoming_data(**overrides: Any) -> services.IncomingData:
    values: dict[str, Any] = {
        "issuer_name": "Ủy ban nhân dân tỉnh Cà Mau",
        "notation": "125/KH-UBND",
        "issued_on": date(2026, 11, 20),
        "document_type": doc_type("ke-hoach"),
        "summary": "Kế hoạch chuyển đổi số năm 2027 của tỉnh",
        "deadline": date(2026, 12, 10),
    }
    values.update(overrides)
    return services.IncomingData(**values)


def register(w: World, *, scan: bytes | None = None, **overrides: Any) -> IncomingDocument:
    return services.register_incoming(
        clerk=w.clerk,
        agency=w.agency,
        data=incoming_data(**overrides),
        scan=scan,
        scan_name="van-ban.pdf" if scan else None,
    )


def assigned(w: World, **overrides: Any) -> IncomingDocument:
    document = register(w, **overrides)
    services.submit_to_leader(clerk=w.clerk, document=document, leader=w.leader)
    return services.instruct(
        leader=w.leader,
        document=document,
        instruction="Giao Phòng HCTP chủ trì, tham mưu trả lời.",
        assignments=[
            services.AssignmentData(role="lead", assignee=w.specialist),
            services.AssignmentData(role="cooperate", assignee=w.colleague),
        ],
        deadline=date(2026, 12, 10),
    )


def assigned_to_unit(w: World) -> IncomingDocument:
    """Registered, submitted and given to the division (not a person) to lead."""
    document = register(w)
    services.submit_to_leader(clerk=w.clerk, document=document, leader=w.leader)
    return services.instruct(
        leader=w.leader,
        document=document,
        instruction="Phòng HCTP chủ trì",
        assignments=[services.AssignmentData(role="lead", division=w.division)],
    )


def composed_draft(w: World, **overrides: Any) -> OutgoingDocument:
    values: dict[str, Any] = {
        "drafter": w.specialist,
        "division": w.division,
        "document_type": doc_type("cong-van"),
        "summary": "Trả lời về kế hoạch chuyển đổi số",
        "composed": services.ComposedContent(
            place="Cà Mau",
            title="",
            body="Sở Tư pháp nhận được Kế hoạch chuyển đổi số.\nSở thống nhất với nội dung kế hoạch.",
            addressees="Sở Nội vụ",
            recipients=["Như trên"],
        ),
        "recipient_agencies": [w.other],
        "external_recipients": ["Bộ Tư pháp"],
    }
    values.update(overrides)
    return services.create_draft(**values)


def signed_stand_in(document: OutgoingDocument) -> bytes:
    """The document's frozen PDF plus an incremental update standing in for the signer's signature.

    ``record_signed_version`` accepts only the frozen PDF extended by incremental updates; tests
    about what comes after signing (issue, numbering, recall) use this instead of a real signature,
    which needs the dev PKI and its timestamp server (tests/documents/test_signing*.py sign for real).
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from egov.documents.services.outgoing import frozen_version, read_version

    version = frozen_version(document)
    assert version is not None, "submit the document for signature first"
    writer = IncrementalPdfFileWriter(io.BytesIO(read_version(version)))
    writer.set_info(generic.DictionaryObject({generic.pdf_name("/Producer"): generic.pdf_string("stand-in")}))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def walk_to_signed(w: World, document: OutgoingDocument, *, signer: User | None = None) -> OutgoingDocument:
    services.submit_for_review(drafter=w.specialist, document=document)
    services.approve_content(head=w.head, document=document)
    services.submit_for_signature(clerk=w.clerk, document=document, signer=signer or w.leader)
    return services.record_signed_version(
        document=document, signed_pdf=signed_stand_in(document), signer=signer or w.leader
    )


# Signing helpers of tests/documents (the PKI fixtures themselves come from tests/conftest.py, lazy:
# only a test that asks for one starts the dev PKI or loads a SoftHSM2 token).
from tests.documents.signing_support import agent_factory, signing_settings  # noqa: E402, F401
