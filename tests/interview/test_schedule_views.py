"""The scheduling pages: profile, peers, availability, Find a peer, the match queue, bookings and the
dashboard's week. Every page is tried as a participant, an outsider and an anonymous visitor; bad
input shows a clear error and changes nothing."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from interview.models import (
    AvailabilityWindow,
    Booking,
    BookingChange,
    Hold,
    Interview,
    MatchRequest,
    MatchWindow,
    Profile,
    ReliabilityEvent,
    WeeklyAvailability,
)
from interview.selectors import open_slots
from interview.selectors.calendar import monday_of
from interview.services import (
    availability_window_add,
    booking_book_slot,
    match_request_create,
    profile_update,
    weekly_availability_add,
)
from rubrics.models import Problem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC
DASH = "\u2013"  # the pages write time ranges with an en dash


def text(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def local_day(tz, days_ahead: int) -> dt.date:
    return (timezone.now().astimezone(tz) + dt.timedelta(days=days_ahead)).date()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Booking,
            Interview,
            Hold,
            BookingChange,
            ReliabilityEvent,
            WeeklyAvailability,
            AvailabilityWindow,
            MatchRequest,
            MatchWindow,
        )
    }


@pytest.fixture
def day():
    """A day three days ahead on Ivy's (Paris) clock: far enough for any notice, within the horizon."""
    return local_day(PARIS, 3)


@pytest.fixture
def host(interviewer, content, day):
    """Ivy (Paris) is free every week on `day`'s weekday, 18:00-20:00 her time."""
    weekly_availability_add(user=interviewer, weekday=day.weekday(), start_time=dt.time(18), end_time=dt.time(20))
    return interviewer


@pytest.fixture
def slot_start(day):
    return dt.datetime.combine(day, dt.time(18), tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
def booking(host, candidate, slot_start) -> Booking:
    """Cal (New York) booked Ivy's 18:00 Paris slot as the candidate."""
    return booking_book_slot(user=candidate, host_id=host.pk, starts_at=slot_start, mode="candidate")


def book_data(host_id, starts_at, **extra) -> dict:
    data = {
        "host_id": host_id,
        "starts_at": starts_at.isoformat() if isinstance(starts_at, dt.datetime) else starts_at,
        "mode": "candidate",
        "duration_minutes": 60,
        "problem": "",
    }
    data.update(extra)
    return data


# ------------------------------------------------------------------------------------------------
# Who may open what


PAGES = ["profile", "slots", "availability", "queue"]


@pytest.mark.parametrize("page", PAGES)
def test_pages_need_a_login(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["interviewer", "candidate", "outsider"])
def test_pages_open_for_everyone_signed_in(request, client_for, content, page, who):
    assert client_for(request.getfixturevalue(who)).get(reverse(page)).status_code == 200


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("booking_detail", "get"),
        ("booking_reschedule", "post"),
        ("booking_cancel", "post"),
    ],
)
def test_booking_pages_are_for_the_two_people_only(
    client, client_for, booking, interviewer, candidate, outsider, name, method
):
    url = reverse(name, args=[booking.pk])
    before = counts()
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("account_login"))
    # A stranger gets the same 404 as for a booking that does not exist: ids stay private.
    assert getattr(client_for(outsider), method)(url, {"reason": "I am not in it"}).status_code == 404
    assert getattr(client_for(outsider), method)(reverse(name, args=[booking.pk + 1000])).status_code == 404
    assert counts() == before
    if method == "get":
        assert client_for(interviewer).get(url).status_code == 200
        assert client_for(candidate).get(url).status_code == 200


@pytest.mark.parametrize(
    "name", ["slot_book", "profile_calendar_link", "availability_weekly_delete", "queue_leave", "booking_cancel"]
)
def test_writes_need_a_login_and_a_post(client, client_for, outsider, name):
    args = [] if name in ("slot_book", "profile_calendar_link") else [1]
    url = reverse(name, args=args)
    assert client.post(url)["Location"].startswith(reverse("account_login"))
    assert client_for(outsider).get(url).status_code == 405


def test_peer_profile(client, client_for, host, candidate, outsider, day):
    profile_update(
        user=host,
        display_name="Ivy Interviewer",
        time_zone="Europe/Paris",
        target_role="mle",
        level="senior",
        languages=["English", "French"],
        bio="Ranking and recommendations.",
        focus_problem_ids=[Problem.objects.get(slug="video-recommendation").pk],
    )
    url = reverse("peer_profile", args=[host.pk])
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    page = text(client_for(candidate).get(url))
    for expected in ("Ivy Interviewer", "Machine learning engineer", "Senior", "English, French", "Ranking and"):
        assert expected in page
    assert "Video recommendations on a streaming home page" in page
    assert "ivy@example.com" not in page  # never an email address
    assert 'id="reliability"' in page and "Sessions completed" in page
    # Her next open slots, in Cal's zone, with Book buttons
    start = dt.datetime.combine(day, dt.time(18), tzinfo=PARIS)
    assert f'value="{start.astimezone(UTC).isoformat()}"' in page
    assert f"{start.astimezone(NEW_YORK):%H:%M}{DASH}" in page
    # each button is named by what it shows (time, "Book"), then the day and the peer for screen readers
    button = page.split(f'value="{start.astimezone(UTC).isoformat()}"')[1].split("</button>")[0]
    assert "aria-label" not in button
    assert f'<span class="slot-time">{start.astimezone(NEW_YORK):%H:%M}{DASH}' in button
    assert '<span class="slot-book">Book</span><span class="visually-hidden">' in button
    assert f"{start.astimezone(NEW_YORK):%a %-d %b} with Ivy Interviewer</span>" in button
    # Her own page: how peers see her, no Book buttons
    own = text(client_for(host).get(url))
    assert "This is how peers see your profile" in own and 'name="starts_at"' not in own


