from datetime import UTC, date, datetime

from django.test import override_settings

from egov.core import clock


def test_now_is_timezone_aware_real_time_by_default():
    before = datetime.now(UTC)
    now = clock.now()
    assert now.tzinfo is not None
    assert before <= now <= datetime.now(UTC)


def test_frozen_sets_the_instant_for_the_block_only():
    instant = datetime(2027, 1, 29, 9, 30, tzinfo=UTC)
    with clock.frozen(instant):
        assert clock.now() == instant
    assert clock.now() != instant


def test_a_naive_frozen_instant_is_read_as_local_vietnam_time():
    with clock.frozen(datetime(2026, 12, 31, 23, 30)):
        assert clock.now().utcoffset().total_seconds() == 7 * 3600
        assert clock.today() == date(2026, 12, 31)


def test_local_date_differs_from_the_utc_date_late_in_the_evening_utc():
    # 18:30 UTC on 31/12 is already 01:30 on 01/01 in Hà Nội: dossier codes use the local date.
    with clock.frozen(datetime(2026, 12, 31, 18, 30, tzinfo=UTC)):
        assert clock.today() == date(2027, 1, 1)
        assert clock.localnow().hour == 1


@override_settings(EGOV_FROZEN_NOW="2026-02-13T09:40:00+07:00")
def test_the_frozen_now_setting_fixes_the_clock_for_demos():
    assert clock.localnow() == datetime.fromisoformat("2026-02-13T09:40:00+07:00")


def test_frozen_everywhere_reaches_other_threads():
    import threading

    instant = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)
    seen: list[datetime] = []
    with clock.frozen_everywhere(instant):
        thread = threading.Thread(target=lambda: seen.append(clock.now()))
        thread.start()
        thread.join()
    assert seen == [instant]
