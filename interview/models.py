"""Profiles, availability, bookings between two peers, their interviews, and the live transcript."""

import secrets
import uuid
import zoneinfo
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Paris, America/New_York).")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Profile(models.Model):
    class TargetRole(models.TextChoices):
        MLE = "mle", "Machine learning engineer"
        APPLIED_SCIENTIST = "applied_scientist", "Applied scientist"
        DATA_SCIENTIST = "data_scientist", "Data scientist"
        RESEARCH_ENGINEER = "research_engineer", "Research engineer"
        ML_PLATFORM = "ml_platform", "ML platform / infrastructure engineer"

    class Level(models.TextChoices):
        JUNIOR = "junior", "Junior"
        MID = "mid", "Mid-level"
        SENIOR = "senior", "Senior"
        STAFF = "staff", "Staff or above"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(
        max_length=60, blank=True, help_text="The name peers see. Your email address is never shown."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    target_role = models.CharField(max_length=20, choices=TargetRole.choices, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    focus_problems = models.ManyToManyField("rubrics.Problem", blank=True, related_name="focused_by")
    languages = models.JSONField(default=list, blank=True)  # e.g. ["English", "French"]
    bio = models.TextField(max_length=600, blank=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

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

    booking = models.ForeignKey("Booking", on_delete=models.CASCADE, related_name="interviews")
    part = models.PositiveSmallIntegerField(default=1)  # 2 for the second half of a role swap
    problem = models.ForeignKey("rubrics.Problem", on_delete=models.PROTECT, related_name="interviews")
    problem_picked_by = models.ForeignKey(  # set when someone chose the problem rather than being given one
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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
    started_at = models.DateTimeField(null=True, blank=True)  # the first time anyone entered the room
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
            models.UniqueConstraint(fields=["booking", "part"], name="interview_one_per_part"),
        ]
        ordering = ["-scheduled_at"]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="interview_status_time_idx")]

    def __str__(self) -> str:
        return f"{self.problem} ({self.scheduled_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def invitee_id(self) -> int:
        return self.candidate_id if self.created_by_id == self.interviewer_id else self.interviewer_id

    def role_of(self, user) -> Literal["interviewer", "candidate"] | None:
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
        SPEECH = "speech", "Speech"  # a transcribed segment of one speaker's recording

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="transcript")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField()
    step = models.PositiveSmallIntegerField()  # the step that was current when this happened
    client_msg_id = models.CharField(max_length=64, null=True, blank=True)
    # When it happened: the time of writing for chat and steps, the moment speech began for a
    # speech segment (which is transcribed later, so the time is given, not taken on insert).
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True)  # speech: the moment the segment ended
    chunk = models.ForeignKey(  # speech: the recorded chunk it was heard in
        "AudioChunk", null=True, blank=True, on_delete=models.SET_NULL, related_name="segments"
    )

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


class WeeklyAvailability(models.Model):
    """A window that repeats every week, kept as wall-clock times in a zone so that 18:00 stays 18:00
    local across daylight-saving changes; each occurrence is turned into UTC when it is read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_availability")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday, as datetime.weekday()
    start_time = models.TimeField()
    end_time = models.TimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "weekly availability"
        verbose_name_plural = "weekly availability"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_weekday_range"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="weekly_ends_after_start"),
        ]
        ordering = ["weekday", "start_time"]

    def __str__(self) -> str:
        return f"weekday {self.weekday} {self.start_time:%H:%M}-{self.end_time:%H:%M} {self.time_zone}"


class AvailabilityWindow(models.Model):
    """A one-off window, stored in UTC."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_windows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="window_ends_after_start"),
        ]
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["user", "starts_at"], name="window_user_start_idx")]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M} UTC"


class Booking(models.Model):
    """One calendar event between two peers: a single interview, or two halves with the roles swapped.

    It is what invitations, reminders and calendar entries are about: its `uid` never changes and its
    `sequence` goes up on every reschedule or cancellation, as calendar apps expect."""

    class Kind(models.TextChoices):
        SINGLE = "single", "One interview"
        SWAP = "swap", "Role swap"

    class Source(models.TextChoices):
        INVITE = "invite", "Direct invitation"
        SLOT = "slot", "Booked an open slot"
        MATCH = "match", "Matched from the queue"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    peer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(organizer=F("peer")), name="booking_two_people"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"),
        ]
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"], name="booking_status_start_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.status})"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def other(self, user_id: int) -> int:
        return self.peer_id if user_id == self.organizer_id else self.organizer_id


