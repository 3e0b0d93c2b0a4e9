"""The public lookup by code and second factor, the QR tracking page and the kiosk."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from egov.core import clock
from egov.dossiers import services, throttling
from egov.dossiers.models import Dossier
from egov.dossiers.rules import Status
from tests.dossiers.conftest import (
    AGENCY_CODE,
    APPLICANT_ID,
    APPLICANT_PHONE,
    World,
    dossier_in,
    local,
    record,
)

NOT_FOUND = "Không tìm thấy hồ sơ khớp với mã hồ sơ và 4 chữ số đã nhập"
FORMAT_HINT = "Mã hồ sơ có dạng 000.00.12.H56-250701-0001"
THROTTLED = "Bạn đã nhập sai quá nhiều lần"
PERSONAL = [
    "Nguyễn Thị Nộp",
    APPLICANT_PHONE,
    APPLICANT_ID,
    "Số 1, phường Hạc Thành",
    "nop@example.vn",
    "Xin việc",
]
LOOKUP = "/tra-cuu/"


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()  # throttling counters must not leak between tests


def in_progress(world: World) -> Dossier:
    return dossier_in(world, Status.IN_PROGRESS, True)


def look_up(client: Client, code: str, second_factor: str, **extra: Any) -> Any:
    return client.post(LOOKUP, {"code": code, "second_factor": second_factor}, **extra)


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_the_lookup_page_asks_for_the_code_and_the_second_factor(client: Client):
    response = client.get(LOOKUP)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tra cứu hồ sơ" in html
    assert 'name="code"' in html and 'name="second_factor"' in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_citizen_finds_the_dossier_by_code_and_the_last_four_phone_digits(world: World, client: Client):
    dossier = in_progress(world)
    response = look_up(client, dossier.code, APPLICANT_PHONE[-4:])
    html = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in html and "Đang giải quyết" in html
    assert dossier.due_at is not None
    assert dossier.due_at.astimezone(clock.local_zone()).strftime("%d/%m/%Y %H:%M") in html
    assert world.agency.name in html and world.division.name in html and "Thẩm định" in html


def test_the_personal_id_digits_and_a_lower_case_code_work_too(world: World, client: Client):
    dossier = in_progress(world)
    response = look_up(client, f"  {dossier.code.lower()} ", APPLICANT_ID[-4:])
    assert response.status_code == 200 and "Đang giải quyết" in response.content.decode()


def test_an_unknown_code_and_a_wrong_second_factor_get_the_same_answer(world: World, client: Client):
    dossier = record(world)
    unknown = f"{AGENCY_CODE}-{dossier.code.split('-')[1]}-9999"
    wrong_factor = look_up(client, dossier.code, "0000")
    unknown_code = look_up(client, unknown, APPLICANT_PHONE[-4:])
    assert wrong_factor.status_code == unknown_code.status_code == 200
    assert NOT_FOUND in wrong_factor.content.decode()
    # Apart from the echoed input the two pages are identical: no oracle for which codes exist.
    first = without_csrf(wrong_factor.content.decode()).replace(dossier.code, "CODE").replace("0000", "F")
    second = (
        without_csrf(unknown_code.content.decode())
        .replace(unknown, "CODE")
        .replace(APPLICANT_PHONE[-4:], "F")
    )
    assert first == second


@pytest.mark.parametrize(
    "code", ["12345", "000.00.12.H56-2507010001", "000.00.12.H56-251399-0001", "abc-def"]
)
def test_a_malformed_code_gets_the_format_hint_and_costs_no_guess(world: World, client: Client, code: str):
    response = look_up(client, code, "5678")
    html = response.content.decode()
    assert response.status_code == 200 and FORMAT_HINT in html and NOT_FOUND not in html
    assert throttling.retry_at(code=code, client="127.0.0.1") is None


def test_the_second_factor_must_be_four_digits(world: World, client: Client):
    dossier = record(world)
    response = look_up(client, dossier.code, "12a4")
    assert "Hãy nhập đúng 4 chữ số" in response.content.decode()
    assert "Hãy nhập 4 chữ số cuối" in look_up(client, dossier.code, "").content.decode()


def test_the_qr_link_opens_the_tracking_page_without_a_second_factor(world: World, client: Client):
    dossier = in_progress(world)
    response = client.get(reverse("lookup:qr", args=[dossier.tracking_token]))
    assert response.status_code == 200
    assert dossier.code in response.content.decode() and "Đang giải quyết" in response.content.decode()


def test_an_unknown_qr_token_is_a_vietnamese_404(db: Any, client: Client):
    response = client.get(reverse("lookup:qr", args=["khong-co-ma-nay-1234567890"]))
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ" in response.content.decode()


def test_no_personal_data_appears_on_any_tracking_page(world: World, client: Client):
    dossier = in_progress(world)
    pages = [
        look_up(client, dossier.code, APPLICANT_PHONE[-4:]),
        client.get(reverse("lookup:qr", args=[dossier.tracking_token])),
        client.post(reverse("lookup:kiosk_scan"), {"scan": dossier.tracking_token}),
    ]
    officials = [world.specialist.get_full_name(), world.desk.get_full_name(), world.desk.username]
    for response in pages:
        html = response.content.decode()
        assert dossier.code in html
        for secret in [*PERSONAL, *[name for name in officials if name]]:
            assert secret not in html


def test_the_apologys_promised_date_is_shown_beside_the_legal_due_date(world: World, client: Client):
    dossier = in_progress(world)
    assert dossier.due_at is not None
    promised = dossier.due_at + timedelta(days=3)
    services.issue_apology(dossier=dossier, officer=world.leader, promised_at=promised, reason="Chờ xác minh")
    html = client.get(reverse("lookup:qr", args=[dossier.tracking_token])).content.decode()
    assert "Ngày hẹn trả lại (theo thư xin lỗi của cơ quan)" in html
    assert promised.astimezone(clock.local_zone()).strftime("%d/%m/%Y %H:%M") in html
    assert dossier.due_at.astimezone(clock.local_zone()).strftime("%d/%m/%Y %H:%M") in html
    assert "Chờ xác minh" not in html  # the reason is the applicant's letter, not a public page


def test_a_finished_dossier_shows_each_step_early_on_time_or_late(world: World, client: Client):
    dossier = dossier_in(world, Status.FINISHED, True)
    html = client.get(reverse("lookup:qr", args=[dossier.tracking_token])).content.decode()
    assert "Đã giải quyết xong" in html and "Trước hạn" in html  # finished the same day, due in 5


def test_a_dossier_not_yet_accepted_has_no_appointment_yet(world: World, client: Client):
    dossier = record(world)
    html = client.get(reverse("lookup:qr", args=[dossier.tracking_token])).content.decode()
    assert "Mới tiếp nhận" in html and "Chưa có: hồ sơ chưa được tiếp nhận giải quyết." in html


def test_the_tracking_page_runs_a_fixed_number_of_queries(
    world: World, client: Client, django_assert_max_num_queries: Any
):
    dossier = dossier_in(world, Status.FINISHED, True)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("lookup:qr", args=[dossier.tracking_token])).status_code == 200
    with django_assert_max_num_queries(4):
        assert look_up(client, dossier.code, APPLICANT_PHONE[-4:]).status_code == 200


# --- Throttling through the view ------------------------------------------------------------------


def test_five_wrong_guesses_at_one_code_block_it_for_fifteen_minutes(world: World, client: Client):
    dossier = in_progress(world)
    start = local(2026, 3, 9, 10, 2)
    with clock.frozen(start):
        for _ in range(throttling.PER_CODE.failures):
            assert look_up(client, dossier.code, "0000").status_code == 200
        blocked = look_up(client, dossier.code, APPLICANT_PHONE[-4:])
        html = blocked.content.decode()
        assert blocked.status_code == 429 and THROTTLED in html
        assert "10:15 ngày 09/03/2026" in html and "khoảng 13 phút" in html
        assert int(blocked["Retry-After"]) == 13 * 60
        assert dossier.code not in html.replace(f'value="{dossier.code}"', "")  # no result shown
        # Another address is blocked on that code too: the limit guards the dossier.
        assert look_up(client, dossier.code, APPLICANT_PHONE[-4:], REMOTE_ADDR="10.0.0.9").status_code == 429
    with clock.frozen(start + throttling.PER_CODE.window):
        assert "Đang giải quyết" in look_up(client, dossier.code, APPLICANT_PHONE[-4:]).content.decode()


def test_twenty_wrong_guesses_from_one_address_block_it_for_every_code(world: World, client: Client):
    dossier = in_progress(world)
    day = dossier.code.split("-")[1]
    with clock.frozen(local(2026, 3, 9, 10, 0)):
        for sequence in range(throttling.PER_CLIENT.failures):
            look_up(client, f"{AGENCY_CODE}-{day}-{5000 + sequence}", "1234")
        assert look_up(client, dossier.code, APPLICANT_PHONE[-4:]).status_code == 429
        assert look_up(client, dossier.code, APPLICANT_PHONE[-4:], REMOTE_ADDR="10.0.0.9").status_code == 200


def test_successful_lookups_do_not_count(world: World, client: Client):
    dossier = in_progress(world)
    with clock.frozen(local(2026, 3, 9, 10, 0)):
        for _ in range(throttling.PER_CODE.failures * 3):
            assert look_up(client, dossier.code, APPLICANT_PHONE[-4:]).status_code == 200
        assert throttling.retry_at(code=dossier.code, client="127.0.0.1") is None


# --- Kiosk ------------------------------------------------------------------------------------------


def test_the_kiosk_start_screen_offers_the_scan_and_the_big_pickers(world: World, client: Client):
    response = client.get(reverse("lookup:kiosk"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="scan"' in html and "autofocus" in html
    assert world.agency.name in html and world.other_agency.name not in html  # offers no procedure
    assert 'name="received_on"' in html and 'name="sequence"' in html and 'name="second_factor"' in html
    assert "kiosk.js" in html and "data-kiosk-resets" not in html  # nothing to reset yet
    assert f'value="{clock.today():%d/%m/%Y}"' in html  # the date starts at today, dd/mm/yyyy


def test_the_kiosk_has_no_links_that_leave_it(world: World, client: Client):
    dossier = in_progress(world)
    pages = [
        client.get(reverse("lookup:kiosk")),
        client.post(reverse("lookup:kiosk_scan"), {"scan": dossier.tracking_token}),
    ]
    for response in pages:
        links = re.findall(r'<a [^>]*href="([^"]*)"', response.content.decode())
        assert links and all(link in ("#main", reverse("lookup:kiosk")) for link in links), links


@pytest.mark.parametrize("scanned", ["token", "url", "path"])
def test_the_kiosk_accepts_the_scanned_url_or_the_bare_token(world: World, client: Client, scanned: str):
    dossier = in_progress(world)
    path = reverse("lookup:qr", args=[dossier.tracking_token])
    value = {"token": dossier.tracking_token, "url": f"https://dichvucong.example.vn{path}", "path": path}[
        scanned
    ]
    response = client.post(reverse("lookup:kiosk_scan"), {"scan": f"{value}\n"})
    html = response.content.decode()
    assert response.status_code == 200 and dossier.code in html and "Đang giải quyết" in html
    assert "data-kiosk-resets" in html and 'http-equiv="refresh" content="60;url=/tra-cuu/kiosk/"' in html


def test_an_unreadable_or_unknown_scan_says_so_on_the_start_screen(db: Any, client: Client):
    unreadable = client.post(reverse("lookup:kiosk_scan"), {"scan": "xin chào"})
    assert "Không đọc được mã QR này" in unreadable.content.decode()
    unknown = client.post(reverse("lookup:kiosk_scan"), {"scan": "A" * 32})
    assert unknown.status_code == 404 and "Không tìm thấy hồ sơ theo mã QR này" in unknown.content.decode()


def kiosk_pick(client: Client, dossier: Dossier, second_factor: str, **extra: Any) -> Any:
    agency, day, sequence = dossier.code.rsplit("-", 2)
    received_on = f"{day[4:]}/{day[2:4]}/20{day[:2]}"
    data = {
        "agency": agency,
        "received_on": received_on,
        "sequence": sequence,
        "second_factor": second_factor,
    }
    return client.post(reverse("lookup:kiosk"), data | extra)


def test_picking_agency_date_and_sequence_at_the_kiosk_still_needs_the_second_factor(
    world: World, client: Client
):
    dossier = in_progress(world)
    missing = kiosk_pick(client, dossier, "")
    assert "Hãy nhập 4 chữ số cuối" in missing.content.decode()
    assert "autofocus" not in missing.content.decode()  # focus stays with the form being fixed
    wrong = kiosk_pick(client, dossier, "0000")
    assert NOT_FOUND in wrong.content.decode() and "Đang giải quyết" not in wrong.content.decode()
    found = kiosk_pick(client, dossier, APPLICANT_PHONE[-4:])
    assert dossier.code in found.content.decode() and "Đang giải quyết" in found.content.decode()
    for secret in PERSONAL:
        assert secret not in found.content.decode()


def test_the_kiosk_shares_the_lookups_throttle(world: World, client: Client):
    dossier = in_progress(world)
    with clock.frozen(local(2026, 3, 9, 10, 0)):
        for _ in range(throttling.PER_CODE.failures):
            kiosk_pick(client, dossier, "0000")
        blocked = kiosk_pick(client, dossier, APPLICANT_PHONE[-4:])
    assert blocked.status_code == 429 and THROTTLED in blocked.content.decode()


def test_the_kiosk_refuses_an_agency_it_does_not_offer(world: World, client: Client):
    dossier = in_progress(world)
    response = kiosk_pick(client, dossier, APPLICANT_PHONE[-4:], agency=world.other_agency.code)
    assert response.status_code == 200 and "Đang giải quyết" not in response.content.decode()


# --- The applicant's satisfaction rating from the QR page -----------------------------------------

RATING_TITLE = "Đánh giá mức độ hài lòng"


def rate_url(dossier: Dossier) -> str:
    return reverse("lookup:rate", args=[dossier.tracking_token])


def test_a_returned_dossier_offers_the_rating_form_on_its_qr_page(world: World, client: Client):
    dossier = dossier_in(world, Status.RETURNED, True)
    html = client.get(reverse("lookup:qr", args=[dossier.tracking_token])).content.decode()
    assert RATING_TITLE in html and f'action="{rate_url(dossier)}"' in html
    assert html.count('type="radio" name="score"') == 5
    assert "Rất không hài lòng" in html and "Rất hài lòng" in html and 'name="comment"' in html
    assert "<legend>Mức độ hài lòng</legend>" in html


def test_the_token_holder_rates_once_and_then_sees_the_rating(
    world: World, client: Client, django_assert_max_num_queries: Any
):
    dossier = dossier_in(world, Status.RETURNED, True)
    response = client.post(rate_url(dossier), {"score": "4", "comment": "  Nhanh, chu đáo  "})
    assert response.status_code == 302 and response["Location"] == reverse(
        "lookup:qr", args=[dossier.tracking_token]
    )
    with django_assert_max_num_queries(6):  # 4 for the page, the session and its messages
        html = client.get(response["Location"]).content.decode()
    assert "Cảm ơn bạn đã đánh giá." in html
    assert "Đã đánh giá: Hài lòng (4/5)." in html and 'name="score"' not in html
    assert "Nhanh, chu đáo" not in html  # the comment is for the agency, not a public page
    dossier.refresh_from_db()
    assert (dossier.rating.score, dossier.rating.comment) == (4, "Nhanh, chu đáo")


def test_a_second_post_changes_nothing(world: World, client: Client):
    dossier = dossier_in(world, Status.RETURNED, True)
    client.post(rate_url(dossier), {"score": "5"})
    again = client.post(rate_url(dossier), {"score": "1"}, follow=True)
    assert again.status_code == 200 and "Hồ sơ này đã được đánh giá." in again.content.decode()
    dossier.refresh_from_db()
    assert dossier.rating.score == 5


def test_a_rating_needs_a_score_from_one_to_five(world: World, client: Client):
    dossier = dossier_in(world, Status.RETURNED, True)
    for data in ({}, {"score": "6"}, {"score": "x"}):
        response = client.post(rate_url(dossier), data)
        assert response.status_code == 400 and "Có lỗi cần sửa" in response.content.decode()
    assert not Dossier.objects.filter(pk=dossier.pk, rating__isnull=False).exists()


def test_a_dossier_not_yet_returned_has_no_form_and_refuses_a_rating(world: World, client: Client):
    dossier = dossier_in(world, Status.FINISHED, True)
    html = client.get(reverse("lookup:qr", args=[dossier.tracking_token])).content.decode()
    assert RATING_TITLE not in html and 'name="score"' not in html
    response = client.post(rate_url(dossier), {"score": "5"})
    assert response.status_code == 409
    assert "Chỉ đánh giá được sau khi đã nhận kết quả." in response.content.decode()
    assert not Dossier.objects.filter(pk=dossier.pk, rating__isnull=False).exists()


def test_rating_with_an_unknown_token_is_a_404_and_get_is_not_allowed(world: World, client: Client):
    response = client.post(reverse("lookup:rate", args=["khong-co-ma-nay-1234567890"]), {"score": "5"})
    assert response.status_code == 404 and "Không tìm thấy hồ sơ" in response.content.decode()
    dossier = dossier_in(world, Status.RETURNED, True)
    assert client.get(rate_url(dossier)).status_code == 405
