"""Pure rules about who registers: the personal ID number's structure and Vietnamese mobile numbers.

No database, no settings: the caller passes ``today`` so the rules stay testable on any date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from django.utils.translation import gettext as _

from egov.accounts.birth_provinces import BIRTH_PROVINCES
from egov.core.text import MOBILE_LENGTH, MOBILE_PREFIXES
from egov.core.text import normalise_phone as normalise_phone  # where apps look for phone rules

PERSONAL_ID_LENGTH = 12
# The oldest recorded Vietnamese lived past 120; a year of birth further back is a typing error.
MAX_AGE = 120


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class PersonalIdFault(StrEnum):
    """Why a personal ID number is refused: one kind per message the applicant may see."""

    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    LENGTH = "length"
    PROVINCE = "province"
    CENTURY = "century"
    FUTURE_YEAR = "future_year"
    TOO_OLD = "too_old"


class PersonalIdError(ValueError):
    def __init__(self, fault: PersonalIdFault, message: str) -> None:
        super().__init__(message)
        self.fault = fault
        self.message = message


@dataclass(frozen=True)
class PersonalId:
    """What the structure of a personal ID number says about its holder (DOMAIN.md §1)."""

    number: str
    province_code: str
    province_name: str
    sex: Sex
    birth_year: int


def century_digit(birth_year: int, sex: Sex) -> str:
    """The 4th digit: the century of birth (1900s → 0/1, 2000s → 2/3, …) and the sex (even male)."""
    century_index = birth_year // 100 - 19
    if not 0 <= century_index <= 4:
        raise ValueError(f"no century digit for a birth year of {birth_year}")
    return str(century_index * 2 + (1 if sex is Sex.FEMALE else 0))


def normalise_personal_id(raw: str) -> str:
    """People copy the number in groups (``001 099 012345``): spaces are not part of it."""
    return "".join(raw.split())


def parse_personal_id(number: str, *, today: date) -> PersonalId:
    """Read a personal ID number, or raise ``PersonalIdError`` with a message for the applicant."""
    _check_shape(number)
    province_code = number[:3]
    if province_code not in BIRTH_PROVINCES:
        raise PersonalIdError(
            PersonalIdFault.PROVINCE,
            _("Ba chữ số đầu “%(code)s” không phải mã tỉnh, thành phố nơi đăng ký khai sinh.")
            % {"code": province_code},
        )
    digit = int(number[3])
    century_start = 1900 + (digit // 2) * 100
    if century_start > today.year:
        raise PersonalIdError(
            PersonalIdFault.CENTURY,
            _(
                "Chữ số thứ 4 “%(digit)s” chỉ người sinh từ năm %(start)d trở đi: "
                "chữ số này phải là 0 hoặc 1 (sinh 1900–1999), 2 hoặc 3 (sinh từ 2000)."
            )
            % {"digit": digit, "start": century_start},
        )
    birth_year = century_start + int(number[4:6])
    _check_birth_year(birth_year, today=today)
    return PersonalId(
        number=number,
        province_code=province_code,
        province_name=BIRTH_PROVINCES[province_code],
        sex=Sex.FEMALE if digit % 2 else Sex.MALE,
        birth_year=birth_year,
    )


def _check_shape(number: str) -> None:
    if not number:
        raise PersonalIdError(
            PersonalIdFault.EMPTY, _("Hãy nhập số định danh cá nhân (12 chữ số trên thẻ căn cước).")
        )
    stray = next((char for char in number if char not in "0123456789"), None)
    if stray is not None:
        raise PersonalIdError(
            PersonalIdFault.NOT_DIGITS,
            _("Số định danh cá nhân chỉ gồm chữ số 0–9; “%(char)s” không phải chữ số.") % {"char": stray},
        )
    if len(number) != PERSONAL_ID_LENGTH:
        raise PersonalIdError(
            PersonalIdFault.LENGTH,
            _("Số định danh cá nhân phải có đúng 12 chữ số; bạn đã nhập %(count)d chữ số.")
            % {"count": len(number)},
        )


def _check_birth_year(birth_year: int, *, today: date) -> None:
    if birth_year > today.year:
        raise PersonalIdError(
            PersonalIdFault.FUTURE_YEAR,
            _("Năm sinh %(year)d (theo chữ số thứ 4 đến thứ 6) ở tương lai.") % {"year": birth_year},
        )
    if today.year - birth_year > MAX_AGE:
        raise PersonalIdError(
            PersonalIdFault.TOO_OLD,
            _(
                "Năm sinh %(year)d (theo chữ số thứ 4 đến thứ 6) không hợp lý: "
                "người sinh năm đó đã hơn %(age)d tuổi."
            )
            % {"year": birth_year, "age": MAX_AGE},
        )


def personal_id_problem(number: str, *, today: date) -> str | None:
    """Why ``number`` is not a personal ID number, in Vietnamese; ``None`` when it is one."""
    try:
        parse_personal_id(number, today=today)
    except PersonalIdError as invalid:
        return invalid.message
    return None


# --- Mobile phone numbers -------------------------------------------------------------------


def phone_problem(phone: str) -> str | None:
    """Why a normalised ``phone`` is not a Vietnamese mobile number; ``None`` when it is one."""
    if not phone.isdigit() or not phone.isascii():
        return _("Số điện thoại chỉ gồm chữ số, có thể viết +84 ở đầu.")
    if len(phone) != MOBILE_LENGTH:
        return _(
            "Số điện thoại di động có 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678); "
            "bạn đã nhập %(count)d chữ số."
        ) % {"count": len(phone)}
    if not phone.startswith(MOBILE_PREFIXES):
        return _("Số điện thoại di động phải bắt đầu bằng 03, 05, 07, 08 hoặc 09.")
    return None


# --- Tax codes of organisations -------------------------------------------------------------

_TAX_CODE = re.compile(r"[0-9]{10}(-[0-9]{3})?")


def tax_code_problem(code: str) -> str | None:
    """Why ``code`` is not an organisation's tax code (10 digits, or 13 with a branch suffix ``-001``)."""
    if not _TAX_CODE.fullmatch(code):
        return _("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu “-” và 3 chữ số của đơn vị phụ thuộc.")
    return None
