"""A small world for the one-stop shop: an agency with its desk and divisions, its officials, a
5-working-day procedure with a two-step template, and helpers that walk a dossier to any status
through the services (never by writing statuses directly)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from egov.accounts.models import User
from egov.core.files import FileKind, StoredFile
from egov.dossiers import services
from egov.dossiers.models import Channel, DeliveryMethod, Dossier
from egov.dossiers.rules import Status
from egov.organizations.models import Agency, Division, Role
from egov.procedures.models import (
    DocumentForm,
    Field,
    FormSchema,
    OnlineLevel,
    Procedure,
    ProcessStep,
    ProcessTemplate,
    RequiredDocument,
)
from tests.factories import AgencyFactory, DivisionFactory, MembershipFactory, OfficialFactory, personal_id

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCY_CODE = "000.00.12.H56"
APPLICANT_PHONE = "0912345678"
APPLICANT_ID = personal_id(424242)  # ends in 4242
RESULT_FILE = StoredFile(
    name="dossiers/results/2026/02/abc-giay-phep.pdf",
    size=1234,
    sha256="a" * 64,
    kind=FileKind.PDF,
    content_type="application/pdf",
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


@dataclass
class World:
    agency: Agency
    centre: Agency
    other_agency: Agency
    desk_division: Division
    division: Division
    desk: User
    specialist: User
    colleague: User
    head: User
    leader: User
    outsider: User
    procedure: Procedure
    steps: list[ProcessStep]


def member(agency: Agency, role: str, division: Division | None = None, **user: Any) -> User:
    official = OfficialFactory(**user)
    MembershipFactory(user=official, agency=agency, role=role, division=division)
    return official


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def build_world() -> World:
    agency = AgencyFactory(code=AGENCY_CODE, name="Sở Tư pháp Thử")
    centre = AgencyFactory(kind=Agency.Kind.SERVICE_CENTRE, name="Trung tâm Phục vụ hành chính công Thử")
    other = AgencyFactory(name="Sở Xây dựng Thử")
    desk_division = DivisionFactory(agency=agency, abbreviation="MC", is_one_stop_desk=True)
    division = DivisionFactory(agency=agency, abbreviation="HCTP")
    outsider = member(other, Role.ONE_STOP_OFFICER)
    for role in (Role.SPECIALIST, Role.AGENCY_LEADER, Role.DIVISION_HEAD):
        MembershipFactory(user=outsider, agency=other, role=role)
    procedure = Procedure.objects.create(
        code="1.001193",
        name="Cấp phiếu lý lịch tư pháp",
        field=Field.objects.create(code="ly-lich-tu-phap", name="Lý lịch tư pháp"),
        level="province",
        processing_amount=5,
        processing_unit="working_days",
        online_level=OnlineLevel.PARTIAL,
    )
    procedure.offered_by.add(agency)
    RequiredDocument.objects.create(procedure=procedure, order=1, name="Tờ khai", form=DocumentForm.ORIGINAL)
    RequiredDocument.objects.create(
        procedure=procedure,
        order=2,
        name="Giấy ủy quyền",
        form=DocumentForm.CERTIFIED_COPY,
        is_required=False,
    )
    FormSchema.objects.create(
        procedure=procedure,
        version=1,
        title="Tờ khai",
        fields=[{"key": "muc_dich", "label": "Mục đích sử dụng", "type": "text", "required": True}],
    )
    template = ProcessTemplate.objects.create(procedure=procedure, name="Quy trình")
    steps = [
        ProcessStep.objects.create(
            template=template, order=1, name="Thẩm định", division_abbreviation="HCTP", share_percent=60
        ),
        ProcessStep.objects.create(
            template=template, order=2, name="Phê duyệt", role=Role.AGENCY_LEADER, share_percent=40
        ),
    ]
    return World(
        agency=agency,
        centre=centre,
        other_agency=other,
        desk_division=desk_division,
        division=division,
        desk=member(agency, Role.ONE_STOP_OFFICER, desk_division),
        specialist=member(agency, Role.SPECIALIST, division),
        colleague=member(agency, Role.SPECIALIST, division),
        head=member(agency, Role.DIVISION_HEAD, division),
        leader=member(agency, Role.AGENCY_LEADER),
        outsider=outsider,
        procedure=procedure,
        steps=steps,
    )


def applicant(**overrides: str) -> services.ApplicantData:
    data = {
        "name": "Nguyễn Thị Nộp",
        "national_id": APPLICANT_ID,
        "phone": APPLICANT_PHONE,
        "email": "nop@example.vn",
        "address": "Số 1, phường Hạc Thành",
    }
    return services.ApplicantData(**(data | overrides))


def record(world: World, **overrides: Any) -> Dossier:
    """A desk reception with every document received."""
    documents = [services.ReceivedDocument(required_document=d) for d in world.procedure.documents.all()]
    arguments: dict[str, Any] = {
        "actor": world.desk,
        "procedure": world.procedure,
        "agency": world.agency,
        "applicant": applicant(),
        "channel": Channel.DESK,
        "answers": {"muc_dich": "Xin việc"},
        "documents": documents,
        "receiving_division": world.desk_division,
    }
    return services.record_dossier(**(arguments | overrides))


# Each transition of rules.TRANSITIONS by its service, with the official the table asks for.
def _request_supplement(w: World, d: Dossier) -> Dossier:
    officer = w.specialist if d.is_accepted else w.desk
    return services.request_supplement(
        dossier=d, officer=officer, reason="Thiếu giấy tờ", missing_documents=["Bản sao căn cước"]
    )


SERVICES: dict[str, Callable[[World, Dossier], object]] = {
    "accept": lambda w, d: services.accept_dossier(dossier=d, officer=w.desk),
    "refuse": lambda w, d: services.refuse_dossier(
        dossier=d, officer=w.desk, reason="Không thuộc thẩm quyền"
    ),
    "request_supplement": _request_supplement,
    "resubmit": lambda w, d: services.resubmit(dossier=d, officer=w.desk),
    "start_processing": lambda w, d: services.start_processing(dossier=d, officer=w.specialist),
    "request_obligation": lambda w, d: services.request_obligation(
        dossier=d, officer=w.specialist, note="Lệ phí"
    ),
    "obligation_met": lambda w, d: services.obligation_met(dossier=d, officer=w.specialist),
    "stop": lambda w, d: services.stop(dossier=d, leader=w.leader, reason="Có tranh chấp"),
    "resume": lambda w, d: services.resume(dossier=d, leader=w.leader),
    "finish": lambda w, d: services.finish(dossier=d, leader=w.leader, result_file=RESULT_FILE),
    "return_result": lambda w, d: services.return_result(
        dossier=d, officer=w.desk, delivery=DeliveryMethod.DESK, returned_to="Nguyễn Thị Nộp"
    ),
    "withdraw": lambda w, d: services.withdraw(dossier=d, officer=w.desk, reason="Người nộp đề nghị rút"),
}

# How to reach each (status, accepted?) state from a new reception.
PATHS: dict[tuple[Status, bool], list[str]] = {
    (Status.SUBMITTED, False): [],
    (Status.ACCEPTED, True): ["accept"],
    (Status.REFUSED, False): ["refuse"],
    (Status.IN_PROGRESS, True): ["accept", "start_processing"],
    (Status.SUPPLEMENT_REQUESTED, False): ["request_supplement"],
    (Status.SUPPLEMENT_REQUESTED, True): ["accept", "start_processing", "request_supplement"],
    (Status.OBLIGATION_REQUESTED, True): ["accept", "start_processing", "request_obligation"],
    (Status.STOPPED, True): ["accept", "start_processing", "stop"],
    (Status.FINISHED, True): ["accept", "start_processing", "finish"],
    (Status.RETURNED, True): ["accept", "start_processing", "finish", "return_result"],
    (Status.WITHDRAWN, False): ["withdraw"],
}


def walk(world: World, dossier: Dossier, *names: str) -> Dossier:
    for name in names:
        SERVICES[name](world, dossier)
        dossier = Dossier.objects.get(pk=dossier.pk)
    return dossier


def dossier_in(world: World, status: Status, accepted: bool, **overrides: Any) -> Dossier:
    dossier = walk(world, record(world, **overrides), *PATHS[(status, accepted)])
    assert (dossier.status, dossier.is_accepted) == (status, accepted)
    return dossier