class Hold(models.Model):
    """The time a booking takes in one person's calendar. Nobody holds two overlapping times: the
    booking services lock both people's profiles, and on PostgreSQL an exclusion constraint
    (migration 0004) refuses overlapping holds even if two transactions race past the check."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="holds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="holds")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    joined_at = models.DateTimeField(null=True, blank=True)  # first time this person opened the room

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "user"], name="hold_one_per_person"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="hold_ends_after_start"),
        ]
        indexes = [models.Index(fields=["user", "starts_at"], name="hold_user_start_idx")]

    def __str__(self) -> str:
        return f"hold user {self.user_id} {self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M} UTC"


class BookingChange(models.Model):
    """The history of a booking: who rescheduled or cancelled it, when, and why."""

    class Kind(models.TextChoices):
        RESCHEDULE = "reschedule", "Rescheduled"
        CANCEL = "cancel", "Cancelled"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="changes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.TextField()
    old_starts_at = models.DateTimeField()
    new_starts_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by user {self.user_id}: {self.reason[:40]}"


class ReliabilityEvent(models.Model):
    """Late cancellations and no-shows, shown to future peers on the profile."""

    class Kind(models.TextChoices):
        LATE_CANCEL = "late_cancel", "Late cancellation"
        LATE_RESCHEDULE = "late_reschedule", "Late reschedule"
        NO_SHOW = "no_show", "No-show"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reliability_events")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reliability_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "booking", "kind"], name="reliability_once_per_booking"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (user {self.user_id}, booking {self.booking_id})"


class Reminder(models.Model):
    """One reminder to one person for one start time. The unique key makes each reminder happen
    once: a retried or re-delivered task finds the row already sent."""

    class Kind(models.TextChoices):
        DAY = "24h", "24 hours before"
        SOON = "15m", "15 minutes before"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    starts_at = models.DateTimeField()  # the start time it reminds of; a reschedule makes new reminders due
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "user", "kind", "starts_at"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder to user {self.user_id} for booking {self.booking_id}"


class MatchRequest(models.Model):
    """A place in the match queue: "any peer, in these windows"."""

    class Mode(models.TextChoices):
        CANDIDATE = "candidate", "I want to be interviewed"
        INTERVIEWER = "interviewer", "I want to interview"
        SWAP = "swap", "Swap roles half-way"
        EITHER = "either", "Either role"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a peer"
        MATCHED = "matched", "Matched"
        CANCELLED = "cancelled", "Left the queue"
        EXPIRED = "expired", "Expired"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_requests")
    mode = models.CharField(max_length=12, choices=Mode.choices)
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="open"), name="match_one_open_request_per_user"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=45, duration_minutes__lte=90), name="match_duration_range"
            ),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"queue entry of user {self.user_id} ({self.mode}, {self.status})"


class MatchWindow(models.Model):
    request = models.ForeignKey(MatchRequest, on_delete=models.CASCADE, related_name="windows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="match_window_ends_after_start"),
        ]
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}-{self.ends_at:%H:%M} UTC"


def recording_storage():
    """Where recorded audio lives: STORAGES["recordings"] (the file system under MEDIA_ROOT by
    default, an S3-compatible store by setting). Never served as static files."""
    from django.core.files.storage import storages

    return storages["recordings"]


def chunk_upload_to(chunk: "AudioChunk", filename: str) -> str:
    return f"recordings/{chunk.interview_id}/{chunk.speaker_id}/{chunk.seq:06d}.webm"


class Recording(models.Model):
    """Whether an interview is being recorded: each participant's consent, and who stopped it.

    Recording runs while both have consented; either can stop it, which withdraws both consents
    (recording again needs both to agree again). `on_since` is when the current (or last) period
    of recording began, `stopped_at` when it ended."""

    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="recording")
    interviewer_consent_at = models.DateTimeField(null=True, blank=True)
    candidate_consent_at = models.DateTimeField(null=True, blank=True)
    on_since = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)  # the candidate deleted the audio

    def __str__(self) -> str:
        return f"Recording of interview {self.interview_id}"

    @property
    def is_on(self) -> bool:
        return bool(self.interviewer_consent_at and self.candidate_consent_at and self.deleted_at is None)


class AudioChunk(models.Model):
    """A few seconds of one speaker's microphone, as their browser recorded it (a whole WebM/Opus
    file of its own), numbered per speaker so a retried upload is recognised."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="audio_chunks")
    speaker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audio_chunks")
    seq = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    file = models.FileField(storage=recording_storage, upload_to=chunk_upload_to, max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)
    transcribed_at = models.DateTimeField(null=True, blank=True)
    transcript_error = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["interview", "speaker", "seq"], name="audio_chunk_unique_seq"),
        ]
        ordering = ["interview", "started_at", "speaker", "seq"]

    def __str__(self) -> str:
        return f"Audio {self.interview_id}/{self.speaker_id}/{self.seq}"
