"""Reminders 24 hours and 15 minutes before a session: due at the right moments, each sent once."""

import datetime as dt
import threading
import time
import zoneinfo
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from config.celery import app
from interview import tasks
from interview.ics import local_time
from interview.models import Booking, Reminder
from interview.services import (
    availability_window_add,
    booking_book_slot,
    booking_cancel,
    booking_reschedule,
    interview_schedule,
)
from interview.services import reminders as reminders_module
from interview.services.reminders import reminder_send, reminders_queue_due
from tests.factories import UserFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def at(days: int, hour: int = 15) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def book(host, booker, starts_at) -> Booking:
    availability_window_add(user=host, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2))
    return booking_book_slot(user=booker, host_id=host.pk, starts_at=starts_at, duration_minutes=60)


def kinds(ids) -> list[tuple[int, str]]:
    return sorted(Reminder.objects.filter(pk__in=ids).values_list("user_id", "kind"))


@pytest.fixture
def booking(content, interviewer, candidate) -> Booking:
    """Booked now (outside any reminder window) for three days from now."""
    return book(interviewer, candidate, at(3))


class TestDue:
    def test_nothing_before_the_day_before(self, booking):
        assert reminders_queue_due(now=booking.starts_at - 24 * HOUR - MINUTE) == []
        assert not Reminder.objects.exists()

    def test_day_before_then_fifteen_minutes_before_for_both_people(self, booking, interviewer, candidate):
        start = booking.starts_at
        day = reminders_queue_due(now=start - 24 * HOUR)
        assert kinds(day) == sorted([(interviewer.pk, "24h"), (candidate.pk, "24h")])
        assert reminders_queue_due(now=start - 15 * MINUTE - dt.timedelta(seconds=1)) == day  # still unsent
        soon = reminders_queue_due(now=start - 15 * MINUTE)
        assert kinds(soon) == sorted([(interviewer.pk, "15m"), (candidate.pk, "15m")])
        assert reminders_queue_due(now=start - MINUTE) == soon
        assert reminders_queue_due(now=start) == []
        assert set(Reminder.objects.values_list("starts_at", flat=True)) == {start}

    def test_queueing_twice_makes_one_row_each(self, booking):
        now = booking.starts_at - 20 * HOUR
        first = reminders_queue_due(now=now)
        assert reminders_queue_due(now=now) == first
        assert reminders_queue_due(now=now + MINUTE) == first
        assert Reminder.objects.count() == 2

    def test_sent_ones_are_not_queued_again(self, booking):
        now = booking.starts_at - 20 * HOUR
        ids = reminders_queue_due(now=now)
        reminder_send(reminder_id=ids[0], now=now)
        assert reminders_queue_due(now=now + MINUTE) == ids[1:]

    def test_booked_two_hours_ahead_gets_only_the_fifteen_minute_one(self, content, interviewer, candidate):
        starts_at = (timezone.now() + 2 * HOUR).replace(second=0, microsecond=0)
        booking = book(interviewer, candidate, starts_at)
        assert reminders_queue_due(now=timezone.now()) == []  # the confirmation just sent is enough
        assert reminders_queue_due(now=booking.starts_at - HOUR) == []
        soon = reminders_queue_due(now=booking.starts_at - 10 * MINUTE)
        assert {kind for _, kind in kinds(soon)} == {"15m"} and len(soon) == 2
        assert not Reminder.objects.filter(kind="24h").exists()

    def test_pending_invitation_gets_none(self, problem, interviewer, candidate):
        starts_at = at(3)
        interview_schedule(
            created_by=interviewer, problem_id=problem.pk, scheduled_at=starts_at, peer="cal", my_role="interviewer"
        )
        assert reminders_queue_due(now=starts_at - 20 * HOUR) == []
        assert reminders_queue_due(now=starts_at - 10 * MINUTE) == []

    def test_cancelled_booking_gets_none(self, booking, candidate):
        booking_cancel(booking=booking, user=candidate, reason="Cannot make it")
        assert reminders_queue_due(now=booking.starts_at - 20 * HOUR) == []
        assert reminders_queue_due(now=booking.starts_at - 10 * MINUTE) == []
        assert not Reminder.objects.exists()

    def test_other_peoples_bookings_are_not_mixed_up(self, booking, outsider):
        other = book(outsider, UserFactory(username="pat"), booking.starts_at + 3 * HOUR)
        ids = reminders_queue_due(now=booking.starts_at - 20 * HOUR)
        assert Reminder.objects.filter(pk__in=ids, booking=other).count() == 2
        assert Reminder.objects.filter(pk__in=ids, booking=booking).count() == 2
        assert set(Reminder.objects.filter(booking=other).values_list("user_id", flat=True)) == {
            outsider.pk,
            other.organizer_id,
        }


