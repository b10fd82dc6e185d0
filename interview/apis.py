"""REST API for scheduling (profiles, availability, slots, bookings, the match queue, the calendar feed)
and for interviews and their boards. Same access rules as the pages.

Each view nests the serializers only it uses (`InputSerializer` for the body, `FilterSerializer`
for query parameters, `OutputSerializer` for the answer); those several views answer with are in
`interview/serializers.py`. The schema names nested ones after their view (`core/schema.py`)."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.shortcuts import get_or_404
from whiteboard.selectors import board_get_state

from . import services
from .access import booking_access, interview_access
from .lifecycle import room_is_open
from .models import Booking, Interview, MatchRequest, Profile
from .selectors import (
    availability_windows_for,
    booking_list_for,
    interview_list_for,
    match_requests_for,
    open_slots,
    reliability_for,
    weekly_availability_for,
)
from .selectors.interviews import recording_state_for
from .selectors.schedule import profile_get
from .serializers import (
    AwareDateTimeField,
    BookingOutputSerializer,
    CalendarFeedSerializer,
    FocusProblemSerializer,
    InterviewOutputSerializer,
    MatchRequestSerializer,
    PublicProfileSerializer,
    RecordingStateSerializer,
    ReliabilitySerializer,
    StrictInputSerializer,
    UtcDateTimeField,
)
from .services.bookings import MODES as BOOKING_MODES
from .services.bookings import durations_for
from .services.ice import ice_servers_for


def _get(request, pk: int, need="participant") -> Interview:
    return get_or_404(interview_access, message="No such interview.", user=request.user, interview_id=pk, need=need)


class InterviewListCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        problem_id = serializers.IntegerField()
        scheduled_at = serializers.DateTimeField(
            required=False, help_text="ISO 8601 with an offset, e.g. 2026-12-01T18:00:00+01:00; or start_now."
        )
        start_now = serializers.BooleanField(
            default=False, help_text="Start as soon as the minimum lead time allows (SESSION_MIN_NOTICE_MINUTES)."
        )
        duration_minutes = serializers.IntegerField(default=60, min_value=15, max_value=180)
        peer = serializers.CharField(max_length=254, help_text="The peer's username or email address.")
        my_role = serializers.ChoiceField(choices=["interviewer", "candidate"])

        def validate(self, attrs):
            if attrs.get("start_now") == ("scheduled_at" in attrs):
                raise serializers.ValidationError("Give either scheduled_at or start_now: true.")
            return attrs

    @extend_schema(responses=InterviewOutputSerializer(many=True), summary="My interviews")
    def get(self, request):
        interviews = interview_list_for(user=request.user)
        return Response(InterviewOutputSerializer(interviews, many=True, context={"request": request}).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: InterviewOutputSerializer},
        summary="Schedule an interview and invite a peer",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interview = services.interview_schedule(created_by=request.user, **data.validated_data)
        interview = _get(request, interview.pk)
        return Response(
            InterviewOutputSerializer(interview, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class InterviewDetailApi(APIView):
    @extend_schema(responses=InterviewOutputSerializer, summary="One interview")
    def get(self, request, pk: int):
        return Response(InterviewOutputSerializer(_get(request, pk), context={"request": request}).data)


class InterviewAnswerApi(APIView):
    answer = "accept"

    @extend_schema(request=None, responses=InterviewOutputSerializer, summary="Answer an invitation (invitee only)")
    def post(self, request, pk: int):
        interview = _get(request, pk, need="invitee")
        service = services.interview_accept if self.answer == "accept" else services.interview_decline
        service(interview=interview, user=request.user)
        return Response(InterviewOutputSerializer(_get(request, pk), context={"request": request}).data)


class InterviewBoardApi(APIView):
    class OutputSerializer(serializers.Serializer):
        seq = serializers.IntegerField()
        elements = serializers.ListField(
            child=serializers.DictField(),
            help_text='Excalidraw elements, each with "lane": "offline", "online" or null.',
        )

    @extend_schema(responses=OutputSerializer, summary="The board as it is now, each element tagged with its lane")
    def get(self, request, pk: int):
        interview = _get(request, pk)
        state = board_get_state(board_id=interview.board_id, include_deleted=False)
        return Response({"seq": state.seq, "elements": state.elements})


class InterviewIceServersApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class ServerSerializer(serializers.Serializer):
            urls = serializers.ListField(child=serializers.CharField())
            username = serializers.CharField(required=False, help_text="TURN only")
            credential = serializers.CharField(required=False, help_text="TURN only")

        ice_servers = ServerSerializer(many=True, help_text="RTCPeerConnection's iceServers; empty on loopback")
        expires_at = serializers.DateTimeField(allow_null=True, help_text="When the TURN credentials stop working")

    @extend_schema(
        responses={200: OutputSerializer, 409: OpenApiResponse(description="not_live: the room is not open")},
        summary="STUN and TURN servers for the room's call, with short-lived TURN credentials",
    )
    def get(self, request, pk: int):
        interview = _get(request, pk)
        if not room_is_open(interview):
            raise ApplicationError(
                "The call opens with the room, 10 minutes before the start, and closes when the interview ends.",
                code="not_live",
                status=409,
            )
        response = Response(self.OutputSerializer(ice_servers_for(user=request.user, interview=interview)).data)
        response["Cache-Control"] = "no-store"  # the TURN credential is a secret
        return response


# Recording: consent and stop also go over the room socket; chunks come here (docs/api.md).


class InterviewRecordingApi(APIView):
    @extend_schema(responses=RecordingStateSerializer, summary="Whether the room is being recorded")
    def get(self, request, pk: int):
        interview = _get(request, pk)  # 404 unless a participant
        return Response(recording_state_for(interview_id=interview.pk))

    @extend_schema(
        request=None,
        responses={200: RecordingStateSerializer, 409: OpenApiResponse(description="not_live")},
        summary="Consent to recording (recording starts once both have)",
    )
    def post(self, request, pk: int):
        interview = _get(request, pk)
        services.recording_consent(interview=interview, user=request.user)
        return Response(recording_state_for(interview_id=interview.pk))

    @extend_schema(
        request=None,
        responses={204: None, 403: OpenApiResponse(description="forbidden: only the candidate")},
        summary="Delete the interview's recorded audio (candidate only)",
    )
    def delete(self, request, pk: int):
        interview = _get(request, pk)
        services.recording_delete(interview=interview, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InterviewRecordingStopApi(APIView):
    @extend_schema(request=None, responses=RecordingStateSerializer, summary="Stop recording (either participant)")
    def post(self, request, pk: int):
        interview = _get(request, pk)
        services.recording_stop(interview=interview, user=request.user)
        return Response(recording_state_for(interview_id=interview.pk))


class InterviewRecordingChunkApi(APIView):
    class InputSerializer(serializers.Serializer):
        seq = serializers.IntegerField(help_text="This speaker's chunk number, from 0")
        started_at = serializers.DateTimeField(help_text="When the chunk's first sample was recorded")
        duration_ms = serializers.IntegerField()
        file = serializers.FileField(help_text="A whole WebM/Opus (or Ogg) file")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        seq = serializers.IntegerField()
        started_at = serializers.DateTimeField()
        duration_ms = serializers.IntegerField()
        size = serializers.IntegerField()
        duplicate = serializers.BooleanField(help_text="True when this chunk was already stored (a retry)")

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={
            201: OutputSerializer,
            200: OpenApiResponse(OutputSerializer, description="already stored: a retry"),
            404: OpenApiResponse(description="not_found"),
            409: OpenApiResponse(description="no_consent, upload_closed, not_live or seq_conflict"),
            410: OpenApiResponse(description="recording_deleted"),
            413: OpenApiResponse(description="too_large"),
            415: OpenApiResponse(description="unsupported_type"),
        },
        summary="Upload one chunk of my microphone",
    )
    def post(self, request, pk: int):
        interview = _get(request, pk)
        data = _parse(self.InputSerializer, request.data)
        chunk, created = services.recording_chunk_upload(
            interview=interview,
            user=request.user,
            seq=data["seq"],
            started_at=data["started_at"],
            duration_ms=data["duration_ms"],
            upload=data["file"],
        )
        body = {
            "id": chunk.pk,
            "seq": chunk.seq,
            "started_at": chunk.started_at,
            "duration_ms": chunk.duration_ms,
            "size": chunk.size,
            "duplicate": not created,
        }
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self.OutputSerializer(body).data, status=code)


# Scheduling. Times go in as ISO 8601 with an offset and come back in UTC.


def _booking(request, pk: int) -> Booking:
    return get_or_404(booking_access, message="No such session.", user=request.user, booking_id=pk)


def _booking_data(request, booking: Booking) -> dict:
    return BookingOutputSerializer(booking, context={"request": request}).data


def _parse(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _feed_url(request, profile) -> str:
    return request.build_absolute_uri(reverse("calendar_feed", args=[profile.calendar_token]))


class ProfileApi(APIView):
    class InputSerializer(StrictInputSerializer):
        display_name = serializers.CharField(allow_blank=True, max_length=60, help_text="The name peers see.")
        time_zone = serializers.CharField(max_length=64, help_text="An IANA zone, e.g. Europe/Paris.")
        target_role = serializers.ChoiceField(choices=["", *Profile.TargetRole.values], required=False)
        level = serializers.ChoiceField(choices=["", *Profile.Level.values], required=False)
        languages = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
        bio = serializers.CharField(allow_blank=True, required=False)
        focus_problem_ids = serializers.ListField(
            child=serializers.IntegerField(), required=False, help_text="Ids from /api/problems/, at most 5."
        )

    class OutputSerializer(PublicProfileSerializer):
        display_name = serializers.CharField(help_text="The public name; empty means your username is shown.")
        time_zone = serializers.CharField()

    def _data(self, request):
        profile = profile_get(user_id=request.user.pk)
        reliability = reliability_for(user_ids=[profile.user_id])
        return self.OutputSerializer(profile, context={"reliability": reliability}).data

    @extend_schema(responses=OutputSerializer, summary="My profile, with the reliability peers see")
    def get(self, request):
        services.profile_ensure(user=request.user)
        return Response(self._data(request))

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Update my profile (public name and time zone required; other fields left out stay as they are)",
    )
    def put(self, request):
        services.profile_update(user=request.user, **_parse(self.InputSerializer, request.data))
        return Response(self._data(request))


class PeerApi(APIView):
    @extend_schema(responses=PublicProfileSerializer, summary="A peer's public profile and reliability")
    def get(self, request, user_id: int):
        try:
            profile = profile_get(user_id=user_id)
        except Profile.DoesNotExist as exc:
            raise Http404("No such peer.") from exc
        reliability = reliability_for(user_ids=[profile.user_id])
        return Response(PublicProfileSerializer(profile, context={"reliability": reliability}).data)


class WeeklyAvailabilityListApi(APIView):
    class InputSerializer(StrictInputSerializer):
        weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday ... 6 = Sunday.")
        start_time = serializers.TimeField(input_formats=["%H:%M"], help_text="HH:MM in your time zone.")
        end_time = serializers.TimeField(input_formats=["%H:%M"], help_text="HH:MM in your time zone, same day.")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        weekday = serializers.IntegerField(help_text="0 = Monday ... 6 = Sunday.")
        start_time = serializers.TimeField(format="%H:%M")
        end_time = serializers.TimeField(format="%H:%M")
        time_zone = serializers.CharField(help_text="The zone the wall-clock times are in (your profile's).")

    @extend_schema(responses=OutputSerializer(many=True), summary="My weekly availability")
    def get(self, request):
        rules = weekly_availability_for(user=request.user)
        return Response(self.OutputSerializer(rules, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer},
        summary="Add a weekly window (wall-clock times in my time zone)",
    )
    def post(self, request):
        rule = services.weekly_availability_add(user=request.user, **_parse(self.InputSerializer, request.data))
        return Response(self.OutputSerializer(rule).data, status=status.HTTP_201_CREATED)


class WeeklyAvailabilityDetailApi(APIView):
    @extend_schema(responses={204: None}, summary="Remove one of my weekly windows")
    def delete(self, request, pk: int):
        services.weekly_availability_delete(user=request.user, rule_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvailabilityWindowListApi(APIView):
    class InputSerializer(StrictInputSerializer):
        starts_at = AwareDateTimeField(help_text="ISO 8601 with an offset, e.g. 2026-12-05T10:00:00+01:00")
        ends_at = AwareDateTimeField(help_text="ISO 8601 with an offset, e.g. 2026-12-05T13:00:00+01:00")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        starts_at = UtcDateTimeField()
        ends_at = UtcDateTimeField()

    @extend_schema(responses=OutputSerializer(many=True), summary="My one-off windows that have not ended")
    def get(self, request):
        windows = availability_windows_for(user=request.user)
        return Response(self.OutputSerializer(windows, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer},
        summary="Add a one-off window",
    )
    def post(self, request):
        window = services.availability_window_add(user=request.user, **_parse(self.InputSerializer, request.data))
        return Response(self.OutputSerializer(window).data, status=status.HTTP_201_CREATED)


class AvailabilityWindowDetailApi(APIView):
    @extend_schema(responses={204: None}, summary="Remove one of my one-off windows")
    def delete(self, request, pk: int):
        services.availability_window_delete(user=request.user, window_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SlotListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        to = AwareDateTimeField(required=False, help_text="Slots starting before this time (at most 4 weeks ahead).")
        level = serializers.ChoiceField(choices=Profile.Level.values, required=False, help_text="The host's level.")
        focus = serializers.SlugField(required=False, help_text="A problem slug the host focuses on.")
        mode = serializers.ChoiceField(choices=BOOKING_MODES, default="candidate", help_text="The seat you want.")
        duration = serializers.IntegerField(default=60, help_text="Minutes: 45, 60, 75 or 90 (a swap: 60 or 90).")
        host = serializers.IntegerField(min_value=1, required=False, help_text="Only this peer's slots.")

        def get_fields(self):
            # "from" is a Python keyword, so it cannot be declared as a class attribute.
            since = AwareDateTimeField(required=False, help_text="Slots starting from this time (default: now).")
            return {"from": since, **super().get_fields()}

        def validate(self, attrs):
            allowed = durations_for(attrs["mode"])
            if attrs["duration"] not in allowed:
                options = ", ".join(str(minutes) for minutes in allowed)
                raise serializers.ValidationError({"duration": [f"For this mode a session lasts {options} minutes."]})
            if attrs.get("from") and attrs.get("to") and attrs["to"] <= attrs["from"]:
                raise serializers.ValidationError({"to": ["Must be later than from."]})
            return attrs

    class OutputSerializer(serializers.Serializer):
        class HostSerializer(serializers.Serializer):
            id = serializers.IntegerField(source="user_id")
            name = serializers.CharField(source="public_name")
            level = serializers.CharField()
            target_role = serializers.CharField()
            focus = FocusProblemSerializer(source="focus_problems", many=True)
            reliability = serializers.SerializerMethodField()

            @extend_schema_field(ReliabilitySerializer)
            def get_reliability(self, profile) -> dict:
                return ReliabilitySerializer(self.context["reliability"][profile.user_id]).data

        host = HostSerializer()
        starts_at = UtcDateTimeField()
        ends_at = UtcDateTimeField()

    @extend_schema(
        parameters=[FilterSerializer],
        responses=OutputSerializer(many=True),
        summary="Peers' open slots, soonest first (at most 300, up to 4 weeks ahead)",
    )
    def get(self, request):
        query = _parse(self.FilterSerializer, request.query_params)
        slots = open_slots(
            viewer=request.user,
            duration_minutes=query["duration"],
            since=query.get("from"),
            until=query.get("to"),
            level=query.get("level", ""),
            focus=query.get("focus", ""),
            host_id=query.get("host"),
        )
        reliability = reliability_for(user_ids=sorted({slot.host.user_id for slot in slots}))
        return Response(self.OutputSerializer(slots, many=True, context={"reliability": reliability}).data)


class BookingListCreateApi(APIView):
    class InputSerializer(StrictInputSerializer):
        host_id = serializers.IntegerField(help_text="The peer whose open slot this is (host.id in /api/slots/).")
        starts_at = AwareDateTimeField(help_text="The slot's start, ISO 8601 with an offset.")
        mode = serializers.ChoiceField(
            choices=BOOKING_MODES,
            help_text="Your seat: candidate, interviewer, or swap (the host interviews first, then you).",
        )
        duration_minutes = serializers.IntegerField(help_text="45, 60, 75 or 90; a swap lasts 60 or 90.")
        problem_id = serializers.IntegerField(
            required=False,
            allow_null=True,
            help_text="The problem for your candidate seat; chosen for you if left out.",
        )

    @extend_schema(responses=BookingOutputSerializer(many=True), summary="My sessions, past and upcoming")
    def get(self, request):
        bookings = booking_list_for(user=request.user).prefetch_related("changes")
        return Response(BookingOutputSerializer(bookings, many=True, context={"request": request}).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: BookingOutputSerializer,
            409: OpenApiResponse(description="slot_taken: someone else booked it first; you_are_busy"),
        },
        summary="Book a peer's open slot",
    )
    def post(self, request):
        booking = services.booking_book_slot(user=request.user, **_parse(self.InputSerializer, request.data))
        return Response(_booking_data(request, _booking(request, booking.pk)), status=status.HTTP_201_CREATED)


class BookingDetailApi(APIView):
    @extend_schema(responses=BookingOutputSerializer, summary="One of my sessions")
    def get(self, request, pk: int):
        return Response(_booking_data(request, _booking(request, pk)))


class BookingCancelApi(APIView):
    class InputSerializer(StrictInputSerializer):
        reason = serializers.CharField(allow_blank=True, help_text="Shown to your peer.")

    @extend_schema(
        request=InputSerializer,
        responses=BookingOutputSerializer,
        summary="Cancel a session with a reason (within 24 hours of the start it counts as late)",
    )
    def post(self, request, pk: int):
        booking = _booking(request, pk)
        services.booking_cancel(booking=booking, user=request.user, **_parse(self.InputSerializer, request.data))
        return Response(_booking_data(request, _booking(request, pk)))


class BookingRescheduleApi(APIView):
    class InputSerializer(StrictInputSerializer):
        starts_at = AwareDateTimeField(help_text="The new start, ISO 8601 with an offset.")
        reason = serializers.CharField(allow_blank=True, help_text="Shown to your peer.")

    @extend_schema(
        request=InputSerializer,
        responses=BookingOutputSerializer,
        summary="Move a session to a new start, with a reason",
    )
    def post(self, request, pk: int):
        booking = _booking(request, pk)
        services.booking_reschedule(booking=booking, user=request.user, **_parse(self.InputSerializer, request.data))
        return Response(_booking_data(request, _booking(request, pk)))


class QueueApi(APIView):
    class InputSerializer(StrictInputSerializer):
        class WindowSerializer(StrictInputSerializer):
            starts_at = AwareDateTimeField(help_text="ISO 8601 with an offset.")
            ends_at = AwareDateTimeField(help_text="ISO 8601 with an offset.")

        mode = serializers.ChoiceField(choices=MatchRequest.Mode.values, help_text="The seat you want.")
        duration_minutes = serializers.IntegerField(help_text="45, 60, 75 or 90; a swap lasts 60 or 90.")
        windows = WindowSerializer(
            many=True, required=False, help_text="Up to 10 windows in the next 4 weeks; or now: true."
        )
        now = serializers.BooleanField(
            default=False, help_text="Free now: match me with someone free now, to start within minutes."
        )

        def validate(self, attrs):
            if attrs.get("now") == ("windows" in attrs):
                raise serializers.ValidationError("Give either windows or now: true.")
            return attrs

    class OutputSerializer(serializers.Serializer):
        open = MatchRequestSerializer(allow_null=True, help_text="Your place in the queue, if you are waiting.")
        history = MatchRequestSerializer(many=True, help_text="Your earlier queue entries, newest first.")

    @extend_schema(responses=OutputSerializer, summary="My place in the match queue and my earlier entries")
    def get(self, request):
        requests = list(match_requests_for(user=request.user))
        waiting = next((r for r in requests if r.status == MatchRequest.Status.OPEN), None)
        history = [r for r in requests if r is not waiting]
        return Response(self.OutputSerializer({"open": waiting, "history": history}).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: MatchRequestSerializer},
        summary="Join the match queue: any peer, in these windows",
    )
    def post(self, request):
        data = _parse(self.InputSerializer, request.data)
        if data["now"]:
            entry = services.match_request_now(
                user=request.user, mode=data["mode"], duration_minutes=data["duration_minutes"]
            )
        else:
            windows = [(window["starts_at"], window["ends_at"]) for window in data["windows"]]
            entry = services.match_request_create(
                user=request.user, mode=data["mode"], duration_minutes=data["duration_minutes"], windows=windows
            )
        entry = match_requests_for(user=request.user).get(pk=entry.pk)
        return Response(MatchRequestSerializer(entry).data, status=status.HTTP_201_CREATED)


class QueueEntryApi(APIView):
    @extend_schema(responses={204: None}, summary="Leave the match queue")
    def delete(self, request, pk: int):
        entry = match_requests_for(user=request.user).filter(pk=pk).first()
        if entry is None:  # someone else's or unknown: the same answer
            raise ApplicationError("Unknown queue entry.", code="not_found", status=404)
        services.match_request_cancel(request=entry, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedApi(APIView):
    @extend_schema(responses=CalendarFeedSerializer, summary="My personal calendar feed address")
    def get(self, request):
        profile = services.profile_ensure(user=request.user)
        return Response({"feed_url": _feed_url(request, profile)})


class CalendarFeedRotateApi(APIView):
    @extend_schema(
        request=None,
        responses=CalendarFeedSerializer,
        summary="Replace my calendar feed address (the old one stops working)",
    )
    def post(self, request):
        profile = services.profile_rotate_calendar_token(user=request.user)
        return Response({"feed_url": _feed_url(request, profile)})
