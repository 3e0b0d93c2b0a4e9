"""Pure rules about agencies: the electronic ID format (Decision 20/2020/QĐ-TTg, QCVN 102:2016)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

AGENCY_CODE_MAX_LENGTH = 35
_GROUP = re.compile(r"^[0-9A-Z]+$")


def agency_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid agency electronic ID (a message for people); ``None`` when it is valid."""
    if not code:
        return _("Mã định danh điện tử không được để trống.")
    if len(code) > AGENCY_CODE_MAX_LENGTH:
        return _("Mã định danh điện tử dài tối đa %(limit)d ký tự (đang có %(length)d).") % {
            "limit": AGENCY_CODE_MAX_LENGTH,
            "length": len(code),
        }
    if code != code.strip():
        return _("Mã định danh điện tử không được có khoảng trắng ở đầu hoặc cuối.")
    groups = code.split(".")
    if any(group == "" for group in groups):
        return _("Mã định danh điện tử gồm các nhóm cách nhau bởi một dấu chấm; không có nhóm rỗng.")
    for group in groups:
        if not _GROUP.match(group):
            return _(
                "Nhóm “%(group)s” không hợp lệ: mỗi nhóm chỉ gồm chữ số 0-9 và chữ in hoa A-Z "
                "(không dấu, không khoảng trắng)."
            ) % {"group": group}
    return None


def is_valid_agency_code(code: str) -> bool:
    return agency_code_problem(code) is None
