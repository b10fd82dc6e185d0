from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from interview.models import Interview
from interview.services import interview_accept, interview_schedule, profile_update
from rubrics.selectors import problem_list

DEMO_PASSWORD = "mocklane-demo"  # noqa: S105 - published demo credentials
DEMO_USERS = [
    ("demo-interviewer", "interviewer@demo.mocklane.local", "Demo Interviewer"),
    ("demo-candidate", "candidate@demo.mocklane.local", "Demo Candidate"),
]


class Command(BaseCommand):
    help = "Create the demo accounts and one live interview between them (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port used in the printed room URL.")

    @transaction.atomic
    def handle(self, *args, port="8000", **options):
        User = get_user_model()
        users = []
        for username, email, name in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"email": email})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                profile_update(user=user, display_name=name, time_zone="UTC")
            users.append(user)
        interviewer, candidate = users
        interview = (
            Interview.objects.filter(interviewer=interviewer, candidate=candidate, status=Interview.Status.ACCEPTED)
            .order_by("-created_at")
            .first()
        )
        if interview is None:
            problem = problem_list().filter(slug="video-recommendation").first() or problem_list().first()
            if problem is None:
                raise CommandError("The problem bank is empty: run `manage.py load_content` first.")
            interview = interview_schedule(
                created_by=interviewer,
                problem_id=problem.pk,
                scheduled_at=timezone.now(),
                peer=candidate.username,
                my_role="interviewer",
            )
            interview_accept(interview=interview, user=candidate)
        room = reverse("interview_room", args=[interview.pk])
        self.stdout.write(
            f"Demo accounts: demo-interviewer / demo-candidate, password {DEMO_PASSWORD}\n"
            f"Demo room: http://127.0.0.1:{port}{room}"
        )
