"""A role swap's second half starts as soon as the first ends, and an interview ended early gives
both people their time back; the forms offer exactly the lengths each kind of session accepts."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from interview import services
from interview.lifecycle import room_is_open
from interview.models import Booking, Hold, Interview
from interview.selectors import open_slots


def _starting_soon(now):
    return now.replace(second=0, microsecond=0) + dt.timedelta(minutes=6)


@pytest.fixture
def swap(content, interviewer, candidate) -> Booking:
    """A 60-minute swap starting in six minutes: Ivy interviews Cal first, then they change seats."""
    start = _starting_soon(timezone.now())
    services.availability_window_add(user=interviewer, starts_at=start, ends_at=start + dt.timedelta(hours=3))
    return services.booking_book_slot(
        user=candidate, host_id=interviewer.pk, starts_at=start, mode="swap", duration_minutes=60
    )


def _parts(booking):
    return list(booking.interviews.order_by("part"))


def test_part_two_starts_as_soon_as_part_one_ends(swap, interviewer, candidate):
    first, second = _parts(swap)
    assert second.scheduled_at == first.scheduled_at + dt.timedelta(minutes=30)
    assert not room_is_open(second)
    ended = services.interview_end(interview=first, user=interviewer)
    second.refresh_from_db()
    assert second.scheduled_at == ended.ended_at and room_is_open(second)
    assert second.duration_minutes == 30
    # both calendars are held until the end of part 2 from its new start, not the planned end
    holds = Hold.objects.filter(booking=swap)
    assert set(holds.values_list("ends_at", flat=True)) == {ended.ended_at + dt.timedelta(minutes=30)}


def test_part_one_review_links_to_part_two(client_for, swap, interviewer, candidate):
    first, second = _parts(swap)
    services.interview_end(interview=first, user=interviewer)
    for person in (interviewer, candidate):
        page = client_for(person).get(reverse("interview_review", args=[first.pk])).content.decode()
        assert 'id="next-part"' in page and reverse("interview_room", args=[second.pk]) in page
    services.interview_end(interview=second, user=candidate)
    page = client_for(interviewer).get(reverse("interview_review", args=[second.pk])).content.decode()
    assert 'id="previous-part"' in page and reverse("interview_review", args=[first.pk]) in page


def test_an_interview_ended_early_frees_both_calendars_from_then_on(interview, interviewer, candidate):
    booking = interview.booking
    assert set(Hold.objects.filter(booking=booking).values_list("ends_at", flat=True)) == {booking.ends_at}
    Interview.objects.filter(pk=interview.pk).update(scheduled_at=timezone.now() - dt.timedelta(minutes=10))
    Hold.objects.filter(booking=booking).update(starts_at=timezone.now() - dt.timedelta(minutes=10))
    interview.refresh_from_db()
    ended = services.interview_end(interview=interview, user=interviewer)
    holds = list(Hold.objects.filter(booking=booking))
    assert len(holds) == 2 and {hold.ends_at for hold in holds} == {ended.ended_at}
    # the freed time is bookable again: Cal can be booked right after
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(minutes=10)
    services.availability_window_add(user=candidate, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    assert any(slot.starts_at < booking.ends_at for slot in open_slots(viewer=interviewer, host_id=candidate.pk))


def test_an_interview_ended_before_its_start_holds_nothing(interview, interviewer):
    assert interview.scheduled_at > timezone.now()  # ended in the 10 minutes the room opens early
    services.interview_end(interview=interview, user=interviewer)
    assert not Hold.objects.filter(booking=interview.booking).exists()


def _options(page: str, name: str) -> dict[str, bool]:
    """value -> offered (not disabled) for the <select name=...> in `page`."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    tags = re.findall(r"<option([^>]*)>", select)
    return {re.search(r'value="(\d+)"', tag).group(1): "disabled" not in tag for tag in tags if 'value="' in tag}


@pytest.mark.parametrize(
    ("mode", "offered"),
    [("swap", {"60", "90"}), ("candidate", {"45", "60", "75", "90"}), ("interviewer", {"45", "60", "75", "90"})],
)
def test_find_a_peer_offers_exactly_the_lengths_accepted(client_for, candidate, content, mode, offered):
    page = client_for(candidate).get(reverse("slots"), {"mode": mode, "duration": "60"}).content.decode()
    options = _options(page, "duration")
    assert {value for value, ok in options.items() if ok} == offered
    assert 'data-lengths-for="mode"' in page


def test_queue_form_offers_swap_lengths_for_a_swap(client_for, candidate, content):
    response = client_for(candidate).post(reverse("queue"), {"mode": "swap", "duration": "45", "now": "1"})
    page = response.content.decode()
    options = _options(page, "duration")
    assert {value for value, ok in options.items() if ok} == {"60", "90"}
    assert "60, 90" in page  # and the refused length says why
