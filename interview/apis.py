"""REST API for interviews, their boards and scorecards. Same access rules as the pages."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ApplicationError
from rubrics.selectors import scorecard_for_interview
from rubrics.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from whiteboard.selectors import board_get_state

from . import services
from .access import interview_access
from .models import Interview
from .selectors import interview_list_for
from .serializers import (
    BoardSerializer,
    InterviewCreateSerializer,
    InterviewOutputSerializer,
    ScorecardInputSerializer,
    ScorecardOutputSerializer,
)


def _get(request, pk: int, need="participant") -> Interview:
    try:
        return interview_access(user=request.user, interview_id=pk, need=need)
    except Interview.DoesNotExist as exc:
        raise Http404 from exc


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


class ScorecardApi(APIView):
    @extend_schema(
        responses={200: ScorecardOutputSerializer, 404: OpenApiResponse(description="Not scored yet")},
        summary="The scorecard (the candidate sees it once submitted)",
    )
    def get(self, request, pk: int):
        interview = _get(request, pk)
        scorecard = scorecard_for_interview(interview_id=pk)
        visible = scorecard is not None and (scorecard.is_submitted or interview.role_of(request.user) == "interviewer")
        if not visible:
            raise Http404("No submitted scorecard yet.")
        return Response(ScorecardOutputSerializer(scorecard).data)

    @extend_schema(
        request=ScorecardInputSerializer,
        responses=ScorecardOutputSerializer,
        summary="Save the scorecard draft (interviewer only)",
    )
    def put(self, request, pk: int):
        interview = _get(request, pk, need="interviewer")
        if interview.status not in (Interview.Status.ACCEPTED, Interview.Status.COMPLETED):
            raise ApplicationError("Scoring opens once the interview is accepted.", code="not_live", status=409)
        data = ScorecardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=request.user)
        steps = {
            item["step"]: {"level": item["level"], "notes": item["notes"]} for item in data.validated_data["steps"]
        }
        scorecard_update(
            scorecard=scorecard,
            steps=steps,
            recommendation=data.validated_data["recommendation"],
            summary=data.validated_data["summary"],
        )
        return Response(ScorecardOutputSerializer(scorecard_for_interview(interview_id=pk)).data)


class ScorecardSubmitApi(APIView):
    @extend_schema(request=None, responses=ScorecardOutputSerializer, summary="Submit and lock the scorecard")
    def post(self, request, pk: int):
        _get(request, pk, need="interviewer")
        scorecard = scorecard_for_interview(interview_id=pk)
        if scorecard is None:
            raise ApplicationError("Fill in the scorecard before submitting it.", code="incomplete")
        scorecard_submit(scorecard=scorecard)
        return Response(ScorecardOutputSerializer(scorecard_for_interview(interview_id=pk)).data)
