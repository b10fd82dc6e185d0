"""Output serializers that several of the interview app's API views share, and the pieces every
view's own serializers build on (the time fields, `StrictInputSerializer`). A serializer only one
view uses is nested in that view (`interview/apis.py`)."""

import datetime as dt
from collections.abc import Mapping

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from .access import problem_visible
from .lifecycle import room_opens_at
from .models import Booking, Interview
from .selectors import public_name


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return public_name(user)


class ProblemBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField()
    title = serializers.CharField()
    difficulty = serializers.CharField()


class InterviewOutputSerializer(serializers.ModelSerializer):
    problem = serializers.SerializerMethodField(
        help_text="Null for a candidate until the room opens: they meet the problem in the room."
    )
    interviewer = PersonSerializer()
    candidate = PersonSerializer()
    my_role = serializers.SerializerMethodField()
    awaiting_my_answer = serializers.SerializerMethodField()

    class Meta:
        model = Interview
        fields = [
            "id",
            "problem",
            "interviewer",
            "candidate",
            "scheduled_at",
            "duration_minutes",
            "status",
            "current_step",
            "my_role",
            "awaiting_my_answer",
            "board",
            "created_at",
        ]

    @extend_schema_field(ProblemBriefSerializer(allow_null=True))
    def get_problem(self, interview) -> dict | None:
        if not problem_visible(interview, self.context["request"].user):
            return None
        return ProblemBriefSerializer(interview.problem).data

    def get_my_role(self, interview) -> str | None:
        return interview.role_of(self.context["request"].user)

    def get_awaiting_my_answer(self, interview) -> bool:
        user = self.context["request"].user
        return interview.status == Interview.Status.INVITED and interview.invitee_id == user.pk


