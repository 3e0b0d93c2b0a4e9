"""The 29 administrative document types of Decree 30/2020 (Appendix III) and the copy forms, as data.

Migration 0002 loads them; ``seed_demo`` (and any test that flushes the table) loads them again:
``load_types`` is idempotent.
"""

from typing import Any

# (code, name, abbreviation, composable from the structured form)
DOCUMENT_TYPES = [
    ("nghi-quyet", "Nghị quyết", "NQ", False),
    ("quyet-dinh", "Quyết định", "QĐ", False),
    ("chi-thi", "Chỉ thị", "CT", False),
    ("quy-che", "Quy chế", "QC", False),
    ("quy-dinh", "Quy định", "QyĐ", False),
    ("thong-cao", "Thông cáo", "TC", False),
    ("thong-bao", "Thông báo", "TB", True),
    ("huong-dan", "Hướng dẫn", "HD", False),
    ("chuong-trinh", "Chương trình", "CTr", False),
    ("ke-hoach", "Kế hoạch", "KH", True),
    ("phuong-an", "Phương án", "PA", False),
    ("de-an", "Đề án", "ĐA", False),
    ("du-an", "Dự án", "DA", False),
    ("bao-cao", "Báo cáo", "BC", False),
    ("bien-ban", "Biên bản", "BB", False),
    ("to-trinh", "Tờ trình", "TTr", False),
    ("hop-dong", "Hợp đồng", "HĐ", False),
    ("cong-van", "Công văn", "", True),
    ("cong-dien", "Công điện", "CĐ", False),
    ("ban-ghi-nho", "Bản ghi nhớ", "BGN", False),
    ("ban-thoa-thuan", "Bản thỏa thuận", "BTT", False),
    ("giay-uy-quyen", "Giấy ủy quyền", "GUQ", False),
    ("giay-moi", "Giấy mời", "GM", True),
    ("giay-gioi-thieu", "Giấy giới thiệu", "GGT", False),
    ("giay-nghi-phep", "Giấy nghỉ phép", "GNP", False),
    ("phieu-gui", "Phiếu gửi", "PG", False),
    ("phieu-chuyen", "Phiếu chuyển", "PC", False),
    ("phieu-bao", "Phiếu báo", "PB", False),
    ("thu-cong", "Thư công", "", False),
]
COPY_FORMS = [
    ("sao-y", "Bản sao y", "SY"),
    ("trich-sao", "Bản trích sao", "TrS"),
    ("sao-luc", "Bản sao lục", "SL"),
]


def load_types(DocumentType: Any) -> None:  # noqa: N803 - a model class, historical or current
    for order, (code, name, abbreviation, composable) in enumerate(DOCUMENT_TYPES, start=1):
        DocumentType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "abbreviation": abbreviation,
                "kind": "document",
                "order": order,
                "is_composable": composable,
            },
        )
    for order, (code, name, abbreviation) in enumerate(COPY_FORMS, start=1):
        DocumentType.objects.update_or_create(
            code=code, defaults={"name": name, "abbreviation": abbreviation, "kind": "copy", "order": order}
        )
