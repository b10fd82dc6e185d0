"""REST API for scheduling (profiles, availability, slots, bookings, the match queue, the calendar feed)
and for interviews, their boards and scorecards. Same access rules as the pages."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.shortcuts import get_or_404
from whiteboard.selectors import board_get_state

from . import services
from .access import booking_access, interview_access
from .lifecycle import room_is_open
from .models import Booking, Interview, MatchRequest, Profile, Recording
from .selectors import (
    availability_windows_for,
    booking_list_for,
    interview_list_for,
    match_requests_for,
    open_slots,
    reliability_for,
    weekly_availability_for,
)
from .selectors.interviews import recording_state
from .selectors.schedule import profile_get
from .serializers import (
    AvailabilityWindowInputSerializer,
    AvailabilityWindowSerializer,
    BoardSerializer,
    BookingCancelSerializer,
    BookingCreateSerializer,
    BookingOutputSerializer,
    BookingRescheduleSerializer,
    CalendarFeedSerializer,
    InterviewCreateSerializer,
    InterviewOutputSerializer,
    MatchRequestInputSerializer,
    MatchRequestSerializer,
    MyProfileSerializer,
    ProfileInputSerializer,
    PublicProfileSerializer,
    QueueSerializer,
    SlotQuerySerializer,
    SlotSerializer,
    WeeklyAvailabilityInputSerializer,
    WeeklyAvailabilitySerializer,
)
from .services.ice import ice_servers_for


def _get(request, pk: int, need="participant") -> Interview:
    return get_or_404(interview_access, message="No such interview.", user=request.user, interview_id=pk, need=need)


class InterviewListCreateApi(APIView):
    @extend_schema(responses=InterviewOutputSerializer(many=True), summary="My interviews")
    def get(self, request):
        interviews = interview_list_for(user=request.user)
        return Response(InterviewOutputSerializer(interviews, many=True, context={"request": request}).data)

    @extend_schema(
        request=InterviewCreateSerializer,
        responses={201: InterviewOutputSerializer},
        summary="Schedule an interview and invite a peer",
    )
    def post(self, request):
        data = InterviewCreateSerializer(data=request.data)
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
    @extend_schema(responses=BoardSerializer, summary="The board as it is now, each element tagged with its lane")
    def get(self, request, pk: int):
        interview = _get(request, pk)
        state = board_get_state(board_id=interview.board_id, include_deleted=False)
        return Response({"seq": state.seq, "elements": state.elements})


class IceServerSerializer(serializers.Serializer):
    urls = serializers.ListField(child=serializers.CharField())
    username = serializers.CharField(required=False, help_text="TURN only")
    credential = serializers.CharField(required=False, help_text="TURN only")


class IceServersSerializer(serializers.Serializer):
    ice_servers = IceServerSerializer(many=True, help_text="RTCPeerConnection's iceServers; empty on loopback")
    expires_at = serializers.DateTimeField(allow_null=True, help_text="When the TURN credentials stop working")


class InterviewIceServersApi(APIView):
    @extend_schema(
        responses={200: IceServersSerializer, 409: OpenApiResponse(description="not_live: the room is not open")},
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
        response = Response(IceServersSerializer(ice_servers_for(user=request.user, interview=interview)).data)
        response["Cache-Control"] = "no-store"  # the TURN credential is a secret
        return response


# Recording: consent and stop also go over the room socket; chunks come here (docs/api.md).


class RecordingStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["off", "asked", "on", "deleted"])
    interviewer_consented = serializers.BooleanField()
    candidate_consented = serializers.BooleanField()
    on_since = serializers.DateTimeField(allow_null=True)


class ChunkUploadSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="This speaker's chunk number, from 0")
    started_at = serializers.DateTimeField(help_text="When the chunk's first sample was recorded")
    duration_ms = serializers.IntegerField()
    file = serializers.FileField(help_text="A whole WebM/Opus (or Ogg) file")


class ChunkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField()
    size = serializers.IntegerField()
    duplicate = serializers.BooleanField(help_text="True when this chunk was already stored (a retry)")


def _recording_state(interview: Interview) -> dict:
    return recording_state(Recording.objects.filter(interview_id=interview.pk).first())


class InterviewRecordingApi(APIView):
    @extend_schema(responses=RecordingStateSerializer, summary="Whether the room is being recorded")
    def get(self, request, pk: int):
        return Response(_recording_state(_get(request, pk)))

    @extend_schema(
        request=None,
        responses={200: RecordingStateSerializer, 409: OpenApiResponse(description="not_live")},
        summary="Consent to recording (recording starts once both have)",
    )
    def post(self, request, pk: int):
        interview = _get(request, pk)
        services.recording_consent(interview=interview, user=request.user)
        return Response(_recording_state(interview))

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
        return Response(_recording_state(interview))


class InterviewRecordingChunkApi(APIView):
    @extend_schema(
        request={"multipart/form-data": ChunkUploadSerializer},
        responses={
            201: ChunkSerializer,
            200: OpenApiResponse(ChunkSerializer, description="already stored: a retry"),
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
        data = _parse(ChunkUploadSerializer, request.data)
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
        return Response(ChunkSerializer(body).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


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
    def _data(self, request):
        profile = profile_get(user_id=request.user.pk)
        reliability = reliability_for(user_ids=[profile.user_id])
        return MyProfileSerializer(profile, context={"reliability": reliability}).data

    @extend_schema(responses=MyProfileSerializer, summary="My profile, with the reliability peers see")
    def get(self, request):
        services.profile_ensure(user=request.user)
        return Response(self._data(request))

    @extend_schema(
        request=ProfileInputSerializer,
        responses=MyProfileSerializer,
        summary="Update my profile (public name and time zone required; other fields left out stay as they are)",
    )
    def put(self, request):
        services.profile_update(user=request.user, **_parse(ProfileInputSerializer, request.data))
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
    @extend_schema(responses=WeeklyAvailabilitySerializer(many=True), summary="My weekly availability")
    def get(self, request):
        rules = weekly_availability_for(user=request.user)
        return Response(WeeklyAvailabilitySerializer(rules, many=True).data)

    @extend_schema(
        request=WeeklyAvailabilityInputSerializer,
        responses={201: WeeklyAvailabilitySerializer},
        summary="Add a weekly window (wall-clock times in my time zone)",
    )
    def post(self, request):
        rule = services.weekly_availability_add(
            user=request.user, **_parse(WeeklyAvailabilityInputSerializer, request.data)
        )
        return Response(WeeklyAvailabilitySerializer(rule).data, status=status.HTTP_201_CREATED)


class WeeklyAvailabilityDetailApi(APIView):
    @extend_schema(responses={204: None}, summary="Remove one of my weekly windows")
    def delete(self, request, pk: int):
        services.weekly_availability_delete(user=request.user, rule_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvailabilityWindowListApi(APIView):
    @extend_schema(responses=AvailabilityWindowSerializer(many=True), summary="My one-off windows that have not ended")
    def get(self, request):
        windows = availability_windows_for(user=request.user)
        return Response(AvailabilityWindowSerializer(windows, many=True).data)

    @extend_schema(
        request=AvailabilityWindowInputSerializer,
        responses={201: AvailabilityWindowSerializer},
        summary="Add a one-off window",
    )
    def post(self, request):
        window = services.availability_window_add(
            user=request.user, **_parse(AvailabilityWindowInputSerializer, request.data)
        )
        return Response(AvailabilityWindowSerializer(window).data, status=status.HTTP_201_CREATED)


class AvailabilityWindowDetailApi(APIView):
    @extend_schema(responses={204: None}, summary="Remove one of my one-off windows")
    def delete(self, request, pk: int):
        services.availability_window_delete(user=request.user, window_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SlotListApi(APIView):
    @extend_schema(
        parameters=[SlotQuerySerializer],
        responses=SlotSerializer(many=True),
        summary="Peers' open slots, soonest first (at most 300, up to 4 weeks ahead)",
    )
    def get(self, request):
        query = _parse(SlotQuerySerializer, request.query_params)
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
        return Response(SlotSerializer(slots, many=True, context={"reliability": reliability}).data)


class BookingListCreateApi(APIView):
    @extend_schema(responses=BookingOutputSerializer(many=True), summary="My sessions, past and upcoming")
    def get(self, request):
        bookings = booking_list_for(user=request.user).prefetch_related("changes")
        return Response(BookingOutputSerializer(bookings, many=True, context={"request": request}).data)

    @extend_schema(
        request=BookingCreateSerializer,
        responses={
            201: BookingOutputSerializer,
            409: OpenApiResponse(description="slot_taken: someone else booked it first; you_are_busy"),
        },
        summary="Book a peer's open slot",
    )
    def post(self, request):
        booking = services.booking_book_slot(user=request.user, **_parse(BookingCreateSerializer, request.data))
        return Response(_booking_data(request, _booking(request, booking.pk)), status=status.HTTP_201_CREATED)


class BookingDetailApi(APIView):
    @extend_schema(responses=BookingOutputSerializer, summary="One of my sessions")
    def get(self, request, pk: int):
        return Response(_booking_data(request, _booking(request, pk)))


class BookingCancelApi(APIView):
    @extend_schema(
        request=BookingCancelSerializer,
        responses=BookingOutputSerializer,
        summary="Cancel a session with a reason (within 24 hours of the start it counts as late)",
    )
    def post(self, request, pk: int):
        booking = _booking(request, pk)
        services.booking_cancel(booking=booking, user=request.user, **_parse(BookingCancelSerializer, request.data))
        return Response(_booking_data(request, _booking(request, pk)))


class BookingRescheduleApi(APIView):
    @extend_schema(
        request=BookingRescheduleSerializer,
        responses=BookingOutputSerializer,
        summary="Move a session to a new start, with a reason",
    )
    def post(self, request, pk: int):
        booking = _booking(request, pk)
        services.booking_reschedule(
            booking=booking, user=request.user, **_parse(BookingRescheduleSerializer, request.data)
        )
        return Response(_booking_data(request, _booking(request, pk)))


class QueueApi(APIView):
    @extend_schema(responses=QueueSerializer, summary="My place in the match queue and my earlier entries")
    def get(self, request):
        requests = list(match_requests_for(user=request.user))
        waiting = next((r for r in requests if r.status == MatchRequest.Status.OPEN), None)
        return Response(QueueSerializer({"open": waiting, "history": [r for r in requests if r is not waiting]}).data)

    @extend_schema(
        request=MatchRequestInputSerializer,
        responses={201: MatchRequestSerializer},
        summary="Join the match queue: any peer, in these windows",
    )
    def post(self, request):
        data = _parse(MatchRequestInputSerializer, request.data)
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
