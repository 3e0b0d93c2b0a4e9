"""The official's dossier tabs and the desk's register (form 07), against a world of known dates.

Dossiers are accepted (5 working days) on dates set through the clock; "now" is then
Tue 10/03/2026 08:00, when:
  A (accepted Mon 02/03 09:00, due Mon 09/03 09:00) is late;
  B (accepted Tue 03/03 10:00, due Tue 10/03 10:00) is due today and at risk;
  C (accepted Wed 04/03 14:00, due Wed 11/03 14:00) is due after the next working day;
  D (accepted Tue 10/03 07:30, due Tue 17/03 07:30) is new;
  E (accepted Mon 02/03 09:30) was finished and returned: only in "all".
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from egov.accounts.models import User
from egov.core import clock
from egov.dossiers import services
from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from egov.workspace import selectors as workspace_selectors
from tests.dossiers.conftest import World, build_world, local, record, walk

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 10, 8, 0)
URL = "/workspace/dossiers/"


def signed_in(user: User) -> Client:
    """A client past the password and the second factor."""
    client = Client()
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="authenticator", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def accepted_at(world: World, when: datetime, *steps: str, **overrides: Any) -> Dossier:
    with clock.frozen(when):
        return walk(world, record(world, **overrides), "accept", *steps)


def held_by(world: World, dossier: Dossier, user: User, when: datetime) -> Dossier:
    """Processing starts and ``user`` takes the dossier."""
    with clock.frozen(when):
        services.start_processing(dossier=dossier, officer=world.specialist)
        services.take_dossier(dossier=Dossier.objects.get(pk=dossier.pk), officer=user)
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def dossiers(world: World) -> dict[str, Dossier]:
    a = accepted_at(world, local(2026, 3, 2, 9, 0))
    b = accepted_at(world, local(2026, 3, 3, 10, 0))
    c = accepted_at(world, local(2026, 3, 4, 14, 0))
    d = accepted_at(world, local(2026, 3, 10, 7, 30))
    e = accepted_at(world, local(2026, 3, 2, 9, 30), "start_processing", "finish", "return_result")
    a = held_by(world, a, world.specialist, local(2026, 3, 3, 8, 0))
    b = held_by(world, b, world.specialist, local(2026, 3, 4, 8, 0))
    c = held_by(world, c, world.colleague, local(2026, 3, 5, 8, 0))
    assert a.due_at == local(2026, 3, 9, 9, 0) and b.due_at == local(2026, 3, 10, 10, 0)
    return {"A": a, "B": b, "C": c, "D": d, "E": e}


def tab(client: Client, name: str, **filters: Any) -> Any:
    with clock.frozen(NOW):
        response = client.get(URL, {"tab": name, **filters})
    assert response.status_code == 200
    return response


def codes(response: Any) -> set[str]:
    return {row.dossier.code for row in response.context["rows"]}


def counts(response: Any) -> dict[str, int]:
    return {str(key): count for key, _label, count, _shown in response.context["tabs"]}


def test_each_tab_counts_and_lists_its_dossiers(world, dossiers):
    client = signed_in(world.specialist)
    response = tab(client, "mine")
    assert counts(response) == {"mine": 2, "division": 0, "due_today": 1, "at_risk": 1, "late": 1, "all": 5}
    assert codes(response) == {dossiers["A"].code, dossiers["B"].code}
    assert codes(tab(client, "due_today")) == {dossiers["B"].code}
    assert codes(tab(client, "at_risk")) == {dossiers["B"].code}
    assert codes(tab(client, "late")) == {dossiers["A"].code}
    assert codes(tab(client, "all")) == {d.code for d in dossiers.values()}


def test_a_colleague_sees_only_their_own_work_under_my_tasks(world, dossiers):
    response = tab(signed_in(world.colleague), "mine")
    assert codes(response) == {dossiers["C"].code}


def test_rows_link_to_the_dossier_and_flag_the_late_one(world, dossiers):
    html = tab(signed_in(world.specialist), "all").content.decode()
    assert f'href="/dossiers/{dossiers["A"].pk}/"' in html
    assert html.count('class="tag tag-late"') == 1


def test_filters_narrow_every_tab_and_its_count(world, dossiers):
    client = signed_in(world.specialist)
    by_status = tab(client, "all", status=Status.RETURNED.value)
    assert codes(by_status) == {dossiers["E"].code}
    assert counts(by_status)["late"] == 0
    # Recorded on 02/03: A and E.
    by_period = tab(client, "all", received_from="2026-03-02", received_to="2026-03-02")
    assert codes(by_period) == {dossiers["A"].code, dossiers["E"].code}
    assert counts(by_period)["mine"] == 1
    by_procedure = tab(client, "all", procedure=world.procedure.pk)
    assert counts(by_procedure)["all"] == 5


def test_a_field_in_error_is_shown_and_left_out_of_the_filters(world, dossiers):
    response = tab(signed_in(world.specialist), "all", received_from="2026-03-05", received_to="2026-03-01")
    assert "received_to" in response.context["form"].errors
    assert codes(response) == {dossiers["D"].code}  # recorded from 05/03 on


def test_an_official_of_another_agency_sees_none_of_them(world, dossiers):
    response = tab(signed_in(world.outsider), "all")
    assert counts(response) == {"mine": 0, "division": 0, "due_today": 0, "at_risk": 0, "late": 0, "all": 0}
    assert dossiers["A"].code not in response.content.decode()


def test_an_unknown_procedure_id_in_the_query_is_refused_not_used(world, dossiers):
    response = tab(signed_in(world.outsider), "all", procedure=world.procedure.pk)
    assert "procedure" in response.context["form"].errors
    assert counts(response)["all"] == 0


def test_citizens_have_no_dossier_tabs(client, world):
    client.force_login(User.objects.create_user(username="citizen", password="x"))
    assert client.get(URL).status_code == 403


def queries_for(client: Client, name: str) -> int:
    with CaptureQueriesContext(connection) as captured, clock.frozen(NOW):
        assert client.get(URL, {"tab": name, "page": 1}).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["mine", "late", "all"])
def test_a_tab_takes_the_same_few_queries_whatever_the_number_of_rows(world, dossiers, name):
    client = signed_in(world.specialist)
    queries_for(client, name)  # warm the working calendar's cache
    few = queries_for(client, name)
    for hour in range(7, 11):
        for day in (2, 3):
            held_by(world, accepted_at(world, local(2026, 3, day, hour, 0)), world.specialist, NOW)
    many = queries_for(client, name)
    # session, user, memberships, calendar…; two counts; a page (keys + rows on PostgreSQL)
    assert few == many <= 9


def test_the_tabs_paginate_by_25(world, dossiers):
    for minute in range(21):
        accepted_at(world, local(2026, 3, 9, 8, minute))
    client = signed_in(world.specialist)
    first = tab(client, "all")
    assert len(first.context["rows"]) == 25 and first.context["page_obj"].paginator.num_pages == 2
    with clock.frozen(NOW):
        second = client.get(URL, {"tab": "all", "page": 2})
    assert len(second.context["rows"]) == 1


def test_the_all_tab_counts_and_lists_up_to_its_limit_and_says_so(world, dossiers, monkeypatch):
    monkeypatch.setattr(workspace_selectors, "ALL_TAB_LIMIT", 3)
    client = signed_in(world.specialist)
    response = tab(client, "all")
    assert counts(response)["all"] == 4  # "more than 3": the count stopped one past the limit
    assert counts(response)["late"] == 1  # the working tabs are not capped
    assert response.context["page_obj"].paginator.count == 3
    html = response.content.decode()
    assert "hơn 3" in html and "3 hồ sơ tiếp nhận gần đây nhất" in html
    assert codes(response) == {d.code for d in sorted(dossiers.values(), key=lambda d: d.submitted_at)[-3:]}
    # Filtered under the limit, the count is exact again and the notice goes.
    narrowed = tab(client, "all", received_from="2026-03-02", received_to="2026-03-02")
    assert counts(narrowed)["all"] == 2 and "gần đây nhất" not in narrowed.content.decode()


@pytest.mark.parametrize("name", ["all", "late", "mine"])
def test_a_tab_reads_the_same_rows_page_by_page_as_one_query_over_every_visible_dossier(
    world, dossiers, name
):
    # Spread the dossiers over the three visibility branches: only our desk received B, only our
    # agency is competent for C, and D is seen only because its step waits in our inbox.
    other = world.other_agency
    Dossier.objects.filter(pk=dossiers["B"].pk).update(agency=other, current_agency=other)
    Dossier.objects.filter(pk=dossiers["C"].pk).update(receiving_agency=other, current_agency=other)
    Dossier.objects.filter(pk=dossiers["D"].pk).update(
        agency=other, receiving_agency=other, current_agency=world.agency
    )
    for minute in range(7):  # more rows than a window, some in two branches at once
        accepted_at(world, local(2026, 3, 9, 9, minute))
    official = world.specialist
    filters = workspace_selectors.DossierFilters()
    with clock.frozen(NOW):
        rows = workspace_selectors.tab_dossiers(
            actor=official, tab=workspace_selectors.Tab(name), filters=filters, now=NOW
        )
        expected = list(
            workspace_selectors._filtered(official, filters)
            .filter(
                workspace_selectors._tab_conditions(official, NOW).get(workspace_selectors.Tab(name), Q())
            )
            .order_by(*rows.order)
            .values_list("pk", flat=True)
        )
        assert expected, "the tab must hold dossiers for the comparison to mean anything"
        for start in range(len(expected) + 1):
            assert [d.pk for d in rows[start : start + 3]] == expected[start : start + 3]


# --- The register (form 07) -------------------------------------------------------------------

REGISTER = {"start": "2026-03-01", "end": "2026-03-31"}


def register_query(world: World) -> dict[str, Any]:
    return {"desk": world.agency.pk, **REGISTER}


def test_the_register_lists_the_desks_accepted_dossiers_in_order(world, dossiers):
    with clock.frozen(NOW):
        response = signed_in(world.desk).get(reverse("workspace:register"), register_query(world))
    rows = response.context["rows"]
    assert [r.dossier_code for r in rows] == [
        d.code for d in sorted(dossiers.values(), key=lambda d: d.received_at)
    ]
    assert [r.line_number for r in rows] == [1, 2, 3, 4, 5]
    first_handover = dossiers["A"].handovers.order_by("handed_at").first()
    assert rows[0].transferred_at == first_handover.handed_at


def test_the_register_exports_to_excel_with_every_line(world, dossiers):
    with clock.frozen(NOW):
        response = signed_in(world.desk).get(reverse("workspace:register_xlsx"), register_query(world))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = [row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
    assert [line[1] for line in lines] == [
        d.code for d in sorted(dossiers.values(), key=lambda d: d.received_at)
    ]


def test_the_register_prints_as_pdf(world, dossiers):
    with clock.frozen(NOW):
        response = signed_in(world.leader).get(reverse("workspace:register_pdf"), register_query(world))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_another_agencys_register_is_refused_as_a_bad_choice(world, dossiers):
    with clock.frozen(NOW):
        response = signed_in(world.outsider).get(reverse("workspace:register_xlsx"), register_query(world))
    assert response.status_code == 400
    assert dossiers["A"].code.encode() not in response.content


def test_a_specialist_has_no_register(world):
    assert signed_in(world.specialist).get(reverse("workspace:register")).status_code == 403


def test_the_register_page_takes_the_same_queries_whatever_the_number_of_lines(world, dossiers):
    client = signed_in(world.desk)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured, clock.frozen(NOW):
            client.get(reverse("workspace:register"), register_query(world))
        return len(captured)

    count()
    few = count()
    for minute in range(5):
        accepted_at(world, local(2026, 3, 5, 9, minute), "start_processing")
    assert count() == few <= 9


# --- The division's inbox -------------------------------------------------------------------------


def test_the_division_inbox_lists_its_open_dossiers_nobody_holds_yet(world, dossiers):
    # F started processing on Mon 09/03: handed to the HCTP division's inbox, not yet taken.
    f = accepted_at(world, local(2026, 3, 9, 9, 0), "start_processing")
    assert (f.current_division, f.current_assignee) == (world.division, None)
    for official in (world.specialist, world.colleague, world.head):
        response = tab(signed_in(official), "division")
        assert counts(response)["division"] == 1
        assert codes(response) == {f.code}  # A, B, C are held by someone; D, E are not in HCTP
    html = tab(signed_in(world.specialist), "division").content.decode()
    assert "Hộp thư của phòng" in html and 'href="?tab=division" aria-current="page"' in html
    # The desk's division and another agency's officials see nothing of it.
    assert codes(tab(signed_in(world.desk), "division")) == set()
    assert counts(tab(signed_in(world.outsider), "division"))["division"] == 0
    # Once a colleague takes it, it is theirs and leaves the division's inbox.
    with clock.frozen(NOW):
        services.take_dossier(dossier=f, officer=world.colleague)
    response = tab(signed_in(world.specialist), "division")
    assert counts(response)["division"] == 0 and codes(response) == set()


def test_the_division_inbox_is_counted_in_the_same_query_as_the_other_tabs(world, dossiers):
    client = signed_in(world.specialist)
    queries_for(client, "mine")  # warm the working calendar's cache
    mine = queries_for(client, "mine")
    for hour in range(7, 11):
        accepted_at(world, local(2026, 3, 9, hour, 0), "start_processing")
    assert queries_for(client, "division") == mine <= 9
