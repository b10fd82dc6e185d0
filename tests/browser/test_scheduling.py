"""One person publishes availability, another books it, both see the session in their own zone.

Ivy lives in Paris and Cal in New York. Ivy adds a weekly window on the Availability page; Cal
finds it on Find a peer and books it; each dashboard then shows the session on its owner's clock.
Real Chromium against the whole ASGI app; every wait is on a condition, never a fixed sleep.
"""

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from interview.models import Booking

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # WhiteNoise hands Django's ASGI handler a synchronous file iterator for static files.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DASH = "\u2013"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def log_in(page, base_url, user, password):
    page.goto(base_url + reverse("account_login"))
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form[method=post] button[type=submit]").click()
    assert reverse("account_login") not in page.url, f"{user.username} could not log in"


def listed(moment: dt.datetime) -> str:
    """How the dashboard lists a start time: "Wed 3 Jun 2026, 18:00"."""
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M}"


def test_availability_is_booked_and_both_dashboards_show_it_in_their_own_zone(
    live_asgi_server, new_page, content, interviewer, candidate, password
):
    from playwright.sync_api import expect

    base = live_asgi_server
    day = (timezone.now().astimezone(PARIS) + dt.timedelta(days=3)).date()
    start = dt.datetime.combine(day, dt.time(18), tzinfo=PARIS)
    end = start + dt.timedelta(hours=1)

    # Ivy, in Paris, is free every week on that weekday from 18:00 to 20:00 her time.
    ivy = new_page()
    log_in(ivy, base, interviewer, password)
    ivy.goto(base + reverse("availability"))
    ivy.select_option("#id_weekly-weekday", str(day.weekday()))
    ivy.fill("#id_weekly-start_time", "18:00")
    ivy.fill("#id_weekly-end_time", "20:00")
    with ivy.expect_navigation():
        ivy.get_by_role("button", name="Add weekly window").click()
    expect(ivy.locator(".messages")).to_contain_text("Weekly window added")
    expect(ivy.locator("#weekly")).to_contain_text(f"{WEEKDAYS[day.weekday()]} 18:00{DASH}20:00")

    # Cal, in New York, finds her 18:00 slot on his own clock and books it.
    cal = new_page()
    log_in(cal, base, candidate, password)
    cal.goto(base + reverse("slots"))
    slot = cal.locator(f'button[name="starts_at"][value="{start.astimezone(dt.UTC).isoformat()}"]')
    cal_start, cal_end = start.astimezone(NEW_YORK), end.astimezone(NEW_YORK)
    expect(slot).to_contain_text(f"{cal_start:%H:%M}{DASH}{cal_end:%H:%M}")
    expect(cal.locator(f'.slot-row[data-peer="{interviewer.pk}"]').first).to_contain_text("Ivy Interviewer")
    asked = []  # booking asks first (static/js/site.js); accept
    cal.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with cal.expect_navigation():
        slot.click()
    cal.wait_for_url(re.compile(r"/bookings/\d+/$"))
    assert asked and asked[0].startswith("Book ") and "Ivy Interviewer" in asked[0]
    expect(cal.locator(".messages")).to_contain_text("Booked with Ivy Interviewer")
    booking = Booking.objects.get()
    assert (booking.organizer_id, booking.peer_id, booking.starts_at) == (candidate.pk, interviewer.pk, start)

    # Each dashboard shows the session at its owner's local time: in the list and in the week.
    shown = {}
    for page, tz in ((ivy, PARIS), (cal, NEW_YORK)):
        local_start, local_end = start.astimezone(tz), end.astimezone(tz)
        page.goto(base + reverse("dashboard") + f"?week={local_start.date().isoformat()}")
        expect(page.locator("#upcoming")).to_contain_text(listed(local_start))
        block = page.locator(f'.week-day[data-date="{local_start:%Y-%m-%d}"] .block.session')
        expect(block).to_have_count(1)
        expect(block).to_contain_text(f"{local_start:%H:%M}{DASH}{local_end:%H:%M}")
        shown[tz.key] = block.locator("time").inner_text()
    # The same instant, five or six hours apart on the two clocks (as the two zones' offsets say).
    gap = start.astimezone(PARIS).utcoffset() - start.astimezone(NEW_YORK).utcoffset()
    assert gap in (dt.timedelta(hours=5), dt.timedelta(hours=6))
    assert shown["Europe/Paris"] == f"18:00{DASH}19:00"
    assert (
        shown["America/New_York"]
        == f"{(start - gap).replace(tzinfo=None):%H:%M}{DASH}{(end - gap).replace(tzinfo=None):%H:%M}"
    )
