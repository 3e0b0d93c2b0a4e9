"""The procedure finder over the demo catalogue's names, on whichever database the suite runs."""

from __future__ import annotations

import json

import pytest

from egov.eservices.selectors import Filters, find_procedures
from egov.procedures.demo import DEMO_CATALOGUE
from egov.procedures.models import Field, Procedure
from tests.factories import AgencyFactory


@pytest.fixture
def catalogue(db):  # type: ignore[no-untyped-def]
    data = json.loads(DEMO_CATALOGUE.read_text())
    fields = {f["code"]: Field.objects.create(code=f["code"], name=f["name"]) for f in data["fields"]}
    commune = AgencyFactory(name="Ủy ban nhân dân xã Thử")
    for p in data["procedures"]:
        procedure = Procedure.objects.create(
            code=p["code"],
            name=p["name"],
            field=fields[p["field"]],
            level=p["level"],
            processing_amount=1,
            online_level=p["online_level"],
        )
        if p["level"] == "commune":
            procedure.offered_by.add(commune)
    return commune


def names(filters: Filters) -> list[str]:
    return [p.name for p in find_procedures(filters)]


def test_an_unaccented_query_finds_birth_registration_first(catalogue):
    assert names(Filters(query="dang ky khai sinh"))[0] == "Thủ tục đăng ký khai sinh"


def test_the_construction_permit_is_found_with_and_without_a_typo(catalogue):
    permit = "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
    assert names(Filters(query="giay phep xay dung"))[0] == permit
    assert names(Filters(query="giay phep xay dunh"))[0] == permit


def test_filters_narrow_the_results(catalogue):
    province = names(Filters(query="giay phep", level="province"))
    assert province and "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" not in province
    assert all(p.online_level == "full" for p in find_procedures(Filters(online_level="full")))
    by_agency = find_procedures(Filters(agency=catalogue.pk))
    assert by_agency and all(p.level == "commune" for p in by_agency)
    assert names(Filters(query="khai sinh", field="ho-tich"))


def test_the_finder_reads_the_catalogue_in_two_queries(catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert find_procedures(Filters(query="ho kinh doanh"))
