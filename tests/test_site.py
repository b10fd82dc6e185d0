"""Site-wide polish: a favicon on every page, one 24-hour clock, account e-mails from Mocklane,
confirmations before irreversible one-click actions (no inline script), the admin's names."""

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.core import mail
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from interview.models import WeeklyAvailability
from interview.services import availability_window_add
from review.services.sharing import review_share_create
from tests.review.review_data import build_finished


def test_favicon_is_served_and_named_by_every_page(client, client_for, outsider, content):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    for page in (client.get("/"), client_for(outsider).get(reverse("dashboard"))):
        html = page.content.decode()
        icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
        assert client.get(icon).status_code == 200


def test_times_without_a_format_use_the_24_hour_clock(settings):
    moment = dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC)
    text = Template("{{ t }} | {{ t|time }} | {{ t|date:'SHORT_DATETIME_FORMAT' }}").render(Context({"t": moment}))
    assert "14:30" in text and "p.m." not in text and "PM" not in text
    assert text.count("14:30") == 3


def test_pages_show_no_12_hour_times(client_for, interview, interviewer, candidate):
    for user, url in (
        (interviewer, reverse("dashboard")),
        (candidate, reverse("booking_detail", args=[interview.booking_id])),
        (candidate, reverse("interview_detail", args=[interview.pk])),
    ):
        html = client_for(user).get(url).content.decode()
        assert not re.search(r"\d{1,2}(:\d\d)?\s?([ap]\.m\.|[AP]M)\b", html), url


def test_account_emails_are_branded_mocklane_not_the_host(client, content):
    cache.clear()  # allauth rate-limits confirmation e-mails per address in the cache
    response = client.post(
        reverse("account_signup"),
        {
            "username": "brandnew",
            "email": "brandnew@example.com",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
            "display_name": "New Bee",
            "time_zone": "Europe/Paris",
        },
        HTTP_HOST="127.0.0.1",
    )
    assert response.status_code == 302
    assert mail.outbox, "sign-up sends a confirmation"
    message = mail.outbox[-1]
    assert message.subject.startswith("[Mocklane] ")
    assert "Mocklane" in message.body and "127.0.0.1" not in message.subject
    assert "from 127.0.0.1" not in message.body


def test_the_admin_says_weekly_availability():
    assert WeeklyAvailability._meta.verbose_name_plural == "weekly availability"
    assert admin.site.is_registered(WeeklyAvailability)


def _confirm_of(html: str, marker: str) -> str:
    """The data-confirm text of the tag that contains `marker`."""
    tag = next(t for t in re.findall(r"<(?:form|button)\b[^>]*>", html) if marker in t)
    found = re.search(r'data-confirm="([^"]+)"', tag)
    assert found, tag
    return found.group(1)


def test_irreversible_one_click_actions_ask_first(client_for, interview, interviewer, candidate, outsider):
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=1)
    availability_window_add(user=outsider, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    slots = client_for(candidate).get(reverse("slots")).content.decode()
    assert "Book " in _confirm_of(slots, 'name="starts_at"')
    booking = client_for(candidate).get(reverse("booking_detail", args=[interview.booking_id])).content.decode()
    assert "Cancel this session" in _confirm_of(booking, reverse("booking_cancel", args=[interview.booking_id]))
    profile = client_for(candidate).get(reverse("profile")).content.decode()
    assert "stops working" in _confirm_of(profile, reverse("profile_calendar_link"))
    finished = build_finished(interview, interviewer, candidate)
    share = review_share_create(interview=finished.interview, user=candidate, label="mentor")
    review = client_for(candidate).get(reverse("interview_review", args=[interview.pk])).content.decode()
    revoke = review[review.index(reverse("review_share_revoke", args=[interview.pk, share.pk])) :]
    assert "Revoke this link" in _confirm_of(revoke, "Revoke")
    scorecard = client_for(interviewer).get(reverse("interview_scorecard", args=[interview.pk])).content.decode()
    assert "Submit and lock" in _confirm_of(scorecard, 'value="submit"')
    for html in (slots, booking, profile, scorecard):
        assert "onsubmit=" not in html
        assert re.search(r'<script src="[^"]*js/site\.js" defer>', html)


@pytest.mark.parametrize("path", ["js/site.js", "favicon.svg", "favicon.ico"])
def test_static_assets_exist(client, path):
    from django.contrib.staticfiles import finders

    assert finders.find(path) is not None


def test_shared_review_says_which_zone_it_shows(client, interview, interviewer, candidate):
    finished = build_finished(interview, interviewer, candidate)
    share = review_share_create(interview=finished.interview, user=candidate, label="")
    html = client.get(reverse("shared_review", args=[share.token])).content.decode()
    zone = re.search(r'<span id="review-zone">\(times in ([^,]+), 24-hour clock\)</span>', html)
    assert zone and zone.group(1) == "UTC"
