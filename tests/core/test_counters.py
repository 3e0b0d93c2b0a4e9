"""Gap-free counters, one caller at a time (the races are in test_counters_race.py)."""

from __future__ import annotations

import pytest
from django.db import transaction

from egov.core import counters
from egov.core.models import AuditEvent, Counter

pytestmark = pytest.mark.django_db

DOSSIERS = {"namespace": "dossier_code", "key": "000.00.12.H56:250701"}


def allocate(namespace: str = "dossier_code", key: str = "000.00.12.H56:250701") -> int:
    with transaction.atomic():
        return counters.next_value(namespace=namespace, key=key)


class PlannedRollbackError(Exception):
    """Raised inside a business transaction to make it fail."""


def test_a_new_series_starts_at_one_and_counts_up_by_one():
    assert [allocate() for _ in range(5)] == [1, 2, 3, 4, 5]
    assert counters.peek(**DOSSIERS) == 5


def test_a_rolled_back_transaction_gives_its_number_back():
    assert allocate() == 1
    with pytest.raises(PlannedRollbackError), transaction.atomic():
        assert counters.next_value(**DOSSIERS) == 2
        raise PlannedRollbackError
    assert allocate() == 2, "no gap: the failed reception's number is reused"


def test_series_of_different_keys_and_namespaces_are_independent():
    assert allocate(key="000.00.12.H56:250701") == 1
    assert allocate(key="000.00.12.H56:250701") == 2
    assert allocate(key="000.00.12.H56:250702") == 1, "a new day starts again at 1"
    assert allocate(key="000.00.13.H56:250701") == 1, "another agency has its own series"
    assert allocate(namespace="register", key="000.00.12.H56:250701") == 1


@pytest.mark.django_db(transaction=True)
def test_allocating_in_autocommit_mode_is_refused_and_hands_out_nothing():
    with pytest.raises(counters.NotInTransactionError):
        counters.next_value(**DOSSIERS)
    assert counters.peek(**DOSSIERS) == 0
    assert allocate() == 1


def test_an_agency_joining_mid_year_continues_its_numbering(django_user_model):
    admin = django_user_model.objects.create_user(username="admin", password="x" * 12)
    register = {"namespace": "register", "key": "17:2026"}
    counter = counters.set_opening_value(**register, value=412, actor=admin, reason="Sổ giấy đến số 412")
    assert counter.value == 412
    assert allocate(**register) == 413
    event = AuditEvent.objects.get(action="counter.set_opening_value")
    assert (event.actor_id, event.object_id) == (str(admin.pk), str(counter.pk))
    assert event.details == {"previous": 0, "value": 412, "reason": "Sổ giấy đến số 412"}


def test_an_opening_value_below_a_number_already_issued_is_refused():
    for _ in range(3):
        allocate()
    with pytest.raises(counters.OpeningValueTooLowError, match="đã cấp đến số 3"):
        counters.set_opening_value(**DOSSIERS, value=2, actor=None, reason="nhầm")
    assert counters.peek(**DOSSIERS) == 3
    assert not AuditEvent.objects.filter(action="counter.set_opening_value").exists()


def test_an_opening_value_needs_a_reason():
    with pytest.raises(ValueError, match="lý do"):
        counters.set_opening_value(**DOSSIERS, value=10, actor=None, reason="  ")


def test_the_ten_thousandth_number_of_a_day_is_just_the_next_number():
    counters.set_opening_value(**DOSSIERS, value=9_999, actor=None, reason="kiểm thử")
    assert allocate() == 10_000
    assert allocate() == 10_001


def test_numbers_far_beyond_a_32_bit_integer_fit():
    counters.set_opening_value(**DOSSIERS, value=2**40, actor=None, reason="kiểm thử")
    assert allocate() == 2**40 + 1


def test_peek_of_an_unused_series_is_zero_and_creates_nothing():
    assert counters.peek("register", "99:2026") == 0
    assert not Counter.objects.exists()


@pytest.mark.parametrize(
    ("namespace", "key"),
    [("", "k"), ("Dossier", "k"), ("dossier code", "k"), ("dossier_code", ""), ("dossier_code", "k" * 101)],
)
def test_malformed_series_names_are_refused(namespace: str, key: str):
    with pytest.raises(ValueError, match="counter"), transaction.atomic():
        counters.next_value(namespace=namespace, key=key)


def test_an_allocation_is_one_query_once_the_series_exists(django_assert_num_queries):
    allocate()
    with transaction.atomic(), django_assert_num_queries(1):  # UPDATE … RETURNING
        counters.next_value(**DOSSIERS)
