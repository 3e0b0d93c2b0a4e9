"""Demo documents for ``manage.py seed_demo``: incoming documents in every state and outgoing
drafts at every step before signature, at the Department of Justice (``stp``), walked through the
real services at past instants, with real-looking Vietnamese summaries and PDFs.

Signed and issued documents (``ISSUED``) go the whole way for real: frozen at submission, signed
by the director with the dev PKI's key ``official:lanhdao.stp`` (standing for her USB token), numbered,
dated and sealed by the clerk with the agency's seal (SoftHSM2 token, or the PKCS#12 fallback the
signatures demo announces), delivered to the Provincial People's Committee and the Department of
Home Affairs, whose copies are checked on arrival; the last one is then recalled. The signing runs
in-process with a TSA of its own (``signatures.demo.signing_session``).

Idempotence: the first incoming document and the first issued summary are the markers; a second
run changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from django.utils.translation import gettext as _

from egov.accounts.models import User
from egov.core import clock, pdf
from egov.documents import rules, services
from egov.documents.models import DocumentType, IncomingDocument, OutgoingDocument
from egov.documents.services.signing import server_key_name, sign_with_server_key
from egov.documents.types_data import load_types
from egov.organizations.management.demo_seed import DemoSeed
from egov.organizations.models import Division
from egov.signatures.demo import signing_session
from egov.signatures.selectors import seal_of

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


ISSUED = [
    # (type code, summary, body, recipient agency keys, recalled afterwards)
    (
        "cong-van",
        "Về việc góp ý dự thảo Quy chế phối hợp quản lý nhà nước về hộ tịch",
        "Sở Tư pháp nhận được dự thảo Quy chế phối hợp quản lý nhà nước về hộ tịch trên địa bàn tỉnh.\n"
        "Sở Tư pháp thống nhất với dự thảo và đề nghị bổ sung quy định về kết nối dữ liệu hộ tịch điện tử.",
        ("ubnd", "snv"),
        False,
    ),
    (
        "thong-bao",
        "Thông báo kết quả kiểm tra công tác chứng thực năm 2026",
        "Sở Tư pháp thông báo kết quả kiểm tra công tác chứng thực tại Ủy ban nhân dân các xã, phường.\n"
        "Các đơn vị được kiểm tra khắc phục tồn tại, báo cáo Sở Tư pháp trước ngày 31/12/2026.",
        ("ubnd",),
        False,
    ),
    (
        "giay-moi",
        "Giấy mời dự họp triển khai số hóa sổ hộ tịch",
        "Sở Tư pháp trân trọng kính mời đại diện lãnh đạo dự họp triển khai số hóa sổ hộ tịch.",
        ("snv",),
        True,
    ),
]
ISSUED_MARKER = ISSUED[0][1]


def seed(demo: DemoSeed) -> None:
    load_types(DocumentType)  # migration 0002's data, again if the table was emptied since
    stp = demo.agency("stp")
    if IncomingDocument.objects.filter(agency=stp, notation=MARKER_NOTATION).exists():
        demo.say(_("Văn bản mẫu: đã có, giữ nguyên."))
    else:
        _seed_workflow(demo)
    if OutgoingDocument.objects.filter(agency=stp, summary=ISSUED_MARKER).exists():
        demo.say(_("Văn bản đã ký số, phát hành mẫu: đã có, giữ nguyên."))
    else:
        _seed_issued(demo)


def _people(demo: DemoSeed) -> dict[str, User]:
    return {
        name: cast(User, demo.user(f"{name}.stp"))
        for name in ("vanthu", "lanhdao", "truongphong", "chuyenvien")
    }


def _seed_workflow(demo: DemoSeed) -> None:
    stp = demo.agency("stp")
    people = _people(demo)
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


def _create(
    demo: DemoSeed,
    people: dict[str, User],
    division: Division,
    now: datetime,
    type_code: str,
    summary: str,
    body: str,
    recipients: tuple[str, ...],
) -> OutgoingDocument:
    agencies = [demo.agency(key) for key in recipients]
    with _at(now, 1):
        return services.create_draft(
            drafter=people["chuyenvien"],
            division=division,
            document_type=DocumentType.objects.get(code=type_code),
            summary=summary,
            composed=services.ComposedContent(
                place="Cà Mau",
                title=summary if type_code != "cong-van" else "",
                body=body,
                addressees=agencies[0].name if type_code == "cong-van" else "",
                recipients=[f"{agency.name} (để báo cáo)" for agency in agencies] + ["Ban Giám đốc Sở"],
            ),
            recipient_agencies=agencies,
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
    document = _create(demo, people, division, now, type_code, summary, body, ("ubnd",))
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


def _seed_issued(demo: DemoSeed) -> None:
    """Drafted, reviewed, frozen, signed by the director, sealed and issued by the clerk; one recalled."""
    people = _people(demo)
    division = Division.objects.get(agency=demo.agency("stp"), abbreviation="HCTP")
    now = clock.now()
    documents = []
    for type_code, summary, body, recipients, _recalled in ISSUED:
        document = _create(demo, people, division, now, type_code, summary, body, recipients)
        with _at(now, 0, -3):
            services.submit_for_review(drafter=people["chuyenvien"], document=document)
            services.approve_content(head=people["truongphong"], document=document, comment="Nội dung đạt.")
            services.submit_for_signature(clerk=people["vanthu"], document=document, signer=people["lanhdao"])
        documents.append(document)
    with _at(now, 0, -2):
        sign_and_issue(demo, documents, signer=people["lanhdao"], clerk=people["vanthu"])
    recalled = [d for d, row in zip(documents, ISSUED, strict=True) if row[4]]
    with _at(now, 0, -1):
        for document in recalled:
            services.recall(
                leader=people["lanhdao"],
                document=document,
                reason="Giấy mời ghi nhầm thời gian họp; Sở sẽ gửi giấy mời khác.",
            )
    demo.say(
        _("Văn bản mẫu: %(n)d văn bản đi đã ký số, đóng dấu số và phát hành (%(r)d đã thu hồi).")
        % {"n": len(documents), "r": len(recalled)}
    )


def sign_and_issue(
    demo: DemoSeed, documents: list[OutgoingDocument], *, signer: User, clerk: User
) -> list[OutgoingDocument]:
    """Documents awaiting ``signer``'s signature signed with the demo key egov holds for them (the dev
    PKI's ``official:<username>``), then issued by ``clerk`` with their agency's demo seal.

    Also used by the dossiers demo for a result document. Runs in one ``signing_session`` (its own
    TSA); the caller picks the instant (``clock.frozen``).
    """
    with signing_session(demo) as signing:
        outcomes = sign_with_server_key(
            signer=signer,
            document_ids=[d.pk for d in documents],
            pin=signing.pin_for(server_key_name(signer)),
        )
        failed = [o.message for o in outcomes if not o.ok]
        if failed:
            raise RuntimeError(f"demo signing failed: {failed}")
        issued = []
        for document in documents:
            seal = seal_of(document.agency)
            assert seal is not None, "the signatures demo draws the agencies' seals first"
            issued.append(
                services.issue(clerk=clerk, document=document, seal_pin=signing.pin_for(seal.key_name))
            )
    return issued
