"""The personal ID number's structure (DOMAIN.md §1) and Vietnamese mobile numbers, without a database."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from vietnam_provinces.legacy import Province

from egov.accounts.birth_provinces import BIRTH_PROVINCES
from egov.accounts.rules import (
    MAX_AGE,
    PersonalIdError,
    PersonalIdFault,
    Sex,
    century_digit,
    normalise_personal_id,
    normalise_phone,
    parse_personal_id,
    personal_id_problem,
    phone_problem,
)

TODAY = date(2026, 11, 30)
DIGITS = "0123456789"


def fault_of(number: str, today: date = TODAY) -> PersonalIdFault:
    with pytest.raises(PersonalIdError) as refused:
        parse_personal_id(number, today=today)
    return refused.value.fault


# --- Examples -------------------------------------------------------------------------------


def test_a_number_tells_the_province_of_birth_sex_and_year():
    person = parse_personal_id("079303001234", today=TODAY)
    assert (person.province_name, person.sex, person.birth_year) == (
        "Thành phố Hồ Chí Minh",
        Sex.FEMALE,
        2003,
    )


def test_a_man_born_in_hanoi_in_1999_is_read_from_his_number():
    person = parse_personal_id("001099012345", today=TODAY)
    assert (person.province_code, person.sex, person.birth_year) == ("001", Sex.MALE, 1999)


def test_a_baby_born_this_year_already_has_a_valid_number():
    assert personal_id_problem("096226000001", today=TODAY) is None


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Hãy nhập số định danh cá nhân (12 chữ số trên thẻ căn cước)."),
        ("00109901234a", "Số định danh cá nhân chỉ gồm chữ số 0–9; “a” không phải chữ số."),
        ("00109901234", "Số định danh cá nhân phải có đúng 12 chữ số; bạn đã nhập 11 chữ số."),
        ("0010990123456", "Số định danh cá nhân phải có đúng 12 chữ số; bạn đã nhập 13 chữ số."),
        ("003099012345", "Ba chữ số đầu “003” không phải mã tỉnh, thành phố nơi đăng ký khai sinh."),
        ("097099012345", "Ba chữ số đầu “097” không phải mã tỉnh, thành phố nơi đăng ký khai sinh."),
        (
            "001499012345",
            "Chữ số thứ 4 “4” chỉ người sinh từ năm 2100 trở đi: "
            "chữ số này phải là 0 hoặc 1 (sinh 1900–1999), 2 hoặc 3 (sinh từ 2000).",
        ),
        ("001299012345", "Năm sinh 2099 (theo chữ số thứ 4 đến thứ 6) ở tương lai."),
        (
            "001004012345",
            "Năm sinh 1904 (theo chữ số thứ 4 đến thứ 6) không hợp lý: người sinh năm đó đã hơn 120 tuổi.",
        ),
    ],
)
def test_each_kind_of_mistake_gets_its_own_vietnamese_message(number, message):
    assert personal_id_problem(number, today=TODAY) == message


def test_spaces_between_groups_are_not_part_of_the_number():
    assert normalise_personal_id(" 001 099 012345 ") == "001099012345"


def test_the_province_table_holds_the_63_codes_in_use_before_the_2025_merger():
    legacy = {f"{province.code:03d}" for province in Province.iter_all()}
    assert set(BIRTH_PROVINCES) == legacy
    assert len(BIRTH_PROVINCES) == 63
    assert (BIRTH_PROVINCES["001"], BIRTH_PROVINCES["096"]) == ("Hà Nội", "Cà Mau")


@pytest.mark.parametrize(
    ("year", "sex", "digit"),
    [(1999, Sex.MALE, "0"), (1950, Sex.FEMALE, "1"), (2003, Sex.MALE, "2"), (2010, Sex.FEMALE, "3")],
)
def test_the_fourth_digit_encodes_century_and_sex(year, sex, digit):
    assert century_digit(year, sex) == digit


# --- Properties -----------------------------------------------------------------------------

todays = st.dates(min_value=date(2021, 1, 1), max_value=date(2098, 12, 31))


@st.composite
def valid_numbers(draw: st.DrawFn, today: date) -> tuple[str, str, int, Sex]:
    province = draw(st.sampled_from(sorted(BIRTH_PROVINCES)))
    year = draw(st.integers(today.year - MAX_AGE, today.year))
    sex = draw(st.sampled_from(Sex))
    tail = draw(st.text(DIGITS, min_size=6, max_size=6))
    return f"{province}{century_digit(year, sex)}{year % 100:02d}{tail}", province, year, sex


@given(st.data(), todays)
def test_every_well_formed_number_is_accepted_and_read_back(data, today):
    number, province, year, sex = data.draw(valid_numbers(today))
    person = parse_personal_id(number, today=today)
    assert (person.province_code, person.birth_year, person.sex) == (province, year, sex)


@given(st.data(), todays, st.integers(0, 11), st.characters(exclude_characters=DIGITS))
def test_a_character_that_is_not_a_digit_is_named_in_the_message(data, today, position, stray):
    number = data.draw(valid_numbers(today))[0]
    broken = number[:position] + stray + number[position + 1 :]
    assert fault_of(broken, today) is PersonalIdFault.NOT_DIGITS
    assert f"“{stray}”" in (personal_id_problem(broken, today=today) or "")


@given(st.data(), todays, st.integers(0, 11), st.text(DIGITS, max_size=3))
def test_a_number_with_digits_missing_or_added_is_refused_for_its_length(data, today, cut, extra):
    number = data.draw(valid_numbers(today))[0]
    broken = number[:cut] + extra + number[cut + 1 :]  # one digit replaced by none, two or three
    assume(len(extra) != 1)
    assert fault_of(broken, today) is PersonalIdFault.LENGTH
    assert f"bạn đã nhập {len(broken)} chữ số" in (personal_id_problem(broken, today=today) or "")


@given(st.data(), todays, st.integers(0, 999))
def test_an_unknown_province_code_is_refused_and_quoted(data, today, code):
    province = f"{code:03d}"
    assume(province not in BIRTH_PROVINCES)
    broken = province + data.draw(valid_numbers(today))[0][3:]
    assert fault_of(broken, today) is PersonalIdFault.PROVINCE
    assert f"“{province}”" in (personal_id_problem(broken, today=today) or "")


@given(st.data(), todays, st.integers(0, 9))
def test_a_century_digit_for_a_century_not_yet_begun_is_refused(data, today, digit):
    assume(1900 + digit // 2 * 100 > today.year)
    number = data.draw(valid_numbers(today))[0]
    assert fault_of(number[:3] + str(digit) + number[4:], today) is PersonalIdFault.CENTURY


@given(st.data(), todays, st.integers(0, 99), st.sampled_from(Sex))
def test_a_birth_year_in_the_future_is_refused(data, today, two_digits, sex):
    year = today.year // 100 * 100 + two_digits
    assume(year > today.year)
    number = data.draw(valid_numbers(today))[0]
    broken = number[:3] + century_digit(year, sex) + f"{two_digits:02d}" + number[6:]
    assert fault_of(broken, today) is PersonalIdFault.FUTURE_YEAR


@given(st.data(), todays, st.integers(1900, 2099), st.sampled_from(Sex))
def test_a_birth_year_more_than_120_years_ago_is_refused(data, today, year, sex):
    assume(today.year - year > MAX_AGE)
    number = data.draw(valid_numbers(today))[0]
    broken = number[:3] + century_digit(year, sex) + f"{year % 100:02d}" + number[6:]
    assert fault_of(broken, today) is PersonalIdFault.TOO_OLD


# --- Mobile numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["0912345678", "+84912345678", "+84 912 345 678", "84912345678", "0912.345.678"]
)
def test_usual_spellings_of_a_mobile_number_become_ten_digits_starting_with_0(raw):
    assert normalise_phone(raw) == "0912345678"
    assert phone_problem(normalise_phone(raw)) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "091234567",
            "Số điện thoại di động có 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678); bạn đã nhập 9 chữ số.",
        ),
        ("0212345678", "Số điện thoại di động phải bắt đầu bằng 03, 05, 07, 08 hoặc 09."),
        ("09123a5678", "Số điện thoại chỉ gồm chữ số, có thể viết +84 ở đầu."),
    ],
)
def test_a_number_that_is_not_a_vietnamese_mobile_is_refused_with_the_reason(raw, message):
    assert phone_problem(normalise_phone(raw)) == message
