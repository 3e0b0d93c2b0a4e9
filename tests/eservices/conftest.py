"""The online services' world: the one-stop world of tests/dossiers plus citizens and files."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from egov.accounts.models import AssuranceLevel, User
from egov.procedures.models import FormSchema
from tests.dossiers.conftest import World, build_world
from tests.factories import UserFactory

# A two-page declaration: the second page's question depends on an answer of the first.
FIELDS = [
    {"key": "muc_dich", "label": "Mục đích sử dụng", "type": "text", "required": True},
    {"key": "ho_ten", "label": "Họ và tên", "type": "person", "required": True},
    {"key": "ho_dien_thoai", "label": "Số điện thoại", "type": "phone", "required": True},
    {
        "key": "nhan_ket_qua",
        "label": "Hình thức nhận",
        "type": "choice",
        "required": True,
        "choices": [
            {"value": "truc_tuyen", "label": "Bản điện tử"},
            {"value": "buu_chinh", "label": "Bưu chính"},
        ],
    },
    {
        "key": "nhan_dia_chi",
        "label": "Địa chỉ nhận",
        "type": "address",
        "required": True,
        "show_if": {"field": "nhan_ket_qua", "equals": "buu_chinh"},
    },
]
ANSWERS = {
    "muc_dich": "Xin việc",
    "ho_ten": "Nguyễn Thị Nộp",
    "ho_dien_thoai": "0912345678",
    "nhan_ket_qua": "truc_tuyen",
}


def pdf_bytes(*, password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password is not None:
        writer.encrypt(user_password=password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str = "giay-uy-quyen.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content if content is not None else pdf_bytes(), content_type="application/pdf"
    )


def citizen(*, verified: bool = True, **extra: Any) -> User:
    level = AssuranceLevel.VERIFIED if verified else AssuranceLevel.SELF_DECLARED
    return UserFactory(assurance_level=level, **extra)


def online_world() -> World:
    world = build_world()
    FormSchema.objects.filter(procedure=world.procedure).update(fields=FIELDS, title="Tờ khai")
    return world


@pytest.fixture
def oworld(db: Any) -> World:
    return online_world()


@pytest.fixture
def person(db: Any) -> User:
    return citizen()
