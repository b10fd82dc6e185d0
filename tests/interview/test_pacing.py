"""Step budgets scale to the session's length, and finished steps carry the time they took: in the
room's step tracker data and on the review page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from interview import services
from interview.models import Interview, TranscriptEvent
from interview.pacing import scaled_budgets, step_times
from interview.selectors import room_state_for

RUBRIC = [6, 6, 8, 8, 7, 7, 6]  # the bundled rubric's budgets, written for 60 minutes


@pytest.mark.parametrize(
    ("minutes", "budgets"),
    [
        (60, [6, 6, 8, 8, 7, 7, 6]),
        (30, [3, 3, 4, 4, 4, 3, 3]),  # a half of a 60-minute swap
        (45, [5, 5, 6, 6, 5, 5, 4]),  # a half of a 90-minute swap, or a 45-minute session
        (90, [9, 9, 12, 12, 11, 10, 9]),
    ],
)
def test_budgets_scale_with_the_length_and_still_add_up(minutes, budgets):
    scaled = scaled_budgets(RUBRIC, duration_minutes=minutes)
    assert scaled == budgets
    assert sum(scaled) == round(sum(RUBRIC) * minutes / 60)


def test_every_budget_is_at_least_a_minute():
    assert scaled_budgets([1, 1, 30], duration_minutes=15) == [1, 1, 7]
    assert scaled_budgets([], duration_minutes=30) == []


def test_the_room_gets_budgets_for_its_own_length(interview, interviewer, content):
    Interview.objects.filter(pk=interview.pk).update(duration_minutes=30)
    interview.refresh_from_db()
    state = room_state_for(interview=interview, user=interviewer)
    assert [step["time_budget_minutes"] for step in state["steps"]] == [3, 3, 4, 4, 4, 3, 3]
    assert all(step["time_spent_seconds"] == 0 for step in state["steps"])


def _at(interview, event, when):
    TranscriptEvent.objects.filter(pk=event.pk).update(created_at=when)


def test_finished_steps_carry_the_time_spent_in_them(interview, interviewer):
    t0 = timezone.now() - dt.timedelta(minutes=30)
    services.interview_start_clock(interview=interview)
    Interview.objects.filter(pk=interview.pk).update(started_at=t0)
    interview.refresh_from_db()
    _, to_two = services.interview_set_step(interview=interview, user=interviewer, step=2)
    _at(interview, to_two, t0 + dt.timedelta(minutes=7, seconds=30))
    _, to_three = services.interview_set_step(interview=interview, user=interviewer, step=3)
    _at(interview, to_three, t0 + dt.timedelta(minutes=12))
    _, back = services.interview_set_step(interview=interview, user=interviewer, step=1)
    _at(interview, back, t0 + dt.timedelta(minutes=20))
    interview.refresh_from_db()
    live = {step.number: step for step in step_times(interview=interview)}
    assert live[1].spent_seconds == 450  # the running visit back to step 1 is not counted yet
    assert (live[2].spent_seconds, live[3].spent_seconds, live[4].spent_seconds) == (270, 480, 0)
    assert live[3].over_budget is False and live[4].visited is False
    state = room_state_for(interview=interview, user=interviewer)
    assert [step["time_spent_seconds"] for step in state["steps"]][:3] == [450, 270, 480]
    Interview.objects.filter(pk=interview.pk).update(
        status=Interview.Status.COMPLETED, ended_at=t0 + dt.timedelta(minutes=25)
    )
    interview.refresh_from_db()
    done = {step.number: step for step in step_times(interview=interview)}
    assert done[1].spent_seconds == 450 + 300 and done[1].spent_label == "12:30"
    assert done[1].over_budget is True  # 12:30 of a 6-minute budget


def test_the_review_shows_time_spent_beside_the_budget(client_for, interview, interviewer, candidate):
    services.interview_start_clock(interview=interview)
    t0 = timezone.now() - dt.timedelta(minutes=10)
    Interview.objects.filter(pk=interview.pk).update(started_at=t0)
    interview.refresh_from_db()
    _, to_two = services.interview_set_step(interview=interview, user=interviewer, step=2)
    _at(interview, to_two, t0 + dt.timedelta(minutes=5, seconds=5))
    services.interview_end(interview=interview, user=interviewer)
    page = client_for(candidate).get(reverse("interview_review", args=[interview.pk])).content.decode()
    assert "<strong>5:05</strong> spent of a 6-minute budget" in page
    assert "not reached; 8-minute budget" in page  # a step nobody reached shows its budget alone


def test_the_interviewers_panel_paces_against_the_scaled_budgets(api_for, interview, interviewer):
    Interview.objects.filter(pk=interview.pk).update(duration_minutes=45)
    response = api_for(interviewer).get(reverse("api_interview_panel", args=[interview.pk]))
    assert response.status_code == 200
    assert [step["time_budget_minutes"] for step in response.json()["steps"]] == [5, 5, 6, 6, 5, 5, 4]
