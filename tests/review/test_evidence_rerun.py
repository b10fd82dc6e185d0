"""Asking for the evidence again: nothing is queued while a run is queued or running, at most one
run a minute, and the end of the interview always queues one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from interview.services import interview_end
from review.models import EvidenceReport
from review.services.evidence import evidence_report_run

pytestmark = pytest.mark.django_db


def path(interview) -> str:
    return f"/api/interviews/{interview.pk}/evidence/"


@pytest.fixture
def ran(interview):
    """The finder ran for this interview; `ran(minutes_ago)` moves the end of that run back."""
    evidence_report_run(interview_id=interview.pk)

    def finished(minutes_ago: float) -> EvidenceReport:
        EvidenceReport.objects.update(finished_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
        return EvidenceReport.objects.get()

    return finished


def test_a_run_within_the_last_minute_is_refused_with_429(api_for, interview, interviewer, ran, capture_queued):
    before = ran(0.5)
    response = api_for(interviewer).post(path(interview))
    assert response.status_code == 429 and response.json()["code"] == "too_soon"
    assert "try again in" in response.json()["message"]
    assert capture_queued == []
    assert (
        EvidenceReport.objects.get().status == "done"
        and EvidenceReport.objects.get().requested_at == before.requested_at
    )


def test_a_run_over_a_minute_ago_may_be_repeated(api_for, interview, interviewer, ran, capture_queued):
    ran(1.5)
    response = api_for(interviewer).post(path(interview))
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert capture_queued == [interview.pk]


@pytest.mark.parametrize("status", ["pending", "running"])
def test_asking_while_a_run_is_queued_or_running_queues_nothing(
    api_for, interview, interviewer, ran, capture_queued, status
):
    ran(5)
    EvidenceReport.objects.update(status=status, requested_at=timezone.now() - dt.timedelta(minutes=2))
    response = api_for(interviewer).post(path(interview))
    assert response.status_code == 202 and response.json()["status"] == status
    assert capture_queued == []


def test_a_run_stuck_for_ten_minutes_counts_as_lost_and_is_queued_again(
    api_for, interview, interviewer, ran, capture_queued
):
    ran(30)
    EvidenceReport.objects.update(status="running", requested_at=timezone.now() - dt.timedelta(minutes=11))
    assert api_for(interviewer).post(path(interview)).status_code == 202
    assert capture_queued == [interview.pk]


def test_the_scorecard_page_says_when_to_try_again(client_for, interview, interviewer, ran, capture_queued):
    ran(0.2)
    url = reverse("interview_scorecard", args=[interview.pk])
    response = client_for(interviewer).post(url, {"action": "find_evidence", "level_1": "3", "recommendation": "yes"})
    assert response.status_code == 200 and "The evidence finder ran less than a minute ago" in response.content.decode()
    assert capture_queued == []


def test_the_end_of_the_interview_always_queues_a_run(interview, interviewer, ran, capture_queued):
    ran(0.1)  # ran moments before the end, during the interview
    interview_end(interview=interview, user=interviewer)
    assert capture_queued == [interview.pk] and EvidenceReport.objects.get().status == "pending"


@pytest.fixture
def capture_queued(monkeypatch):
    """The interview ids handed to the finder's task, at once (as if each request committed)."""
    queued: list[int] = []
    monkeypatch.setattr("review.tasks.find_evidence.delay", queued.append)
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, *args, **kwargs: func())
    return queued