def test_unknown_or_inactive_peer_is_404(client_for, host, outsider):
    assert client_for(outsider).get(reverse("peer_profile", args=[424242])).status_code == 404
    host.is_active = False
    host.save(update_fields=["is_active"])
    assert client_for(outsider).get(reverse("peer_profile", args=[host.pk])).status_code == 404


# ------------------------------------------------------------------------------------------------
# Profile


def test_profile_saves_every_field(client_for, content, interviewer):
    problems = list(Problem.objects.order_by("slug").values_list("pk", flat=True)[:2])
    response = client_for(interviewer).post(
        reverse("profile"),
        {
            "display_name": "Ivy I.",
            "time_zone": "Asia/Tokyo",
            "target_role": "research_engineer",
            "level": "staff",
            "focus_problems": problems,
            "languages": " English,  Japanese ,, english ",
            "bio": "Ten years of search.",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=interviewer)
    assert (profile.display_name, profile.time_zone, profile.target_role, profile.level) == (
        "Ivy I.",
        "Asia/Tokyo",
        "research_engineer",
        "staff",
    )
    assert profile.languages == ["English", "Japanese"]
    assert profile.bio == "Ten years of search."
    assert sorted(profile.focus_problems.values_list("pk", flat=True)) == sorted(problems)
    page = text(client_for(interviewer).get(reverse("profile")))
    assert 'value="English, Japanese"' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Nowhere/Land"}, "Pick a time zone from the list"),
        ({"focus_problems": "six"}, "Pick at most 5 focus problems."),
        ({"level": "guru"}, "Select a valid choice"),
        ({"languages": "x" * 41}, "A language name is at most 40 characters."),
        ({"bio": "b" * 601}, "at most 600 characters"),
    ],
)
def test_profile_bad_input_changes_nothing(client_for, content, interviewer, change, message):
    data = {"display_name": "Changed", "time_zone": "Asia/Tokyo", "target_role": "mle", "level": "mid"}
    if change.get("focus_problems") == "six":
        change = {"focus_problems": list(Problem.objects.values_list("pk", flat=True)[:6])}
    data.update(change)
    response = client_for(interviewer).post(reverse("profile"), data)
    assert response.status_code == 200
    assert message in text(response)
    profile = Profile.objects.get(user=interviewer)
    assert (profile.display_name, profile.time_zone, profile.level) == ("Ivy Interviewer", "Europe/Paris", "")
    assert not profile.focus_problems.exists()


def test_calendar_feed_link_and_revoking_it(client_for, interviewer):
    c = client_for(interviewer)
    old = Profile.objects.get(user=interviewer).calendar_token
    page = text(c.get(reverse("profile")))
    assert f"http://testserver/calendar/{old}.ics" in page
    assert "Revoke and make a new link" in page
    response = c.post(reverse("profile_calendar_link"))
    assert response.status_code == 302 and response["Location"].endswith("#calendar-feed")
    new = Profile.objects.get(user=interviewer).calendar_token
    assert new != old
    page = text(c.get(reverse("profile")))
    assert f"/calendar/{new}.ics" in page and old not in page


def test_profile_shows_own_reliability(client_for, booking, candidate):
    ReliabilityEvent.objects.create(user=candidate, booking=booking, kind=ReliabilityEvent.Kind.NO_SHOW)
    page = text(client_for(candidate).get(reverse("profile")))
    reliability = page.split('id="reliability"')[1].split("</section>")[0]
    assert re.search(r"No-shows</dt><dd class=\"warn\">1</dd>", reliability)


# ------------------------------------------------------------------------------------------------
# Availability


def test_add_a_weekly_window(client_for, interviewer):
    c = client_for(interviewer)
    response = c.post(
        reverse("availability"),
        {"action": "weekly", "weekly-weekday": 1, "weekly-start_time": "18:00", "weekly-end_time": "20:00"},
    )
    assert response.status_code == 302
    rule = WeeklyAvailability.objects.get(user=interviewer)
    assert (rule.weekday, rule.start_time, rule.end_time, rule.time_zone) == (
        1,
        dt.time(18),
        dt.time(20),
        "Europe/Paris",
    )
    page = text(c.get(reverse("availability")))
    assert f"<strong>Tuesday</strong> 18:00{DASH}20:00" in page
    assert "follow your local clock" in page and "Europe/Paris" in page


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("18:00", "18:30", "at least 45 minutes long"),
        ("18:00", "18:00", "must end after it starts"),
        ("20:00", "18:00", "must end after it starts"),
        ("19:00", "21:00", "overlaps your weekly window Monday 18:00-20:00"),
        ("25:00", "26:00", "Enter a valid time"),
    ],
)
def test_weekly_window_bad_input(client_for, interviewer, start, end, message):
    weekly_availability_add(user=interviewer, weekday=0, start_time=dt.time(18), end_time=dt.time(20))
    before = counts()
    response = client_for(interviewer).post(
        reverse("availability"),
        {"action": "weekly", "weekly-weekday": 0, "weekly-start_time": start, "weekly-end_time": end},
    )
    assert response.status_code == 200
    assert message in text(response)
    assert counts() == before


def test_add_a_one_off_window_in_my_zone(client_for, candidate):
    # Cal is in New York: 09:00-11:00 on his clock, with that day's offset (EST or EDT).
    day = local_day(NEW_YORK, 10)
    c = client_for(candidate)
    response = c.post(
        reverse("availability"),
        {"action": "window", "window-day": day.isoformat(), "window-start_time": "09:00", "window-end_time": "11:00"},
    )
    assert response.status_code == 302
    window = AvailabilityWindow.objects.get(user=candidate)
    assert window.starts_at == dt.datetime.combine(day, dt.time(9), tzinfo=NEW_YORK)
    assert window.ends_at - window.starts_at == dt.timedelta(hours=2)
    page = text(c.get(reverse("availability")))
    assert f"{day:%a} {day.day} {day:%b %Y}</strong> 09:00{DASH}11:00" in page