class TestSend:
    def test_sends_once_with_the_room_and_the_local_time(self, booking, interviewer, candidate):
        now = booking.starts_at - 20 * HOUR
        ids = reminders_queue_due(now=now)
        mine = Reminder.objects.get(pk__in=ids, user=interviewer)
        assert reminder_send(reminder_id=mine.pk, now=now) is True
        assert reminder_send(reminder_id=mine.pk, now=now + MINUTE) is False
        (message,) = mail.outbox
        assert message.to == ["ivy@example.com"] and message.from_email == settings.DEFAULT_FROM_EMAIL
        short = local_time(booking.starts_at, PARIS, short=True)
        assert message.subject == f"Reminder: mock interview with Cal Candidate on {short}"
        assert "Your mock interview with Cal Candidate starts in about 20 hours." in message.body
        assert local_time(booking.starts_at, PARIS) in message.body
        room = f"{settings.SITE_URL}/interviews/{booking.interviews.get().pk}/room/"
        assert room in message.body and "The room opens 10 minutes before the start." in message.body
        assert "cal@example.com" not in message.message().as_string()
        mine.refresh_from_db()
        assert mine.sent_at == now

    def test_fifteen_minute_reminder_says_so(self, booking, candidate):
        now = booking.starts_at - 14 * MINUTE
        (mine,) = [pk for pk in reminders_queue_due(now=now) if Reminder.objects.get(pk=pk).user_id == candidate.pk]
        reminder_send(reminder_id=mine, now=now)
        (message,) = mail.outbox
        assert message.subject == "Starting in 14 minutes: mock interview with Ivy Interviewer"
        assert message.to == ["cal@example.com"]

    def test_rescheduled_booking_gets_new_reminders_and_the_stale_one_is_not_sent(self, booking, candidate):
        old_start = booking.starts_at
        now = old_start - 20 * HOUR
        stale = reminders_queue_due(now=now)
        new_start = old_start + dt.timedelta(days=2)
        booking_reschedule(booking=booking, user=candidate, starts_at=new_start, reason="Travelling", now=now)
        assert [reminder_send(reminder_id=pk, now=now) for pk in stale] == [False, False]
        assert mail.outbox == []
        assert reminders_queue_due(now=now + MINUTE) == []  # the old time is no longer due
        fresh = reminders_queue_due(now=new_start - 20 * HOUR)
        assert set(fresh).isdisjoint(stale) and len(fresh) == 2
        assert set(Reminder.objects.filter(pk__in=fresh).values_list("starts_at", flat=True)) == {new_start}
        assert all(reminder_send(reminder_id=pk, now=new_start - 20 * HOUR) for pk in fresh)
        assert len(mail.outbox) == 2
        assert Reminder.objects.filter(pk__in=stale, sent_at__isnull=True).count() == 2

    def test_moved_to_within_a_day_gets_no_day_before_reminder(self, booking, candidate):
        new_start = (timezone.now() + 3 * HOUR).replace(second=0, microsecond=0)
        booking_reschedule(booking=booking, user=candidate, starts_at=new_start, reason="Earlier suits us both")
        assert reminders_queue_due(now=timezone.now()) == []  # the reschedule email just sent is enough
        assert len(reminders_queue_due(now=new_start - 10 * MINUTE)) == 2

    def test_cancelled_after_queueing_sends_nothing(self, booking, candidate):
        now = booking.starts_at - 20 * HOUR
        ids = reminders_queue_due(now=now)
        booking_cancel(booking=booking, user=candidate, reason="Cannot make it", now=now)
        assert [reminder_send(reminder_id=pk, now=now) for pk in ids] == [False, False]
        assert mail.outbox == []

    def test_too_late_or_unknown_sends_nothing(self, booking):
        ids = reminders_queue_due(now=booking.starts_at - 10 * MINUTE)
        assert reminder_send(reminder_id=ids[0], now=booking.starts_at) is False
        assert reminder_send(reminder_id=987654) is False
        assert mail.outbox == []

    def test_person_without_email_is_marked_done_and_not_queued_again(self, content, candidate):
        quiet = UserFactory(username="quiet", email="")
        booking = book(quiet, candidate, at(3))
        now = booking.starts_at - 20 * HOUR
        ids = reminders_queue_due(now=now)
        assert all(reminder_send(reminder_id=pk, now=now) for pk in ids)
        assert [m.to for m in mail.outbox] == [["cal@example.com"]]
        assert reminders_queue_due(now=now + MINUTE) == []

    def test_a_failed_send_is_not_marked_and_the_retry_sends_it(self, booking):
        now = booking.starts_at - 20 * HOUR
        reminder_id = reminders_queue_due(now=now)[0]
        with (
            mock.patch.object(EmailBackend, "send_messages", side_effect=OSError("mail server down")),
            pytest.raises(OSError),
        ):
            reminder_send(reminder_id=reminder_id, now=now)
        assert Reminder.objects.get(pk=reminder_id).sent_at is None
        assert reminders_queue_due(now=now + MINUTE)[0] == reminder_id
        assert reminder_send(reminder_id=reminder_id, now=now + MINUTE) is True
        assert len(mail.outbox) == 1