# Scheduling: profiles, bookings, the match queue, the calendar feed.
# Input serializers only parse; the services decide what is allowed. Times in answers are UTC.


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that must carry its offset: a bare local time would be guessed, so it is refused."""

    default_error_messages = {
        "naive": "Include a time zone offset, e.g. 2026-12-01T18:00:00+01:00 or 2026-12-01T17:00:00Z.",
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class UtcDateTimeField(serializers.DateTimeField):
    def __init__(self, **kwargs):
        super().__init__(default_timezone=dt.UTC, **kwargs)


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt or stray field is reported instead of ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {
                        api_settings.NON_FIELD_ERRORS_KEY: [
                            f"Unknown field {', '.join(unknown)}; send only {', '.join(self.fields)}."
                        ]
                    }
                )
        return super().to_internal_value(data)


class ReliabilitySerializer(serializers.Serializer):
    completed = serializers.IntegerField(help_text="Interviews completed, in either seat.")
    late_cancellations = serializers.IntegerField()
    late_reschedules = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    flagged = serializers.IntegerField(help_text="Late cancellations, late reschedules and no-shows together.")


class FocusProblemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    slug = serializers.CharField()
    title = serializers.CharField()


class PublicProfileSerializer(serializers.Serializer):
    """What any signed-in peer may see of a person: never the email address."""

    id = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="public_name")
    target_role = serializers.CharField()
    level = serializers.CharField()
    focus_problems = FocusProblemSerializer(many=True)
    languages = serializers.ListField(child=serializers.CharField())
    bio = serializers.CharField()
    reliability = serializers.SerializerMethodField()

    @extend_schema_field(ReliabilitySerializer)
    def get_reliability(self, profile) -> dict:
        return ReliabilitySerializer(self.context["reliability"][profile.user_id]).data


def _person(booking: Booking, user_id: int | None) -> dict | None:
    """One of the booking's two people; both come with the booking's query, so no extra reads."""
    if user_id is None:
        return None
    user = booking.organizer if user_id == booking.organizer_id else booking.peer
    return {"id": user_id, "name": public_name(user)}


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BookingPartSerializer(serializers.Serializer):
    interview_id = serializers.IntegerField()
    part = serializers.IntegerField(help_text="1, or 2 for the second half of a role swap.")
    my_role = serializers.CharField()
    interviewer = PersonRefSerializer()
    candidate = PersonRefSerializer()
    scheduled_at = UtcDateTimeField()
    duration_minutes = serializers.IntegerField()
    status = serializers.CharField()
    problem = ProblemBriefSerializer(
        allow_null=True,
        help_text="Shown to this part's interviewer, and to both once it is completed; "
        "candidates do not see their problem in advance.",
    )
    room_url = serializers.URLField()
    room_opens_at = UtcDateTimeField()


class BookingChangeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="reschedule or cancel")
    by = PersonRefSerializer(allow_null=True)
    reason = serializers.CharField()
    old_starts_at = UtcDateTimeField()
    new_starts_at = UtcDateTimeField(allow_null=True)
    late = serializers.BooleanField(help_text="Within 24 hours of the start; recorded on the profile.")
    at = UtcDateTimeField()


class BookingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uid = serializers.UUIDField(help_text="Stable calendar UID.")
    sequence = serializers.IntegerField(help_text="Goes up on every reschedule or cancellation.")
    kind = serializers.CharField(help_text="single or swap")
    source = serializers.CharField(help_text="invite, slot or match")  # type: ignore[assignment]  # stubs: clashes with Field's own attribute
    status = serializers.CharField(help_text="active or cancelled")
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()
    my_role = serializers.SerializerMethodField(
        help_text="candidate or interviewer; for a swap, interviewer_then_candidate or candidate_then_interviewer."
    )
    peer = serializers.SerializerMethodField()
    parts = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    def _me(self) -> int:
        return self.context["request"].user.pk

    def get_my_role(self, booking) -> str:
        roles = [interview.role_of(self.context["request"].user) for interview in booking.interviews.all()]
        return "_then_".join(roles)

    @extend_schema_field(PersonRefSerializer)
    def get_peer(self, booking) -> dict | None:
        return _person(booking, booking.other(self._me()))

    @extend_schema_field(BookingPartSerializer(many=True))
    def get_parts(self, booking) -> list:
        request = self.context["request"]
        parts = []
        for interview in booking.interviews.all():
            shows_problem = problem_visible(interview, request.user)
            parts.append(
                {
                    "interview_id": interview.pk,
                    "part": interview.part,
                    "my_role": interview.role_of(request.user),
                    "interviewer": _person(booking, interview.interviewer_id),
                    "candidate": _person(booking, interview.candidate_id),
                    "scheduled_at": interview.scheduled_at,
                    "duration_minutes": interview.duration_minutes,
                    "status": interview.status,
                    "problem": interview.problem if shows_problem else None,
                    "room_url": request.build_absolute_uri(reverse("interview_room", args=[interview.pk])),
                    "room_opens_at": room_opens_at(interview),
                }
            )
        return BookingPartSerializer(parts, many=True).data  # type: ignore[return-value]  # stubs: many=True gives a list

    @extend_schema_field(BookingChangeSerializer(many=True))
    def get_changes(self, booking) -> list:
        changes = [
            {
                "kind": change.kind,
                "by": _person(booking, change.user_id),
                "reason": change.reason,
                "old_starts_at": change.old_starts_at,
                "new_starts_at": change.new_starts_at,
                "late": change.late,
                "at": change.created_at,
            }
            for change in booking.changes.all()
        ]
        return BookingChangeSerializer(changes, many=True).data  # type: ignore[return-value]  # stubs: many=True gives a list

    def get_ics_url(self, booking) -> str:
        return self.context["request"].build_absolute_uri(reverse("booking_invite_ics", args=[booking.pk]))


class MatchWindowSerializer(serializers.Serializer):
    starts_at = UtcDateTimeField()
    ends_at = UtcDateTimeField()


class MatchRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mode = serializers.CharField(help_text="candidate, interviewer, swap or either")
    duration_minutes = serializers.IntegerField()
    status = serializers.CharField(help_text="open, matched, cancelled or expired")
    windows = MatchWindowSerializer(many=True)
    booking_id = serializers.IntegerField(allow_null=True, help_text="The booking it was matched into.")
    created_at = UtcDateTimeField()


class CalendarFeedSerializer(serializers.Serializer):
    feed_url = serializers.URLField(help_text="Subscribe to it in a calendar app; keep it secret.")


class RecordingStateSerializer(serializers.Serializer):
    """Whether the room is recorded: who consented, and since when it is on."""

    state = serializers.ChoiceField(choices=["off", "asked", "on", "deleted"])
    interviewer_consented = serializers.BooleanField()
    candidate_consented = serializers.BooleanField()
    on_since = serializers.DateTimeField(allow_null=True)