@pytest.mark.parametrize(
    ("days", "start", "end", "message"),
    [
        (-1, "09:00", "11:00", "starts in the past"),
        (2, "09:00", "09:00", "must end after it starts"),
        (2, "11:00", "09:00", "must end after it starts"),
        (2, "09:00", "09:30", "at least 45 minutes long"),
        (120, "09:00", "11:00", "at most 90 days ahead"),
        (2, "10:00", "12:00", "overlaps your one-off window"),
        (2, "", "11:00", "This field is required"),
    ],
)
def test_one_off_window_bad_input(client_for, candidate, days, start, end, message):
    day = local_day(NEW_YORK, 2)
    availability_window_add(
        user=candidate,
        starts_at=dt.datetime.combine(day, dt.time(9), tzinfo=NEW_YORK),
        ends_at=dt.datetime.combine(day, dt.time(11), tzinfo=NEW_YORK),
    )
    before = counts()
    response = client_for(candidate).post(
        reverse("availability"),
        {
            "action": "window",
            "window-day": local_day(NEW_YORK, days).isoformat(),
            "window-start_time": start,
            "window-end_time": end,
        },
    )
    assert response.status_code == 200
    assert message in text(response)
    assert counts() == before


def test_remove_windows_and_nobody_removes_anothers(client_for, host, outsider):
    rule = WeeklyAvailability.objects.get(user=host)
    response = client_for(outsider).post(reverse("availability_weekly_delete", args=[rule.pk]), follow=True)
    assert "Unknown availability window." in shown_messages(response)
    assert WeeklyAvailability.objects.filter(pk=rule.pk).exists()
    response = client_for(outsider).post(reverse("availability_window_delete", args=[999999]), follow=True)
    assert "Unknown availability window." in shown_messages(response)
    response = client_for(host).post(reverse("availability_weekly_delete", args=[rule.pk]), follow=True)
    assert any("Window removed" in message for message in shown_messages(response))
    assert not WeeklyAvailability.objects.filter(pk=rule.pk).exists()


def test_availability_page_queries_do_not_grow(client_for, interviewer, django_assert_num_queries):
    c = client_for(interviewer)
    for weekday in range(3):
        weekly_availability_add(user=interviewer, weekday=weekday, start_time=dt.time(9), end_time=dt.time(11))
    with django_assert_num_queries(5):
        c.get(reverse("availability"))
    for weekday in range(3, 7):
        weekly_availability_add(user=interviewer, weekday=weekday, start_time=dt.time(9), end_time=dt.time(11))
    with django_assert_num_queries(5):
        response = c.get(reverse("availability"))
    assert text(response).count(">Remove<") == 7


# ------------------------------------------------------------------------------------------------
# Find a peer


def test_find_a_peer_lists_open_slots_in_my_zone(client_for, host, candidate, slot_start, day):
    page = text(client_for(candidate).get(reverse("slots")))
    assert "Ivy Interviewer" in page and "ivy@example.com" not in page
    assert reverse("peer_profile", args=[host.pk]) in page
    local = slot_start.astimezone(NEW_YORK)
    group = page.split(f'data-date="{local:%Y-%m-%d}"')[1].split("</section>")[0]
    # 18:00, 18:30 and 19:00 Paris are bookable for an hour; shown on Cal's New York clock
    for minutes in (0, 30, 60):
        start = slot_start + dt.timedelta(minutes=minutes)
        assert f'value="{start.isoformat()}"' in group
        assert (
            f"{start.astimezone(NEW_YORK):%H:%M}{DASH}{(start + dt.timedelta(hours=1)).astimezone(NEW_YORK):%H:%M}"
            in group
        )
    assert group.count('name="starts_at"') == 3
    assert "New on Mocklane" in group  # reliability badge


def test_find_a_peer_filters(client_for, host, candidate, outsider, slot_start, day):
    profile_update(user=host, display_name="Ivy Interviewer", time_zone="Europe/Paris", level="senior")
    weekly_availability_add(user=outsider, weekday=day.weekday(), start_time=dt.time(6), end_time=dt.time(8))
    c = client_for(candidate)

    def peers(**filters) -> set[str]:
        page = text(c.get(reverse("slots"), filters))
        return {name for name in ("Ivy Interviewer", "Otto Outsider") if name in page}

    assert peers() == {"Ivy Interviewer", "Otto Outsider"}
    assert peers(level="senior") == {"Ivy Interviewer"}
    assert peers(level="junior") == set()
    # Otto's 06:00-08:00 UTC is 01:00-03:00 or 02:00-04:00 in New York; Ivy's evening is Cal's midday.
    assert peers(hour_from=10, hour_to=16) == {"Ivy Interviewer"}
    assert peers(hour_from=22, hour_to=5) == {"Otto Outsider"}  # over midnight
    later = day + dt.timedelta(days=1)
    assert peers(from_date=later.isoformat()) == {"Ivy Interviewer", "Otto Outsider"}  # next weeks
    assert peers(from_date=later.isoformat(), to_date=(later + dt.timedelta(days=5)).isoformat()) == set()
    # A 45-minute role swap does not exist: the filter says so and lists nothing.
    response = c.get(reverse("slots"), {"mode": "swap", "duration": 45})
    assert "A role swap lasts 60 or 90 minutes" in text(response)
    assert 'name="starts_at"' not in text(response)
    response = c.get(reverse("slots"), {"from_date": later.isoformat(), "to_date": day.isoformat()})
    assert "The last day comes before the first one." in text(response)
    response = c.get(reverse("slots"), {"to_date": "9999-12-31"})
    assert "Pick a day within the next four weeks." in text(response)


