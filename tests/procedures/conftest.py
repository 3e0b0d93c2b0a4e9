"""Builders for catalogue tests: a small valid format document and agencies it refers to."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from egov.organizations.models import Agency
from tests.factories import AgencyFactory

COMMUNE_CODE = "000.00.31.H99"
DEPARTMENT_CODE = "000.00.03.H99"

FORM_FIELDS: list[dict[str, Any]] = [
    {"key": "ho_ten", "label": "Họ, chữ đệm và tên", "type": "person", "required": True},
    {"key": "so_dinh_danh", "label": "Số định danh cá nhân", "type": "id_number", "required": True},
    {
        "key": "nhan_ket_qua",
        "label": "Hình thức nhận kết quả",
        "type": "choice",
        "required": True,
        "choices": [
            {"value": "truc_tiep", "label": "Trực tiếp"},
            {"value": "buu_chinh", "label": "Bưu chính"},
        ],
    },
    {
        "key": "dia_chi_nhan",
        "label": "Địa chỉ nhận kết quả",
        "type": "address",
        "required": True,
        "show_if": {"field": "nhan_ket_qua", "equals": "buu_chinh"},
    },
]


def procedure_document(code: str = "1.001193", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": code,
        "name": "Thủ tục đăng ký khai sinh",
        "field": "ho-tich",
        "level": "commune",
        "offered_by": [COMMUNE_CODE],
        "processing_time": {"amount": 0, "unit": "working_days", "cutoff_rule": True, "note": ""},
        "online_level": "full",
        "requires_verified_identity": True,
        "source": "https://example.vn/nguon",
        "fees": [{"name": "Lệ phí", "amount": 8000, "exemptions": "Đúng hạn"}],
        "documents": [
            {"name": "Tờ khai", "form": "original", "count": 1, "required": True},
            {"name": "Giấy chứng sinh", "form": "original", "count": 1, "required": True},
        ],
        "process": {
            "name": "Quy trình cấp xã",
            "steps": [
                {"name": "Tiếp nhận", "role": "one_stop_officer", "division": "MC", "share_percent": 20},
                {"name": "Thẩm định", "role": "specialist", "division": "VHXH", "share_percent": 50},
                {"name": "Phê duyệt", "role": "agency_leader", "share_percent": 30},
            ],
        },
        "form": {"title": "Tờ khai đăng ký khai sinh", "fields": copy.deepcopy(FORM_FIELDS)},
    }
    data.update(overrides)
    return data


def catalogue_document(*procedures: dict[str, Any], version: int = 2) -> dict[str, Any]:
    return {
        "format": "egov-catalogue",
        "version": version,
        "fields": [{"code": "ho-tich", "name": "Hộ tịch"}, {"code": "chung-thuc", "name": "Chứng thực"}],
        "procedures": list(procedures) or [procedure_document()],
    }


@pytest.fixture
def agencies(db: Any) -> dict[str, Agency]:
    return {
        "commune": AgencyFactory(code=COMMUNE_CODE, kind=Agency.Kind.COMMITTEE, name="UBND xã Thử"),
        "department": AgencyFactory(code=DEPARTMENT_CODE, name="Sở Tư pháp Thử"),
    }
