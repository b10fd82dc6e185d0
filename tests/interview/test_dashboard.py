"""The dashboard: sessions called off before their time are not "past"; they say "called off"."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from interview.models import Interview
from interview.selectors import dashboard_for
from interview.services import booking_cancel, interview_decline


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_a_cancelled_future_session_is_called_off_not_past(client_for, interview, interviewer, candidate):
    booking_cancel(booking=interview.booking, user=candidate, reason="Got the offer!")
    for person in (interviewer, candidate):
        board = dashboard_for(user=person)
        assert [i.pk for i in board["called_off"]] == [interview.pk] and board["past"] == []
        html = client_for(person).get(reverse("dashboard")).content.decode()
        assert reverse("interview_detail", args=[interview.pk]) in _section(html, "called-off")
        assert reverse("interview_detail", args=[interview.pk]) not in _section(html, "past")
        assert "Called off" in _section(html, "called-off")
    booking = client_for(interviewer).get(reverse("booking_detail", args=[interview.booking_id])).content.decode()
    assert "Called off by Cal Candidate" in booking


def test_once_its_time_passed_a_called_off_session_is_past(interview, interviewer):
    booking_cancel(booking=interview.booking, user=interviewer, reason="Travelling")
    later = timezone.now() + dt.timedelta(hours=2)
    board = dashboard_for(user=interviewer, now=later)
    assert board["called_off"] == [] and [i.pk for i in board["past"]] == [interview.pk]


def test_a_declined_invitation_for_later_is_called_off(invited_interview, candidate, interviewer):
    Interview.objects.filter(pk=invited_interview.pk).update(scheduled_at=timezone.now() + dt.timedelta(days=2))
    interview_decline(interview=Interview.objects.get(pk=invited_interview.pk), user=candidate)
    board = dashboard_for(user=interviewer)
    assert [i.pk for i in board["called_off"]] == [invited_interview.pk] and board["past"] == []


def test_completed_interviews_stay_past(interview, interviewer):
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.COMPLETED)
    board = dashboard_for(user=interviewer)
    assert [i.pk for i in board["past"]] == [interview.pk] and board["called_off"] == []
