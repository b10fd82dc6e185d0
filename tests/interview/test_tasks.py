import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from config.celery import app
from interview.models import Interview
from interview.services import interview_accept, interview_schedule
from interview.tasks import notify_booking


@pytest.mark.django_db(transaction=True)
def test_invitation_goes_through_the_broker_to_a_worker(problem, interviewer, candidate):
    """The configured broker (Redis in CI, in-memory otherwise) carries the task to a real worker."""
    app.conf.task_always_eager = False
    app.control.purge()  # tasks left on a shared broker by an earlier run are not ours
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        interview = interview_schedule(
            created_by=interviewer,
            problem_id=problem.pk,
            peer="cal",
            my_role="interviewer",
            scheduled_at=timezone.now() + dt.timedelta(days=2),
        )
        deadline = time.monotonic() + 20
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.05)
    assert [m.to for m in mail.outbox] == [["cal@example.com"]]
    assert [a.filename for a in mail.outbox[0].attachments] == ["invite.ics"]
    assert interview.problem.title not in mail.outbox[0].body  # cal is the candidate: the problem waits in the room


@pytest.mark.django_db
def test_task_is_idempotent_about_answered_or_missing_invitations(invited_interview, candidate):
    interview_accept(interview=invited_interview, user=candidate)
    mail.outbox.clear()
    notify_booking(invited_interview.booking_id, "invited")
    notify_booking(987654, "invited")
    assert mail.outbox == []
    assert Interview.objects.get().status == "accepted"
