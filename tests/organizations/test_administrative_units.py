"""Loading the provinces and communes of vietnam-provinces: counts, codes, parents, idempotence, speed."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from egov.core.models.audit import AuditEvent
from egov.organizations.models import AdministrativeUnit
from egov.organizations.services import load_administrative_units

pytestmark = pytest.mark.django_db

PROVINCE = AdministrativeUnit.Level.PROVINCE
COMMUNE = AdministrativeUnit.Level.COMMUNE


def test_the_whole_country_is_34_provinces_and_3321_communes() -> None:
    result = load_administrative_units()

    assert AdministrativeUnit.objects.filter(level=PROVINCE).count() == 34
    assert AdministrativeUnit.objects.filter(level=COMMUNE).count() == 3321
    assert (result.created, result.updated, result.unchanged) == (3355, 0, 0)
    assert not AdministrativeUnit.objects.filter(level=COMMUNE, parent__isnull=True).exists()


def test_codes_are_zero_padded_as_the_official_codes_and_communes_hang_under_their_province() -> None:
    load_administrative_units()

    ba_dinh = AdministrativeUnit.objects.select_related("parent").get(level=COMMUNE, code="00004")
    assert ba_dinh.name == "Phường Ba Đình"
    assert ba_dinh.division_type == "phường"
    assert ba_dinh.codename == "phuong_ba_dinh"
    assert ba_dinh.parent is not None
    assert (ba_dinh.parent.code, ba_dinh.parent.name) == ("01", "Thành phố Hà Nội")
    # Bạc Liêu was merged into Cà Mau on 1 July 2025.
    bac_lieu = AdministrativeUnit.objects.get(level=COMMUNE, name="Phường Bạc Liêu")
    assert bac_lieu.parent is not None
    assert (bac_lieu.parent.code, bac_lieu.parent.name) == ("96", "Tỉnh Cà Mau")


def test_a_second_load_changes_nothing_and_takes_a_few_queries(django_assert_max_num_queries: Any) -> None:
    load_administrative_units()
    before = list(AdministrativeUnit.objects.order_by("pk").values())

    with django_assert_max_num_queries(10):
        result = load_administrative_units()

    assert not result.changed
    assert result.unchanged == 3355
    assert list(AdministrativeUnit.objects.order_by("pk").values()) == before


def test_the_first_load_takes_a_few_queries_not_one_per_row(django_assert_max_num_queries: Any) -> None:
    # Batches of 500 rows; the audit event and its sealing come on top.
    with django_assert_max_num_queries(30):
        load_administrative_units()


def test_a_unit_edited_since_is_put_back_to_the_source_data() -> None:
    load_administrative_units(province_code=96)
    AdministrativeUnit.objects.filter(level=COMMUNE, code="31825").update(name="Phường Sai Tên")

    result = load_administrative_units(province_code=96)

    assert (result.created, result.updated) == (0, 1)
    assert AdministrativeUnit.objects.get(level=COMMUNE, code="31825").name == "Phường Bạc Liêu"


def test_one_province_loads_all_provinces_but_only_its_own_communes() -> None:
    load_administrative_units(province_code=96)

    assert AdministrativeUnit.objects.filter(level=PROVINCE).count() == 34
    communes = AdministrativeUnit.objects.filter(level=COMMUNE)
    assert communes.count() == 64
    assert set(communes.values_list("parent__code", flat=True)) == {"96"}


def test_a_load_that_changes_something_is_audited_once_and_a_load_that_does_not_is_not() -> None:
    load_administrative_units(province_code=96)
    load_administrative_units(province_code=96)

    events = AuditEvent.objects.filter(action="organizations.load_units")
    assert events.count() == 1
    assert events.get().details == {"province": 96, "created": 98, "updated": 0}


def test_the_command_says_when_there_was_nothing_to_change() -> None:
    first, second = StringIO(), StringIO()
    call_command("load_administrative_units", "--province", "96", stdout=first)
    call_command("load_administrative_units", "--province", "96", stdout=second)

    assert "98 tạo mới" in first.getvalue()
    assert "Không có gì thay đổi" in second.getvalue()


def test_the_command_refuses_an_unknown_province_in_vietnamese() -> None:
    with pytest.raises(CommandError, match="Không có tỉnh, thành phố nào mang mã 99"):
        call_command("load_administrative_units", "--province", "99", stdout=StringIO())