class TestTasks:
    def test_beat_runs_the_periodic_tasks(self):
        schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert schedule == {
            "interview.tasks.queue_reminders": 60.0,
            "interview.tasks.run_match_queue": 60.0,
            "interview.tasks.record_no_shows": 300.0,
            "interview.tasks.purge_recordings": 3600.0,
        }
        assert set(schedule) <= set(app.tasks)

    def test_send_reminder_retries_on_mail_errors(self):
        assert tasks.send_reminder.autoretry_for == (OSError,)
        assert tasks.notify_booking.autoretry_for == (OSError,)

    def test_queue_reminders_sends_each_due_reminder_once(self, booking):
        Booking.objects.filter(pk=booking.pk).update(
            starts_at=timezone.now() + 10 * MINUTE, ends_at=timezone.now() + 70 * MINUTE
        )
        assert tasks.queue_reminders.delay().get() == 2
        assert sorted(m.to[0] for m in mail.outbox) == ["cal@example.com", "ivy@example.com"]
        assert all(m.subject.startswith("Starting in ") for m in mail.outbox)
        assert tasks.queue_reminders.delay().get() == 0
        (reminder_id, *_) = Reminder.objects.values_list("pk", flat=True)
        assert tasks.send_reminder.delay(reminder_id).get() is False
        assert len(mail.outbox) == 2


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL row locks"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_reminder_send_one_email(content, interviewer, candidate):
    booking = book(interviewer, candidate, at(3))
    now = booking.starts_at - 20 * HOUR
    reminder_id = reminders_queue_due(now=now)[0]
    mail.outbox.clear()  # the booking emails, sent on commit here
    real_email = reminders_module.booking_email

    def slow_email(*args, **kwargs):
        time.sleep(0.3)  # hold the row lock long enough for the other worker to arrive
        return real_email(*args, **kwargs)

    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(reminder_send(reminder_id=reminder_id, now=now))
        except Exception as exc:  # surfaced by the assertions below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(reminders_module, "booking_email", slow_email):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    assert Reminder.objects.get(pk=reminder_id).sent_at == now