def test_find_a_peer_by_focus_problem(client_for, host, candidate, content):
    problem = Problem.objects.get(slug="ad-click-prediction")
    c = client_for(candidate)
    assert "Ivy Interviewer" not in text(c.get(reverse("slots"), {"focus": problem.slug}))
    profile_update(user=host, display_name="Ivy Interviewer", time_zone="Europe/Paris", focus_problem_ids=[problem.pk])
    assert "Ivy Interviewer" in text(c.get(reverse("slots"), {"focus": problem.slug}))


def test_book_a_slot(client_for, host, candidate, slot_start):
    problem = Problem.objects.get(slug="fraudulent-accounts")
    response = client_for(candidate).post(
        reverse("slot_book"), book_data(host.pk, slot_start, problem=problem.pk), follow=True
    )
    booking = Booking.objects.get()
    assert response.redirect_chain[-1][0] == reverse("booking_detail", args=[booking.pk])
    assert any(message.startswith("Booked with Ivy Interviewer") for message in shown_messages(response))
    assert (booking.organizer, booking.peer, booking.source, booking.starts_at) == (candidate, host, "slot", slot_start)
    interview = booking.interviews.get()
    assert (interview.candidate, interview.interviewer, interview.problem) == (candidate, host, problem)
    assert interview.status == Interview.Status.ACCEPTED
    assert Hold.objects.filter(booking=booking).count() == 2


def test_book_a_role_swap(client_for, host, candidate, slot_start):
    client_for(candidate).post(reverse("slot_book"), book_data(host.pk, slot_start, mode="swap", duration_minutes=90))
    booking = Booking.objects.get()
    first, second = booking.interviews.order_by("part")
    assert booking.kind == "swap" and booking.duration_minutes == 90
    assert (first.interviewer, first.candidate, second.interviewer, second.candidate) == (
        host,
        candidate,
        candidate,
        host,
    )


