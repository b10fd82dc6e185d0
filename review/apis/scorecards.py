"""The interviewer's scorecard over the API: read (by the visibility rule), save a draft, submit."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.shortcuts import get_or_404
from interview.access import interview_access
from interview.lifecycle import interview_is_scorable
from interview.models import Interview

from ..models import Scorecard
from ..selectors import review_visibility, scorecard_for_interview
from ..serializers import ScorecardOutputSerializer
from ..services import scorecard_get_or_create, scorecard_submit, scorecard_update


def _interview(request, pk: int, need="participant") -> Interview:
    return get_or_404(interview_access, message="No such interview.", user=request.user, interview_id=pk, need=need)


class ScorecardApi(APIView):
    class InputSerializer(serializers.Serializer):
        class StepInputSerializer(serializers.Serializer):
            step = serializers.IntegerField(min_value=1)
            level = serializers.IntegerField(min_value=1, max_value=4, allow_null=True)
            notes = serializers.CharField(allow_blank=True, required=False, default="", max_length=10_000)

        steps = StepInputSerializer(many=True)
        recommendation = serializers.ChoiceField(
            choices=["", *Scorecard.Recommendation.values], required=False, default=""
        )
        summary = serializers.CharField(allow_blank=True, required=False, default="", max_length=10_000)

    @extend_schema(
        responses={200: ScorecardOutputSerializer, 404: OpenApiResponse(description="Not scored yet")},
        summary="The scorecard (the candidate sees it once submitted)",
    )
    def get(self, request, pk: int):
        interview = _interview(request, pk)
        scorecard = scorecard_for_interview(interview_id=pk)
        visible = review_visibility(interview=interview, audience=interview.role_of(request.user))
        if scorecard is None or not visible.scores:
            raise Http404("No submitted scorecard yet.")
        return Response(ScorecardOutputSerializer(scorecard).data)

    @extend_schema(
        request=InputSerializer,
        responses=ScorecardOutputSerializer,
        summary="Save the scorecard draft (interviewer only)",
    )
    def put(self, request, pk: int):
        interview = _interview(request, pk, need="interviewer")
        if not interview_is_scorable(interview):
            raise ApplicationError("Scoring opens once the interview is accepted.", code="not_live", status=409)
        data = self.InputSerializer(data=request.data)
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
        _interview(request, pk, need="interviewer")
        scorecard = scorecard_for_interview(interview_id=pk)
        if scorecard is None:
            raise ApplicationError("Fill in the scorecard before submitting it.", code="incomplete")
        scorecard_submit(scorecard=scorecard)
        return Response(ScorecardOutputSerializer(scorecard_for_interview(interview_id=pk)).data)
