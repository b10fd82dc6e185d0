"""Profiles, scheduled interviews between two peers, and the live transcript."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Paris, America/New_York).")


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(
        max_length=60, blank=True, help_text="The name peers see. Your email address is never shown."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.user.get_username()


class Interview(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    problem = models.ForeignKey("rubrics.Problem", on_delete=models.PROTECT, related_name="interviews")
    rubric = models.ForeignKey("rubrics.Rubric", on_delete=models.PROTECT, related_name="interviews")
    board = models.OneToOneField("whiteboard.Board", on_delete=models.PROTECT, related_name="interview")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews_as_interviewer"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews_as_candidate"
    )
    scheduled_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    current_step = models.PositiveSmallIntegerField(default=1)
    step_started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(interviewer=F("candidate")), name="interview_two_people"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=180), name="interview_duration_range"
            ),
            models.CheckConstraint(condition=Q(current_step__gte=1), name="interview_step_positive"),
        ]
        ordering = ["-scheduled_at"]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="interview_status_time_idx")]

    def __str__(self) -> str:
        return f"{self.problem} ({self.scheduled_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def invitee_id(self) -> int:
        return self.candidate_id if self.created_by_id == self.interviewer_id else self.interviewer_id

    def role_of(self, user) -> str | None:
        if user.pk == self.interviewer_id:
            return "interviewer"
        if user.pk == self.candidate_id:
            return "candidate"
        return None

    def peer_of(self, user):
        return self.candidate if user.pk == self.interviewer_id else self.interviewer


class TranscriptEvent(models.Model):
    class Kind(models.TextChoices):
        CHAT = "chat", "Chat"
        STEP = "step", "Step change"
        SYSTEM = "system", "System"

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="transcript")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField()
    step = models.PositiveSmallIntegerField()  # the step that was current when this happened
    client_msg_id = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "client_msg_id"],
                condition=Q(client_msg_id__isnull=False),
                name="transcript_unique_client_msg",
            )
        ]
        ordering = ["interview", "created_at", "id"]

    def __str__(self) -> str:
        return f"[{self.kind}] {self.text[:40]}"