@pytest.mark.parametrize(
    ("who", "change", "message"),
    [
        ("host", {}, "That is your own slot"),
        ("candidate", {"host_id": 999999}, "Unknown peer."),
        ("candidate", {"host_id": "ivy"}, "Unknown peer."),
        ("candidate", {"host_id": "outsider"}, "not in your peer's availability"),
        ("candidate", {"starts_at": "tomorrow at six"}, "could not be read"),
        ("candidate", {"starts_at": "2031-06-01T18:00:00"}, "could not be read"),  # no zone
        ("candidate", {"starts_at": "shift:+150min"}, "not in your peer's availability"),
        ("candidate", {"starts_at": "shift:-30d"}, "in the past"),
        ("candidate", {"duration_minutes": 0}, "A session lasts 45, 60, 75 or 90 minutes."),
        ("candidate", {"duration_minutes": -60}, "A session lasts 45, 60, 75 or 90 minutes."),
        ("candidate", {"mode": "swap", "duration_minutes": 45}, "A role swap lasts 60, 90 minutes."),
        ("candidate", {"mode": "boss"}, "Choose candidate, interviewer or swap."),
        ("candidate", {"problem": 999999}, "Pick a problem from the problem bank."),
    ],
)
def test_booking_bad_input_books_nothing(request, client_for, host, outsider, slot_start, who, change, message):
    user = host if who == "host" else request.getfixturevalue("candidate")
    if change.get("host_id") == "outsider":
        change = {"host_id": outsider.pk}
    starts_at = change.pop("starts_at", slot_start)
    if isinstance(starts_at, str) and starts_at.startswith("shift:"):
        amount = starts_at.removeprefix("shift:")
        delta = dt.timedelta(days=int(amount[:-1])) if amount.endswith("d") else dt.timedelta(minutes=int(amount[:-3]))
        starts_at = slot_start + delta
    before = counts()
    data = book_data(host.pk, starts_at)
    data.update(change)
    response = client_for(user).post(reverse("slot_book"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("slots")
    errors = [m for m in shown_messages(response) if m.startswith("Nothing was booked")]
    assert errors and message in errors[0], shown_messages(response)
    assert counts() == before


def test_a_taken_slot_gives_a_clear_message_and_a_fresh_list(client_for, host, candidate, outsider, slot_start):
    client_for(outsider).post(reverse("slot_book"), book_data(host.pk, slot_start))
    before = counts()
    next_url = reverse("slots") + "?level=&mode=candidate"
    response = client_for(candidate).post(
        reverse("slot_book"), {**book_data(host.pk, slot_start), "next": next_url}, follow=True
    )
    assert response.redirect_chain[-1][0] == next_url
    assert any("just taken" in message for message in shown_messages(response))
    assert counts() == before
    # The refreshed list no longer offers the taken hour (18:00) nor the half hour overlapping it.
    assert f'value="{slot_start.isoformat()}"' not in text(response)


def test_book_returns_only_to_pages_of_this_site(client_for, host, candidate, slot_start):
    data = {**book_data(host.pk, slot_start, mode="boss"), "next": "https://evil.example/phish"}
    response = client_for(candidate).post(reverse("slot_book"), data)
    assert response["Location"] == reverse("slots")


def test_find_a_peer_queries_do_not_grow_with_peers(client_for, content, candidate, day, django_assert_num_queries):
    def add_peer(n):
        user = UserFactory(username=f"peer{n}")
        profile_update(user=user, display_name=f"Peer {n}", time_zone="Europe/Paris", focus_problem_ids=[])
        weekly_availability_add(user=user, weekday=day.weekday(), start_time=dt.time(9), end_time=dt.time(12))

    c = client_for(candidate)
    for n in range(2):
        add_peer(n)
    with django_assert_num_queries(13):
        c.get(reverse("slots"))
    for n in range(2, 6):
        add_peer(n)
    with django_assert_num_queries(13):
        response = c.get(reverse("slots"))
    assert all(f"Peer {n}" in text(response) for n in range(6))


# ------------------------------------------------------------------------------------------------
# The match queue


def window_rows(*rows) -> dict:
    data = {}
    for i, (day, start, end) in enumerate(rows):
        data.update({f"window_{i}_day": day, f"window_{i}_start": start, f"window_{i}_end": end})
    return data


def test_join_the_queue(client_for, content, candidate):
    day = local_day(NEW_YORK, 4)
    c = client_for(candidate)
    page = text(c.get(reverse("queue")))
    assert page.count('class="window-input') == 10 and page.count(" hidden>") == 7  # three rows to start with
    response = c.post(
        reverse("queue"),
        {"mode": "candidate", "duration": 60, **window_rows((day.isoformat(), "09:00", "12:00"), ("", "", ""))},
        follow=True,
    )
    entry = MatchRequest.objects.get(user=candidate)
    assert (entry.status, entry.mode, entry.duration_minutes) == ("open", "candidate", 60)
    window = entry.windows.get()
    assert window.starts_at == dt.datetime.combine(day, dt.time(9), tzinfo=NEW_YORK)
    assert window.ends_at == dt.datetime.combine(day, dt.time(12), tzinfo=NEW_YORK)
    assert any("You are in the queue" in message for message in shown_messages(response))
    waiting = text(response).split('id="waiting"')[1].split("</section>")[0]
    assert f"09:00{DASH}12:00" in waiting and "Leave the queue" in waiting
    assert 'id="join"' not in text(response)


@pytest.mark.parametrize(
    ("rows", "extra", "message"),
    [
        ([], {}, "Give at least one window"),
        ([(4, "09:00", "")], {}, "Window 1: give a date, a start and an end."),
        ([(-2, "09:00", "12:00")], {}, "A window starts in the past"),
        ([(4, "09:00", "09:00")], {}, "Each window must end after it starts."),
        ([(4, "12:00", "09:00")], {}, "Each window must end after it starts."),
        ([(4, "09:00", "09:30")], {}, "Each window must fit a 60-minute session."),
        ([(4, "09:00", "12:00"), (4, "11:00", "13:00")], {}, "Two of your windows overlap"),
        ([(40, "09:00", "12:00")], {}, "at most 4 weeks ahead"),
        ([(4, "09:00", "12:00")], {"mode": "swap", "duration": 45}, "60, 90 minutes"),
        ([(4, "09:00", "12:00")], {"mode": "everything"}, "Select a valid choice"),
        ([(4, "09:00", "12:00")], {"duration": 0}, "Select a valid choice"),
    ],
)
def test_queue_bad_input_changes_nothing(client_for, content, candidate, rows, extra, message):
    data = {"mode": "candidate", "duration": 60, **extra}
    data.update(window_rows(*[(local_day(NEW_YORK, d).isoformat(), s, e) for d, s, e in rows]))
    before = counts()
    response = client_for(candidate).post(reverse("queue"), data)
    assert response.status_code == 200
    assert message in text(response)
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_joining_matches_at_once_and_lands_on_the_booking(client_for, content, interviewer, candidate):
    """The queue runs as soon as the request is committed (inline here, as without a broker)."""
    day = local_day(NEW_YORK, 4)
    window = (
        dt.datetime.combine(day, dt.time(9), tzinfo=NEW_YORK),
        dt.datetime.combine(day, dt.time(12), tzinfo=NEW_YORK),
    )
    match_request_create(user=interviewer, mode="interviewer", duration_minutes=60, windows=[window])
    response = client_for(candidate).post(
        reverse("queue"), {"mode": "candidate", "duration": 60, **window_rows((day.isoformat(), "09:00", "12:00"))}
    )
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("booking_detail", args=[booking.pk])
    assert booking.source == "match" and booking.starts_at == window[0]
    interview = booking.interviews.get()
    assert (interview.interviewer, interview.candidate) == (interviewer, candidate)
    history = text(client_for(candidate).get(reverse("queue"))).split('id="history"')[1]
    assert reverse("booking_detail", args=[booking.pk]) in history and "Matched" in history


def test_leave_the_queue(client_for, content, interviewer, candidate):
    day = local_day(NEW_YORK, 4)
    window = (
        dt.datetime.combine(day, dt.time(9), tzinfo=NEW_YORK),
        dt.datetime.combine(day, dt.time(12), tzinfo=NEW_YORK),
    )
    entry = match_request_create(user=candidate, mode="candidate", duration_minutes=60, windows=[window])
    # Someone else's entry: as good as unknown
    assert client_for(interviewer).post(reverse("queue_leave", args=[entry.pk])).status_code == 404
    assert client_for(interviewer).post(reverse("queue_leave", args=[entry.pk + 1])).status_code == 404
    entry.refresh_from_db()
    assert entry.status == "open"
    c = client_for(candidate)
    response = c.post(reverse("queue_leave", args=[entry.pk]), follow=True)
    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert "You left the queue." in shown_messages(response)
    assert 'id="join"' in text(response) and "Left the queue" in text(response)
    # Leaving twice is refused with a sentence, not an error page
    response = c.post(reverse("queue_leave", args=[entry.pk]), follow=True)
    assert any("no longer waiting" in message for message in shown_messages(response))


def test_joining_twice_is_refused_with_a_message(client_for, content, candidate):
    day = local_day(NEW_YORK, 4)
    window = (
        dt.datetime.combine(day, dt.time(9), tzinfo=NEW_YORK),
        dt.datetime.combine(day, dt.time(12), tzinfo=NEW_YORK),
    )
    match_request_create(user=candidate, mode="candidate", duration_minutes=60, windows=[window])
    before = counts()
    response = client_for(candidate).post(
        reverse("queue"), {"mode": "either", "duration": 60, **window_rows((day.isoformat(), "13:00", "15:00"))}
    )
    assert any("already in the queue" in message for message in shown_messages(response))
    assert counts() == before


def test_queue_page_queries_do_not_grow(client_for, content, candidate, django_assert_num_queries):
    day = local_day(NEW_YORK, 4)

    def join_and_leave(n):
        start = dt.datetime.combine(day, dt.time(9), tzinfo=NEW_YORK) + dt.timedelta(days=n)
        entry = match_request_create(
            user=candidate, mode="candidate", duration_minutes=60, windows=[(start, start + dt.timedelta(hours=2))]
        )
        MatchRequest.objects.filter(pk=entry.pk).update(status="cancelled")

    c = client_for(candidate)
    join_and_leave(0)
    with django_assert_num_queries(5):
        c.get(reverse("queue"))
    for n in range(1, 5):
        join_and_leave(n)
    with django_assert_num_queries(5):
        response = c.get(reverse("queue"))
    assert text(response).count("Left the queue") == 5


# ------------------------------------------------------------------------------------------------
# The booking page


def test_booking_page_shows_each_side_in_its_own_zone(client_for, booking, interviewer, candidate, slot_start):
    paris, new_york = slot_start.astimezone(PARIS), slot_start.astimezone(NEW_YORK)
    ivy = text(client_for(interviewer).get(reverse("booking_detail", args=[booking.pk])))
    cal = text(client_for(candidate).get(reverse("booking_detail", args=[booking.pk])))
    assert f"{paris:%H:%M}{DASH}" in ivy.split('class="when"')[1].split("</p>")[0]
    assert f"For Cal Candidate: {new_york:%a} {new_york.day} {new_york:%b, %H:%M}" in ivy and "America/New_York" in ivy
    assert f"{new_york:%H:%M}{DASH}" in cal.split('class="when"')[1].split("</p>")[0]
    assert f"For Ivy Interviewer: {paris:%a} {paris.day} {paris:%b, %H:%M}" in cal and "Europe/Paris" in cal
    interview = booking.interviews.get()
    for page in (ivy, cal):
        assert reverse("booking_invite_ics", args=[booking.pk]) in page
        assert reverse("interview_detail", args=[interview.pk]) in page
        assert "The room opens at" in page and "Confirmed" in page
        assert "ivy@example.com" not in page and "cal@example.com" not in page
    assert "you interview Cal Candidate" in ivy and "Ivy Interviewer interviews you" in cal


def test_swap_booking_page_lists_both_halves(client_for, host, candidate, slot_start):
    booking = booking_book_slot(user=candidate, host_id=host.pk, starts_at=slot_start, mode="swap", duration_minutes=90)
    page = text(client_for(candidate).get(reverse("booking_detail", args=[booking.pk])))
    first, second = booking.interviews.order_by("part")
    assert "Role swap with Ivy Interviewer" in page
    part1 = page.split('id="part-1"')[1].split("</li>")[0]
    part2 = page.split('id="part-2"')[1].split("</li>")[0]
    assert "Ivy Interviewer interviews you" in part1 and reverse("interview_detail", args=[first.pk]) in part1
    assert "you interview Ivy Interviewer" in part2 and reverse("interview_detail", args=[second.pk]) in part2
    # the candidate meets their own problem in the room; the one they will ask is theirs to prepare
    assert first.problem.title not in part1 and "revealed when the room opens" in part1
    assert second.problem.title in part2


def test_reschedule(client_for, booking, candidate, day):
    new_day = day + dt.timedelta(days=7)
    response = client_for(candidate).post(
        reverse("booking_reschedule", args=[booking.pk]),
        {"day": new_day.isoformat(), "start_time": "12:30", "reason": "A clash at work"},
        follow=True,
    )
    booking.refresh_from_db()
    assert booking.starts_at == dt.datetime.combine(new_day, dt.time(12, 30), tzinfo=NEW_YORK)
    assert booking.sequence == 1
    assert any(message.startswith("Moved to") for message in shown_messages(response))
    history = text(response).split('id="history"')[1]
    assert "A clash at work" in history and "You" in history


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "past", "start_time": "12:00", "reason": "Sorry"}, "in the past"),
        ({"day": "same", "start_time": "same", "reason": "Sorry"}, "That is the time it already has."),
        ({"day": "next", "start_time": "12:00", "reason": ""}, "Give your peer a short reason."),
        ({"day": "next", "start_time": "12:00", "reason": "x"}, "Give your peer a short reason."),
        ({"day": "next", "start_time": "99:00", "reason": "Sorry"}, "Enter a valid time"),
        ({"day": "far", "start_time": "12:00", "reason": "Sorry"}, "up to 4 weeks ahead"),
    ],
)
def test_reschedule_bad_input_changes_nothing(client_for, booking, candidate, day, data, message):
    local = booking.starts_at.astimezone(NEW_YORK)
    days = {"past": local_day(NEW_YORK, -1), "same": local.date(), "next": day + dt.timedelta(days=1)}
    days["far"] = local_day(NEW_YORK, 40)
    data = {**data, "day": days[data["day"]].isoformat()}
    if data["start_time"] == "same":
        data["start_time"] = f"{local:%H:%M}"
    before = counts()
    response = client_for(candidate).post(reverse("booking_reschedule", args=[booking.pk]), data)
    assert response.status_code == 200
    assert message in text(response)
    assert counts() == before
    booking.refresh_from_db()
    assert booking.sequence == 0


