"""No double booking under real concurrency: several PostgreSQL transactions racing at once.

Each racer runs in its own thread with its own database connection; a barrier releases them
together. These need PostgreSQL (SQLite serialises every writer, so there is no race to lose)."""

import datetime as dt
import itertools
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from core.errors import ApplicationError
from interview import services
from interview.models import Booking, Hold, MatchRequest
from interview.services import bookings, matching
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 6


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL: the race is between real concurrent transactions")


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def race(functions) -> list:
    """Run each function in its own thread and connection, all released at once; return results
    (the return value or the exception raised), in order."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(i, function):
        try:
            barrier.wait(timeout=10)
            results[i] = function()
        except Exception as exc:  # the test inspects what each racer got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.fixture
def host(content, interviewer):
    services.availability_window_add(user=interviewer, starts_at=at(1, 9), ends_at=at(1, 13))
    return interviewer


@pytest.fixture
def bookers(db):
    return [UserFactory(username=f"racer{i}") for i in range(RACERS)]


def test_racing_for_one_slot_exactly_one_wins(host, bookers):
    results = race(
        [
            lambda user=user: services.booking_book_slot(user=user, host_id=host.pk, starts_at=at(1, 10))
            for user in bookers
        ]
    )
    wins = [r for r in results if isinstance(r, Booking)]
    losses = [r for r in results if isinstance(r, ApplicationError)]
    assert len(wins) == 1, results
    assert len(losses) == RACERS - 1, results
    assert {loss.code for loss in losses} == {"slot_taken"}
    assert all("just taken" in loss.message for loss in losses)
    assert Booking.objects.count() == 1
    assert Hold.objects.filter(user=host).count() == 1


def test_racing_for_overlapping_slots_of_one_host(host, bookers):
    starts = [at(1, 9), at(1, 9, 30), at(1, 10), at(1, 10, 30), at(1, 11), at(1, 11, 30)]
    results = race(
        [
            lambda user=user, start=start: services.booking_book_slot(user=user, host_id=host.pk, starts_at=start)
            for user, start in zip(bookers, starts, strict=True)
        ]
    )
    held = sorted(Hold.objects.filter(user=host).values_list("starts_at", "ends_at"))
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(held))
    assert len([r for r in results if isinstance(r, Booking)]) == len(held) >= 2


def test_one_person_booking_two_peers_at_once_gets_one(content, bookers):
    hosts = bookers[:2]
    person = bookers[2]
    for host in hosts:
        services.availability_window_add(user=host, starts_at=at(1, 9), ends_at=at(1, 13))
    results = race(
        [
            lambda host=host: services.booking_book_slot(user=person, host_id=host.pk, starts_at=at(1, 10))
            for host in hosts
        ]
    )
    assert len([r for r in results if isinstance(r, Booking)]) == 1, results
    assert Hold.objects.filter(user=person).count() == 1


def test_the_database_refuses_overlaps_even_without_the_lock(host, bookers, monkeypatch):
    """Take the row locks away and let every racer pass the Python check: the exclusion constraint
    still lets exactly one booking in, and the others get the same clear error."""
    monkeypatch.setattr(bookings, "_lock_people", lambda *ids: None)
    checked = threading.Barrier(RACERS)
    real_clash = bookings._clash

    def clash_then_wait(*args, **kwargs):
        found = real_clash(*args, **kwargs)
        if args[0] == host.pk:
            checked.wait(timeout=10)  # everyone has looked and seen a free slot
        return found

    monkeypatch.setattr(bookings, "_clash", clash_then_wait)
    results = race(
        [
            lambda user=user: services.booking_book_slot(user=user, host_id=host.pk, starts_at=at(1, 10))
            for user in bookers
        ]
    )
    assert len([r for r in results if isinstance(r, Booking)]) == 1, results
    assert {r.code for r in results if isinstance(r, ApplicationError)} == {"slot_taken"}
    assert Hold.objects.filter(user=host).count() == 1


def test_overlapping_holds_are_refused_by_the_database(host, bookers):
    booking = services.booking_book_slot(user=bookers[0], host_id=host.pk, starts_at=at(1, 10))
    with pytest.raises(IntegrityError, match="interview_hold_no_overlap"), transaction.atomic():
        Hold.objects.create(booking=booking, user=bookers[1], starts_at=at(1, 10), ends_at=at(1, 11))
        Hold.objects.create(
            booking=Booking.objects.create(
                source="slot", organizer=bookers[1], peer=host, starts_at=at(1, 10, 59), ends_at=at(1, 12)
            ),
            user=host,
            starts_at=at(1, 10, 59),
            ends_at=at(1, 12),
        )


def test_two_matcher_runs_at_once_book_each_pair_once(content, bookers, monkeypatch):
    monkeypatch.setattr(matching, "_run_soon", lambda: None)  # no run on join: the three below race
    window = [(at(1, 9), at(1, 12))]
    for user, mode in zip(bookers[:4], ["candidate", "interviewer", "candidate", "interviewer"], strict=True):
        services.match_request_create(user=user, mode=mode, duration_minutes=60, windows=window)
    race([services.match_queue_run, services.match_queue_run, services.match_queue_run])
    assert Booking.objects.count() == 2
    assert set(MatchRequest.objects.values_list("status", flat=True)) == {"matched"}
    for user in bookers[:4]:
        assert Hold.objects.filter(user=user).count() == 1
