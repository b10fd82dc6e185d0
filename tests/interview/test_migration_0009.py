"""Migration 0009's data steps: aliases stored before become canonical zones, and interviews
already entered get a start for their step times."""

import datetime as dt
import importlib

from django.apps import apps
from django.utils import timezone

from interview.models import Interview, Profile, TranscriptEvent, WeeklyAvailability
from interview.services import weekly_availability_add

migration = importlib.import_module("interview.migrations.0009_interview_started_at_weekly_availability_names")


def test_stored_aliases_become_canonical_zones_and_windows_keep_their_clock(candidate, outsider):
    rule = weekly_availability_add(user=candidate, weekday=1, start_time=dt.time(18), end_time=dt.time(20))
    Profile.objects.filter(user=candidate).update(time_zone="Asia/Calcutta")
    WeeklyAvailability.objects.filter(pk=rule.pk).update(time_zone="Asia/Calcutta")
    Profile.objects.filter(user=outsider).update(time_zone="Nowhere/Land")
    migration.canonical_time_zones(apps, None)
    assert Profile.objects.get(user=candidate).time_zone == "Asia/Kolkata"
    rule.refresh_from_db()
    assert (rule.time_zone, rule.start_time) == ("Asia/Kolkata", dt.time(18))
    assert Profile.objects.get(user=outsider).time_zone == "Nowhere/Land"  # no place: left alone


def test_interviews_already_entered_get_a_start(interview, candidate):
    entered = timezone.now() - dt.timedelta(minutes=20)
    event = TranscriptEvent.objects.create(interview=interview, kind="chat", author=candidate, text="hi", step=1)
    TranscriptEvent.objects.filter(pk=event.pk).update(created_at=entered)
    Interview.objects.filter(pk=interview.pk).update(step_started_at=timezone.now(), started_at=None)
    migration.started_when_first_entered(apps, None)
    assert Interview.objects.get(pk=interview.pk).started_at == entered