def test_reschedule_onto_a_busy_time_is_refused(client_for, booking, host, outsider, candidate, day):
    later = dt.datetime.combine(day + dt.timedelta(days=7), dt.time(18), tzinfo=PARIS)
    booking_book_slot(user=outsider, host_id=host.pk, starts_at=later, mode="candidate")
    before = counts()
    response = client_for(candidate).post(
        reverse("booking_reschedule", args=[booking.pk]),
        {
            "day": later.astimezone(NEW_YORK).date().isoformat(),
            "start_time": f"{later.astimezone(NEW_YORK):%H:%M}",
            "reason": "Sorry",
        },
    )
    assert "Your peer already has a session at that time." in text(response)
    assert counts() == before


def test_cancel(client_for, booking, interviewer, candidate):
    page = text(client_for(candidate).get(reverse("booking_detail", args=[booking.pk])))
    assert "leaves no mark on your profile" in page and "late-warning" not in page
    response = client_for(candidate).post(
        reverse("booking_cancel", args=[booking.pk]), {"reason": "Got the offer!"}, follow=True
    )
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancel_reason == "Got the offer!"
    assert not Hold.objects.filter(booking=booking).exists()
    assert not ReliabilityEvent.objects.exists()
    page = text(response)
    assert "Called off by Cal Candidate" in page and "Got the offer!" in page
    assert 'id="cancel"' not in page and 'id="reschedule"' not in page  # nothing left to change
    other = text(client_for(interviewer).get(reverse("booking_detail", args=[booking.pk])))
    assert "Called off by Cal Candidate" in other


