"""The statistics per agency, procedure and period, on hand-made cases with known dates.

The procedure takes 5 working days; the period is March 2026, read on 02/04/2026, so dossiers
still open are measured at the end of 31/03.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from egov.core import clock
from egov.dossiers.models import Channel, Dossier
from egov.organizations.models import Role
from egov.reports import selectors
from egov.reports.exports import COLUMNS
from egov.reports.rules import Figures, Period
from tests.dossiers.conftest import World, build_world, local, record, walk
from tests.factories import MembershipFactory, OfficialFactory, UserFactory
from tests.workspace.test_dossier_lists import signed_in

pytestmark = pytest.mark.django_db

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
READ_AT = local(2026, 4, 2, 9, 0)
QUERY = {"start": "2026-03-01", "end": "2026-03-31"}


def at(when: datetime, world: World, dossier: Dossier, *steps: str) -> Dossier:
    with clock.frozen(when):
        return walk(world, dossier, *steps)


def new(world: World, when: datetime, **overrides: Any) -> Dossier:
    with clock.frozen(when):
        return record(world, **overrides)


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def cases(world: World) -> dict[str, Dossier]:
    w = world
    # Finished and returned in February: outside the period altogether.
    old = at(local(2026, 2, 2, 9, 0), w, new(w, local(2026, 2, 2, 9, 0)), "accept", "start_processing")
    old = at(local(2026, 2, 5, 9, 0), w, old, "finish", "return_result")
    # Due Mon 09/03 09:00, finished Thu 05/03: early; returned Fri 06/03.
    early = at(local(2026, 3, 2, 9, 0), w, new(w, local(2026, 3, 2, 9, 0)), "accept", "start_processing")
    early = at(local(2026, 3, 5, 9, 0), w, early, "finish")
    early = at(local(2026, 3, 6, 9, 0), w, early, "return_result")
    # Due Mon 09/03 10:00, finished the same day at 09:00: on time.
    on_time = at(local(2026, 3, 2, 10, 0), w, new(w, local(2026, 3, 2, 10, 0)), "accept", "start_processing")
    on_time = at(local(2026, 3, 9, 9, 0), w, on_time, "finish")
    # Due Mon 09/03 11:00, finished Tue 10/03: late.
    late = at(local(2026, 3, 2, 11, 0), w, new(w, local(2026, 3, 2, 11, 0)), "accept", "start_processing")
    late = at(local(2026, 3, 10, 9, 0), w, late, "finish")
    # Two supplement requests: the due date moves by the applicant's time and the dossier is
    # finished early by it, yet the national scoring counts it late.
    twice = at(local(2026, 3, 3, 9, 0), w, new(w, local(2026, 3, 3, 9, 0)), "accept", "start_processing")
    twice = at(local(2026, 3, 3, 10, 0), w, twice, "request_supplement")
    twice = at(local(2026, 3, 4, 10, 0), w, twice, "resubmit")
    twice = at(local(2026, 3, 4, 11, 0), w, twice, "request_supplement")
    twice = at(local(2026, 3, 5, 11, 0), w, twice, "resubmit")
    twice = at(local(2026, 3, 6, 9, 0), w, twice, "finish")
    # Still in progress at the end of March: one late (due 23/03), one on time (due 06/04).
    open_late = at(
        local(2026, 3, 16, 9, 0), w, new(w, local(2026, 3, 16, 9, 0)), "accept", "start_processing"
    )
    open_on_time = at(local(2026, 3, 30, 9, 0), w, new(w, local(2026, 3, 30, 9, 0)), "accept")
    # Paused for a supplement since 18/03, before its due date (25/03): on time, measured at the pause.
    paused = at(local(2026, 3, 18, 9, 0), w, new(w, local(2026, 3, 18, 8, 0)), "accept", "start_processing")
    paused = at(local(2026, 3, 18, 10, 0), w, paused, "request_supplement")
    withdrawn = at(local(2026, 3, 10, 9, 0), w, new(w, local(2026, 3, 10, 8, 0)), "withdraw")
    refused = at(
        local(2026, 3, 11, 9, 0), w, new(w, local(2026, 3, 11, 8, 0), channel=Channel.POST), "refuse"
    )
    with clock.frozen(local(2026, 3, 12, 9, 0)):
        online = record(w, actor=UserFactory(), channel=Channel.ONLINE, receiving_division=None)
    return {
        "old": old, "early": early, "on_time": on_time, "late": late, "twice": twice,
        "open_late": open_late, "open_on_time": open_on_time, "paused": paused,
        "withdrawn": withdrawn, "refused": refused, "online": online,
    }  # fmt: skip


EXPECTED = Figures(
    received_desk=8,  # every March reception but the online and the posted one
    received_online=1,
    received_post=1,
    finished_early=2,  # early, twice
    finished_on_time=1,
    finished_late=1,
    finished_late_national=2,  # late, twice
    in_progress_on_time=2,  # open_on_time, paused
    in_progress_late=1,
    in_progress_late_national=1,
    returned=1,
    withdrawn=1,
    refused=1,
)


def test_the_figures_follow_the_on_time_rule(world, cases):
    assert cases["twice"].supplement_count == 2
    report = selectors.statistics(actor=world.leader, period=MARCH, now=READ_AT)
    assert [(r.agency_name, r.procedure_code) for r in report.rows] == [(world.agency.name, "1.001193")]
    assert report.rows[0].figures == EXPECTED == report.total
    assert str(report.total.on_time_share) == "75.0"
    assert str(report.total.national_on_time_share) == "50.0"


def test_open_dossiers_of_a_running_period_are_measured_now(world, cases):
    # On 20/03 the dossier due 23/03 is not late yet, and nothing received later exists yet.
    report = selectors.statistics(
        actor=world.leader, period=Period(date(2026, 3, 1), date(2026, 3, 20)), now=local(2026, 3, 20, 9, 0)
    )
    assert report.total.in_progress_late == 0
    assert report.total.in_progress_on_time == 2  # open_late (due 23/03) and paused


def test_a_period_after_the_events_counts_only_what_is_still_open(world, cases):
    report = selectors.statistics(
        actor=world.leader, period=Period(date(2026, 4, 1), date(2026, 4, 1)), now=READ_AT
    )
    assert report.total == Figures(in_progress_on_time=2, in_progress_late=1, in_progress_late_national=1)


def test_the_agency_and_procedure_filters_narrow_the_table(world, cases):
    report = selectors.statistics(
        actor=world.leader, period=MARCH, agency_id=world.other_agency.pk, now=READ_AT
    )
    assert report.rows == [] and report.total == Figures()


def test_a_leader_of_another_agency_counts_none_of_them(world, cases):
    report = selectors.statistics(actor=world.outsider, period=MARCH, now=READ_AT)
    assert report.rows == []


def test_the_agencys_administrator_reads_the_statistics(world, cases):
    admin = OfficialFactory()
    MembershipFactory(user=admin, agency=world.agency, role=Role.ADMINISTRATOR)
    assert selectors.statistics(actor=admin, period=MARCH, now=READ_AT).total == EXPECTED


def test_the_page_shows_the_table_to_a_leader(world, cases):
    with clock.frozen(READ_AT):
        response = signed_in(world.leader).get(reverse("reports:statistics"), QUERY)
    assert response.status_code == 200
    assert response.context["report"].total == EXPECTED
    assert "1.001193" in response.content.decode()


def test_the_page_defaults_to_the_month_to_date(world):
    with clock.frozen(READ_AT):
        response = signed_in(world.leader).get(reverse("reports:statistics"))
    assert response.context["report"].period == Period(date(2026, 4, 1), date(2026, 4, 2))


@pytest.mark.parametrize("who", ["specialist", "desk"])
def test_officials_without_the_report_permission_are_refused(world, who):
    assert signed_in(getattr(world, who)).get(reverse("reports:statistics")).status_code == 403


def test_another_agency_in_the_query_is_refused_not_counted(world, cases):
    with clock.frozen(READ_AT):
        response = signed_in(world.outsider).get(
            reverse("reports:statistics"), {**QUERY, "agency": world.agency.pk}
        )
    assert "agency" in response.context["form"].errors and response.context["report"] is None


def test_the_excel_export_carries_the_same_numbers(world, cases):
    with clock.frozen(READ_AT):
        response = signed_in(world.leader).get(reverse("reports:statistics_xlsx"), QUERY)
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    line = dict(zip(header, rows[3], strict=True))
    total = dict(zip(header, rows[-1], strict=True))
    assert line["Mã thủ tục"] == "1.001193" and total["Cơ quan"] == "Tổng cộng"
    for heading, name in COLUMNS:
        expected = getattr(EXPECTED, name)
        assert line[heading] == (float(expected) if name.endswith("share") else expected), heading
    assert total["Đã giải quyết quá hạn (cách tính quốc gia)"] == 2


def test_the_page_takes_the_same_queries_whatever_the_number_of_dossiers(world, cases):
    client = signed_in(world.leader)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured, clock.frozen(READ_AT):
            assert client.get(reverse("reports:statistics"), QUERY).status_code == 200
        return len(captured)

    count()
    few = count()
    for day in (23, 24, 25):
        at(local(2026, 3, day, 9, 0), world, new(world, local(2026, 3, day, 9, 0)), "accept")
    assert count() == few <= 9
