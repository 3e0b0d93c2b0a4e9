"""Registers on screen and as Excel, in the Decree 30 column order (DOMAIN.md §2, Appendix IV,
unconfirmed against the official text: the column titles live here, in one place)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from egov.documents.models import Assignment, IncomingDocument, OutgoingDocument, Register

INCOMING_COLUMNS = [
    _("Ngày đến"),
    _("Số đến"),
    _("Tác giả"),
    _("Số, ký hiệu"),
    _("Ngày tháng"),
    _("Tên loại và trích yếu nội dung"),
    _("Đơn vị hoặc người nhận"),
    _("Ngày chuyển"),
    _("Ký nhận"),
    _("Ghi chú"),
]
OUTGOING_COLUMNS = [
    _("Số, ký hiệu văn bản"),
    _("Ngày tháng văn bản"),
    _("Tên loại và trích yếu nội dung"),
    _("Người ký"),
    _("Nơi nhận văn bản"),
    _("Đơn vị, người nhận bản lưu"),
    _("Số lượng bản"),
    _("Ngày chuyển"),
    _("Ký nhận"),
    _("Ghi chú"),
]


def entries(register: Register, year: int) -> Any:
    if register.kind == Register.Kind.INCOMING:
        return (
            IncomingDocument.objects.filter(register=register, year=year)
            .select_related("document_type")
            .prefetch_related("assignments__assignee", "assignments__division")
            .order_by("incoming_number")
        )
    return (
        OutgoingDocument.objects.filter(register=register, year=year)
        .select_related("document_type", "signer", "division")
        .prefetch_related("recipients")
        .order_by("number")
    )


def rows(register: Register, documents: Iterable[Any]) -> list[list[str]]:
    result: list[list[str]] = []
    for d in documents:
        kind_summary = f"{d.document_type.name} – {d.summary}"
        if register.kind == Register.Kind.INCOMING:
            lead = next((a for a in d.assignments.all() if a.role == Assignment.Role.LEAD), None)
            receiver = (
                "" if lead is None else (lead.assignee.display_name if lead.assignee else lead.division.name)
            )
            result.append(
                [
                    d.received_at.astimezone().strftime("%d/%m/%Y"),
                    f"{d.incoming_number:02d}",
                    d.issuer_name,
                    d.notation,
                    d.issued_on.strftime("%d/%m/%Y") if d.issued_on else "",
                    kind_summary,
                    receiver,
                    lead.assigned_at.astimezone().strftime("%d/%m/%Y") if lead else "",
                    "",
                    d.get_secrecy_display() if d.is_secret else "",
                ]
            )
        else:
            result.append(
                [
                    d.notation,
                    d.issued_on.strftime("%d/%m/%Y") if d.issued_on else "",
                    kind_summary,
                    f"{d.capacity} {d.signer.display_name}".strip() if d.signer else "",
                    "; ".join(r.name for r in d.recipients.all()),
                    d.division.abbreviation,
                    "",
                    d.issued_at.astimezone().strftime("%d/%m/%Y") if d.issued_at else "",
                    "",
                    "",
                ]
            )
    return result


def workbook(register: Register, year: int) -> bytes:
    from openpyxl import Workbook  # imported on use: only exports need it
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{year}"
    sheet.append([f"{register.name} – {register.agency.name} – {_('năm')} {year}"])
    sheet["A1"].font = Font(bold=True)
    columns = INCOMING_COLUMNS if register.kind == Register.Kind.INCOMING else OUTGOING_COLUMNS
    sheet.append([str(c) for c in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows(register, entries(register, year)):
        # Text cells only: a summary starting with "=" must never run as a formula.
        sheet.append([value if not value.startswith(("=", "+", "-", "@")) else "'" + value for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