def test_cancel_needs_a_reason(client_for, booking, candidate):
    before = counts()
    response = client_for(candidate).post(reverse("booking_cancel", args=[booking.pk]), {"reason": " "})
    assert "Give your peer a short reason." in text(response)
    assert counts() == before
    booking.refresh_from_db()
    assert booking.status == "active"


def test_late_cancellation_is_announced_and_recorded(client_for, interviewer, candidate, content):
    soon = timezone.now() + dt.timedelta(hours=5)
    soon = soon.replace(minute=0, second=0, microsecond=0)
    availability_window_add(user=interviewer, starts_at=soon, ends_at=soon + dt.timedelta(hours=2))
    booking = booking_book_slot(user=candidate, host_id=interviewer.pk, starts_at=soon, mode="candidate")
    Booking.objects.filter(pk=booking.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    c = client_for(candidate)
    page = text(c.get(reverse("booking_detail", args=[booking.pk])))
    assert "recorded as a late cancellation" in page and "recorded as a late reschedule" in page
    c.post(reverse("booking_cancel", args=[booking.pk]), {"reason": "Sick today"})
    assert ReliabilityEvent.objects.filter(user=candidate, kind="late_cancel").count() == 1
    history = text(c.get(reverse("booking_detail", args=[booking.pk]))).split('id="history"')[1]
    assert "Sick today" in history and ">late<" in history
    peer_view = text(client_for(interviewer).get(reverse("peer_profile", args=[candidate.pk])))
    assert re.search(r"Late cancellations</dt><dd class=\"warn\">1</dd>", peer_view)
    assert "1 late or missed" in peer_view


def test_invitee_answers_from_the_booking_page(client_for, invited_interview, interviewer, candidate):
    url = reverse("booking_detail", args=[invited_interview.booking_id])
    page = text(client_for(candidate).get(url))
    assert reverse("interview_accept", args=[invited_interview.pk]) in page and "Waiting for an answer" in page
    assert "Waiting for Cal Candidate to accept" in text(client_for(interviewer).get(url))


def test_interview_detail_links_its_booking_and_tells_when_the_room_opens(client_for, booking, candidate):
    interview = booking.interviews.get()
    page = text(client_for(candidate).get(reverse("interview_detail", args=[interview.pk])))
    assert reverse("booking_detail", args=[booking.pk]) in page
    opens = (interview.scheduled_at - dt.timedelta(minutes=10)).astimezone(NEW_YORK)
    assert f"The room opens at {opens:%H:%M}" in page
    assert reverse("interview_room", args=[interview.pk]) not in page


# ------------------------------------------------------------------------------------------------
# Dashboard: the week, the checklist


def test_week_shows_the_booking_at_each_persons_local_time(client_for, booking, interviewer, candidate, slot_start):
    end = slot_start + dt.timedelta(hours=1)
    for user, tz in ((interviewer, PARIS), (candidate, NEW_YORK)):
        local = slot_start.astimezone(tz)
        response = client_for(user).get(reverse("dashboard"), {"week": local.date().isoformat()})
        page = text(response)
        week = page.split('id="week"')[1].split("</section>")[0]
        column = week.split(f'data-date="{local:%Y-%m-%d}"')[1].split('class="week-day')[0]
        assert f"{local:%H:%M}{DASH}{end.astimezone(tz):%H:%M}" in column
        assert reverse("booking_detail", args=[booking.pk]) in column
        assert f"Week of {monday_of(local.date()).day} " in week


def test_week_navigation(client_for, interviewer):
    c = client_for(interviewer)
    today = timezone.now().astimezone(PARIS).date()
    monday = monday_of(today)
    page = text(c.get(reverse("dashboard")))
    week = page.split('id="week"')[1].split("</section>")[0]
    assert f"?week={monday - dt.timedelta(days=7):%Y-%m-%d}" in week
    assert f"?week={monday + dt.timedelta(days=7):%Y-%m-%d}" in week
    assert f'class="week-day today" data-date="{today:%Y-%m-%d}"' in week
    later = text(c.get(reverse("dashboard"), {"week": (monday + dt.timedelta(days=9)).isoformat()}))
    assert f'data-date="{monday + dt.timedelta(days=7):%Y-%m-%d}"' in later and "week-day today" not in later
    assert "This week" in later
    for bad in ("garbage", "0001-01-01", "2031-02-30"):
        assert c.get(reverse("dashboard"), {"week": bad}).status_code == 200


def test_week_shows_open_availability(client_for, host, day):
    page = text(client_for(host).get(reverse("dashboard"), {"week": day.isoformat()}))
    column = page.split(f'data-date="{day:%Y-%m-%d}"')[1].split('class="week-day')[0]
    assert 'class="block available"' in column and f"18:00{DASH}20:00" in column


def test_getting_started_hides_the_steps_done(client_for, content, day):
    newcomer = UserFactory(username="newbie")
    c = client_for(newcomer)

    def steps():
        page = text(c.get(reverse("dashboard")))
        if 'id="getting-started"' not in page:
            return []
        card = page.split('id="getting-started"')[1].split("</section>")[0]
        return re.findall(r'data-step="(\w+)"', card)

    assert steps() == ["profile", "availability", "book"]
    profile_update(user=newcomer, display_name="New Bee", time_zone="UTC", target_role="mle", level="junior")
    assert steps() == ["availability", "book"]
    weekly_availability_add(user=newcomer, weekday=2, start_time=dt.time(9), end_time=dt.time(10))
    assert steps() == ["book"]
    start = dt.datetime.combine(local_day(UTC, 5), dt.time(9), tzinfo=UTC)
    match_request_create(
        user=newcomer, mode="either", duration_minutes=60, windows=[(start, start + dt.timedelta(hours=2))]
    )
    assert steps() == []


def test_dashboard_queries_do_not_grow(client_for, host, candidate, outsider, day, django_assert_num_queries):
    c = client_for(candidate)
    start = dt.datetime.combine(day, dt.time(18), tzinfo=PARIS)
    booking_book_slot(user=candidate, host_id=host.pk, starts_at=start, mode="candidate")
    with django_assert_num_queries(11):
        c.get(reverse("dashboard"), {"week": day.isoformat()})
    booking_book_slot(user=candidate, host_id=host.pk, starts_at=start + dt.timedelta(hours=1), mode="swap")
    weekly_availability_add(user=outsider, weekday=day.weekday(), start_time=dt.time(6), end_time=dt.time(9))
    booking_book_slot(
        user=candidate,
        host_id=outsider.pk,
        starts_at=dt.datetime.combine(day, dt.time(6), tzinfo=UTC),
        mode="interviewer",
    )
    with django_assert_num_queries(11):
        response = c.get(reverse("dashboard"), {"week": day.isoformat()})
    assert text(response).count('class="block session') == 4


def test_nav_links(client_for, outsider):
    page = text(client_for(outsider).get(reverse("dashboard")))
    nav = page.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    for name, label in (("slots", "Find a peer"), ("availability", "Availability"), ("queue", "Queue")):
        assert f'href="{reverse(name)}"' in nav and label in nav
    assert 'href="/dashboard/" aria-current="page"' in nav


def test_open_slots_selector_and_page_agree(client_for, host, candidate):
    """The page offers exactly what the selector computes, nothing invented on the way."""
    expected = {slot.starts_at.isoformat() for slot in open_slots(viewer=candidate)}
    page = text(client_for(candidate).get(reverse("slots")))
    assert set(re.findall(r'name="starts_at" value="([^"]+)"', page)) == expected


# ------------------------------------------------------------------------------------------------
# The demo data `make run` loads


def test_after_seed_demo_a_newcomer_sees_open_slots_and_the_demo_room_opens(client_for, content, capsys):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: the same accounts, windows and interview
    User = get_user_model()
    demo = {user.username: user for user in User.objects.filter(username__startswith="demo-")}
    assert set(demo) == {"demo-interviewer", "demo-candidate", "demo-peer"}
    assert {user.profile.time_zone for user in demo.values()} == {"Europe/Paris", "America/New_York", "Asia/Kolkata"}
    assert all(user.profile.level and user.profile.focus_problems.exists() for user in demo.values())
    assert WeeklyAvailability.objects.filter(user=demo["demo-peer"]).count() == 12

    newcomer = UserFactory(username="newbie")
    page = text(client_for(newcomer).get(reverse("slots")))
    for name in ("Demo Interviewer", "Demo Candidate", "Demo Peer"):
        assert name in page
    assert page.count('name="starts_at"') >= 100

    interview = Interview.objects.get()
    out = capsys.readouterr().out
    assert f"/interviews/{interview.pk}/room/" in out
    assert client_for(demo["demo-candidate"]).get(reverse("interview_room", args=[interview.pk])).status_code == 200


def test_seed_demo_after_the_demo_interview_ended_schedules_a_new_one(client_for, content, capsys):
    from django.core.management import call_command

    from interview.services import interview_end

    call_command("seed_demo")
    first = Interview.objects.get()
    interview_end(interview=first, user=first.interviewer)
    call_command("seed_demo")
    second = Interview.objects.exclude(pk=first.pk).get()
    # Ending it early freed both people, so the new one starts within the lead time, its room open.
    assert second.scheduled_at < first.booking.ends_at
    assert second.scheduled_at - timezone.now() <= dt.timedelta(minutes=5)
    out = capsys.readouterr().out
    assert f"/interviews/{second.pk}/room/" in out and "it opens at" not in out


def test_a_candidate_meets_a_problem_they_did_not_choose_in_the_room(client_for, booking, host, candidate):
    """Everywhere the candidate looks before the room opens, the problem stays hidden; the
    interviewer sees it to prepare; once the room opens the candidate sees it too."""
    interview = booking.interviews.get()
    title = interview.problem.title
    as_candidate, as_host = client_for(candidate), client_for(host)
    pages = [
        reverse("dashboard"),
        reverse("interview_detail", args=[interview.pk]),
        reverse("booking_detail", args=[booking.pk]),
    ]
    for url in pages:
        assert title not in text(as_candidate.get(url)), url
        assert title in text(as_host.get(url)), url
    assert as_candidate.get(f"/api/interviews/{interview.pk}/").json()["problem"] is None
    assert as_candidate.get(f"/api/bookings/{booking.pk}/").json()["parts"][0]["problem"] is None
    assert as_host.get(f"/api/interviews/{interview.pk}/").json()["problem"]["title"] == title
    review = as_candidate.get(reverse("interview_review", args=[interview.pk]))
    assert review.status_code == 302 and review.url == reverse("interview_detail", args=[interview.pk])

    Interview.objects.filter(pk=interview.pk).update(scheduled_at=timezone.now() + dt.timedelta(minutes=5))
    for url in pages:
        assert title in text(as_candidate.get(url)), url
    assert as_candidate.get(f"/api/interviews/{interview.pk}/").json()["problem"]["title"] == title
    assert as_candidate.get(reverse("interview_review", args=[interview.pk])).status_code == 200
