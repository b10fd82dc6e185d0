"""`manage.py seed_demo`: the demo accounts and sessions that `make run` starts with."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from interview import timeslots
from interview.lifecycle import earliest_start, room_opens_at
from interview.models import Interview
from interview.selectors import busy_for
from interview.services import interview_accept, interview_schedule, profile_update, weekly_availability_add
from rubrics.selectors import problem_list

DEMO_PASSWORD = "mocklane-demo"  # noqa: S105 - published demo credentials
WEEKDAYS = range(5)
WEEKEND = range(5, 7)

# username, email, public name, profile, weekly availability (weekdays, start, end) on the person's own clock
DEMO_USERS = [
    (
        "demo-interviewer",
        "interviewer@demo.mocklane.local",
        "Demo Interviewer",
        {
            "time_zone": "Europe/Paris",
            "target_role": "mle",
            "level": "senior",
            "languages": ["English", "French"],
            "bio": "Senior ML engineer working on ranking. Happy to interview on recommendation and search, "
            "and to be grilled on ads in return.",
            "focus": ["video-recommendation", "ad-click-prediction", "personalized-news-feed"],
        },
        [
            (WEEKDAYS, dt.time(7, 0), dt.time(9, 0)),
            (WEEKDAYS, dt.time(17, 0), dt.time(23, 0)),
            (WEEKEND, dt.time(9, 0), dt.time(18, 0)),
        ],
    ),
    (
        "demo-candidate",
        "candidate@demo.mocklane.local",
        "Demo Candidate",
        {
            "time_zone": "America/New_York",
            "target_role": "applied_scientist",
            "level": "mid",
            "languages": ["English", "Spanish"],
            "bio": "Applied scientist preparing for ML system design loops. Likes trust & safety problems.",
            "focus": ["harmful-content-detection", "fraudulent-accounts", "video-recommendation"],
        },
        [
            (WEEKDAYS, dt.time(8, 0), dt.time(12, 0)),
            (WEEKDAYS, dt.time(18, 0), dt.time(23, 0)),
            (WEEKEND, dt.time(10, 0), dt.time(20, 0)),
        ],
    ),
    (
        "demo-peer",
        "peer@demo.mocklane.local",
        "Demo Peer",
        {
            "time_zone": "Asia/Kolkata",
            "target_role": "data_scientist",
            "level": "junior",
            "languages": ["English", "Hindi"],
            "bio": "Data scientist moving into ML engineering; practising the full 7-step framework.",
            "focus": ["similar-listings", "event-recommendation"],
        },
        [
            (WEEKDAYS, dt.time(6, 0), dt.time(10, 0)),
            (WEEKDAYS, dt.time(19, 0), dt.time(23, 30)),
            (WEEKEND, dt.time(8, 0), dt.time(22, 0)),
        ],
    ),
]
DEMO_INTERVIEW_MINUTES = 60


def _first_free_start(user_ids: list[int], now: dt.datetime) -> dt.datetime:
    """As soon as the minimum lead time allows (the room opens 10 minutes early, so at once), unless
    either demo account is still held then: then the end of that hold."""
    now = earliest_start(now)
    horizon = now + dt.timedelta(days=2)
    busy = busy_for(user_ids=user_ids, since=now, until=horizon)
    free = timeslots.subtract([(now, horizon)], [span for spans in busy.values() for span in spans])
    length = dt.timedelta(minutes=DEMO_INTERVIEW_MINUTES)
    return next(start for start, end in free if end - start >= length)


class Command(BaseCommand):
    help = (
        "Create the demo accounts (profiles and weekly availability, so open slots show at once) and one live "
        "interview between demo-interviewer and demo-candidate. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port used in the printed room URL.")

    @transaction.atomic
    def handle(self, *args, port="8000", **options):
        problems = {problem.slug: problem.pk for problem in problem_list()}
        if not problems:
            raise CommandError("The problem bank is empty: run `manage.py load_content` first.")
        User = get_user_model()
        users = []
        for username, email, name, profile, weekly in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"email": email})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            profile_update(
                user=user,
                display_name=name,
                time_zone=profile["time_zone"],
                target_role=profile["target_role"],
                level=profile["level"],
                languages=profile["languages"],
                bio=profile["bio"],
                focus_problem_ids=[problems[slug] for slug in profile["focus"] if slug in problems],
            )
            if not user.weekly_availability.exists():  # keep whatever was changed on the Availability page
                for days, start, end in weekly:
                    for weekday in days:
                        try:
                            weekly_availability_add(user=user, weekday=weekday, start_time=start, end_time=end)
                        except ApplicationError:  # clashes with a one-off window added by hand: keep that
                            continue
            users.append(user)
        interviewer, candidate = users[:2]

        interview = (
            Interview.objects.filter(interviewer=interviewer, candidate=candidate, status=Interview.Status.ACCEPTED)
            .order_by("-created_at")
            .first()
        )
        if interview is None:
            problem_id = problems.get("video-recommendation") or next(iter(problems.values()))
            interview = interview_schedule(
                created_by=interviewer,
                problem_id=problem_id,
                scheduled_at=_first_free_start([interviewer.pk, candidate.pk], timezone.now()),
                peer=candidate.username,
                my_role="interviewer",
                duration_minutes=DEMO_INTERVIEW_MINUTES,
            )
            interview_accept(interview=interview, user=candidate)
        room = reverse("interview_room", args=[interview.pk])
        opens = room_opens_at(interview)
        self.stdout.write(
            "Demo accounts: demo-interviewer / demo-candidate / demo-peer, password "
            f"{DEMO_PASSWORD}\nDemo room: http://127.0.0.1:{port}{room}"
        )
        if opens > timezone.now():
            self.stdout.write(f"  (it opens at {opens:%H:%M} UTC, 10 minutes before the demo interview starts)")
