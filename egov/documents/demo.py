"""Demo documents for ``manage.py seed_demo``: incoming documents in every state and outgoing
drafts at every step before signature, at the Department of Justice (``stp``), walked through the
real services at past instants, with real-looking Vietnamese summaries and PDFs.

Not seeded: signed and issued outgoing documents. Signing belongs to the signatures app; storing
an unsigned PDF as "signed" would be a fake. Once the signatures integration calls
``services.record_signed_version``, add the signed/issued scenarios here.

Idempotence: the first incoming document is the marker; a second run changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.core import clock, pdf
from egov.documents import rules, services
from egov.documents.models import DocumentType, IncomingDocument, OutgoingDocument
from egov.documents.types_data import load_types
from egov.organizations.management.demo_seed import DemoSeed
from egov.organizations.models import Division

MARKER_NOTATION = "118/KH-UBND"

INCOMING = [
    # (notation, type code, issuer key, summary, body, state, urgency, secrecy, days ago, deadline offset)
    (
        MARKER_NOTATION,
        "ke-hoach",
        "ubnd",
        "Kế hoạch chuyển đổi số tỉnh Cà Mau năm 2027",
        [
            "Thực hiện Nghị quyết về chuyển đổi số quốc gia, Ủy ban nhân dân tỉnh ban hành Kế hoạch chuyển đổi số năm 2027.",  # noqa: E501
            "Các sở, ban, ngành rà soát, đăng ký chỉ tiêu và báo cáo kết quả trước ngày 15 hằng tháng.",
        ],
        "assigned",
        "normal",
        "none",
        6,
        10,
    ),
    (
        "245/UBND-TH",
        "cong-van",
        "ubnd",
        "Về việc báo cáo tình hình giải quyết thủ tục hành chính quý IV",
        [
            "Ủy ban nhân dân tỉnh đề nghị các sở báo cáo số hồ sơ tiếp nhận, giải quyết đúng hạn và quá hạn trong quý IV."  # noqa: E501
        ],
        "assigned",
        "urgent",
        "none",
        20,
        -3,
    ),
    (
        "31/TB-SNV",
        "thong-bao",
        "snv",
        "Thông báo lịch tập huấn nghiệp vụ văn thư, lưu trữ năm 2027",
        [
            "Sở Nội vụ tổ chức tập huấn nghiệp vụ văn thư, lưu trữ cho công chức làm công tác văn thư các sở, ngành."  # noqa: E501
        ],
        "registered",
        "normal",
        "none",
        0,
        None,
    ),
    (
        "52/GM-STC",
        "giay-moi",
        "stc",
        "Giấy mời họp về dự toán ngân sách năm 2027",
        [
            "Sở Tài chính trân trọng kính mời đại diện lãnh đạo Sở Tư pháp dự họp về dự toán ngân sách năm 2027."  # noqa: E501
        ],
        "submitted",
        "top_urgent",
        "none",
        1,
        3,
    ),
    (
        "17/QĐ-UBND",
        "quyet-dinh",
        "ubnd",
        "Quyết định công bố danh mục thủ tục hành chính lĩnh vực hộ tịch",
        ["Công bố kèm theo Quyết định này danh mục thủ tục hành chính được chuẩn hóa lĩnh vực hộ tịch."],
        "completed",
        "normal",
        "none",
        30,
        5,
    ),
    (
        "09/CĐ-UBND",
        "cong-dien",
        "ubnd",
        "Công điện về việc ứng phó triều cường, sạt lở bờ biển",
        ["Yêu cầu các sở, ngành khẩn trương triển khai phương án ứng phó triều cường, sạt lở bờ biển."],
        "assigned",
        "flash",
        "none",
        2,
        1,
    ),
    (
        "03/M-SNV",
        "cong-van",
        "snv",
        "Về công tác bảo vệ bí mật nhà nước năm 2027",
        [],
        "assigned",
        "normal",
        "confidential",
        4,
        12,
    ),
]

OUTGOING = [
    # (type code, summary, body, step)
    (
        "cong-van",
        "Trả lời về việc góp ý dự thảo Kế hoạch chuyển đổi số năm 2027",
        "Sở Tư pháp nhận được Kế hoạch số 118/KH-UBND về chuyển đổi số năm 2027.\n"
        "Sở Tư pháp thống nhất với dự thảo và đề nghị bổ sung chỉ tiêu số hóa hồ sơ hộ tịch.",
        "draft",
    ),
    (
        "thong-bao",
        "Thông báo lịch tiếp công dân tháng 12 năm 2026",
        "Sở Tư pháp thông báo lịch tiếp công dân định kỳ vào thứ Năm hằng tuần tại trụ sở Sở.",
        "content_review",
    ),
    (
        "giay-moi",
        "Giấy mời dự hội nghị triển khai công tác hộ tịch năm 2027",
        "Sở Tư pháp trân trọng kính mời đại diện Ủy ban nhân dân các xã, phường dự hội nghị.",
        "format_review",
    ),
    (
        "ke-hoach",
        "Kế hoạch chuyển đổi số của Sở Tư pháp năm 2027",
        "Thực hiện Kế hoạch số 118/KH-UBND của Ủy ban nhân dân tỉnh, Sở Tư pháp ban hành kế hoạch chuyển đổi số.\n"  # noqa: E501
        "Mục tiêu: 100% hồ sơ hộ tịch được số hóa; 90% văn bản đi được ký số.",
        "awaiting_signature",
    ),
]


def seed(demo: DemoSeed) -> None:
    load_types(DocumentType)  # migration 0002's data, again if the table was emptied since
    stp = demo.agency("stp")
    if IncomingDocument.objects.filter(agency=stp, notation=MARKER_NOTATION).exists():
        demo.say(_("Văn bản mẫu: đã có, giữ nguyên."))
        return
    people = {
        name: cast(User, demo.user(f"{name}.stp"))
        for name in ("vanthu", "lanhdao", "truongphong", "chuyenvien")
    }
    now = clock.now()
    for row in INCOMING:
        _incoming(demo, people, now, *row)
    division = Division.objects.get(agency=stp, abbreviation="HCTP")
    for draft in OUTGOING:
        _outgoing(demo, people, division, now, *draft)
    demo.say(
        _("Văn bản mẫu: %(i)d văn bản đến, %(o)d dự thảo văn bản đi.")
        % {"i": len(INCOMING), "o": len(OUTGOING)}
    )


def _at(now: datetime, days_ago: int, hours: int = 0) -> Any:
    return clock.frozen(now - timedelta(days=days_ago) + timedelta(hours=hours))


def _incoming(
    demo: DemoSeed,
    people: dict[str, User],
    now: datetime,
    notation: str,
    type_code: str,
    issuer_key: str,
    summary: str,
    body: list[str],
    state: str,
    urgency: str,
    secrecy: str,
    days_ago: int,
    deadline_offset: int | None,
) -> None:
    issuer = demo.agency(issuer_key)
    kind = DocumentType.objects.get(code=type_code)
    issued_on = (now - timedelta(days=days_ago + 2)).date()
    deadline: date | None = (
        (now + timedelta(days=deadline_offset)).date() if deadline_offset is not None else None
    )
    scan = None
    if secrecy == rules.Secrecy.NONE:
        scan = pdf.render_pdf(
            "documents/pdf/demo_received.html",
            {
                "parent": issuer.parent.name if issuer.parent is not None else "",
                "issuer": issuer.name,
                "notation": notation,
                "place": "Cà Mau",
                "issued_on": issued_on,
                "type_name": kind.name,
                "summary": summary,
                "paragraphs": body,
            },
        )
    with _at(now, days_ago):
        document = services.register_incoming(
            clerk=people["vanthu"],
            agency=demo.agency("stp"),
            data=services.IncomingData(
                issuer_name=issuer.name,
                issuer_agency=issuer,
                notation=notation,
                issued_on=issued_on,
                document_type=kind,
                summary=summary,
                urgency=urgency,
                secrecy=secrecy,
                deadline=deadline,
            ),
            scan=scan,
            scan_name=f"{type_code}.pdf" if scan else None,
        )
    if state == "registered":
        return
    with _at(now, days_ago, 1):
        services.submit_to_leader(clerk=people["vanthu"], document=document, leader=people["lanhdao"])
    if state == "submitted":
        return
    lines = [services.AssignmentData(role="lead", assignee=people["chuyenvien"])]
    if secrecy == rules.Secrecy.NONE:
        lines.append(services.AssignmentData(role="inform", assignee=people["truongphong"]))
    with _at(now, days_ago, 2):
        services.instruct(
            leader=people["lanhdao"],
            document=document,
            assignments=lines,
            deadline=deadline,
            instruction="Giao Phòng Hành chính tư pháp chủ trì tham mưu, báo cáo kết quả đúng hạn.",
        )
    if state == "completed":
        with _at(now, days_ago - 3 if days_ago > 3 else 0):
            services.add_opinion(
                actor=people["chuyenvien"],
                document=document,
                text="Đã rà soát danh mục, cập nhật lên Cổng dịch vụ công.",
            )
            services.complete_incoming(
                actor=people["chuyenvien"], document=document, note="Đã thực hiện xong."
            )


def _outgoing(
    demo: DemoSeed,
    people: dict[str, User],
    division: Division,
    now: datetime,
    type_code: str,
    summary: str,
    body: str,
    step: str,
) -> None:
    with _at(now, 1):
        document: OutgoingDocument = services.create_draft(
            drafter=people["chuyenvien"],
            division=division,
            document_type=DocumentType.objects.get(code=type_code),
            summary=summary,
            composed=services.ComposedContent(
                place="Cà Mau",
                title=summary if type_code != "cong-van" else "",
                body=body,
                addressees="Ủy ban nhân dân tỉnh Cà Mau" if type_code == "cong-van" else "",
                recipients=["Ủy ban nhân dân tỉnh (để báo cáo)", "Ban Giám đốc Sở"],
            ),
            recipient_agencies=[demo.agency("ubnd")],
        )
    if step == "draft":
        return
    with _at(now, 1, 1):
        services.submit_for_review(drafter=people["chuyenvien"], document=document)
    if step == "content_review":
        return
    with _at(now, 1, 2):
        services.approve_content(head=people["truongphong"], document=document, comment="Nội dung đạt.")
    if step == "format_review":
        return
    with _at(now, 0):
        services.submit_for_signature(clerk=people["vanthu"], document=document, signer=people["lanhdao"])
