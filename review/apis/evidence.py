"""The evidence finder over the API: an interview's suggested levels and evidence, asking for them
again, and how often the suggestions agree with interviewers."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from core.shortcuts import get_or_404
from interview.access import interview_access
from interview.lifecycle import interview_is_scorable
from interview.models import Interview

from ..selectors import review_visibility
from ..selectors.evidence import SIGNAL_KINDS, agreement_stats, evidence_for
from ..services.evidence import evidence_report_request


def _interview(request, pk: int, need="participant") -> Interview:
    return get_or_404(interview_access, message="No such interview.", user=request.user, interview_id=pk, need=need)


class InterviewEvidenceApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class StepSerializer(serializers.Serializer):
            class SuggestionSerializer(serializers.Serializer):
                class SignalSerializer(serializers.Serializer):
                    kind = serializers.ChoiceField(
                        choices=sorted(SIGNAL_KINDS),
                        help_text="A depth signal the level rewards, or what held it back: prompted, a bare list.",
                    )
                    label = serializers.CharField(help_text="What was seen, e.g. “trade-off stated”.")  # type: ignore[assignment]  # stubs: clashes with Field's own attribute
                    quote = serializers.CharField(allow_blank=True, help_text="The words that showed it.")
                    at = serializers.DateTimeField(allow_null=True)
                    transcript_event_id = serializers.IntegerField(allow_null=True)
                    url = serializers.CharField(allow_blank=True, help_text="The moment on the review page.")

                level = serializers.IntegerField(min_value=1, max_value=4)
                name = serializers.CharField()
                summary = serializers.CharField()
                signals = SignalSerializer(many=True, help_text="Why this level, in the order it happened.")

            class ItemSerializer(serializers.Serializer):
                id = serializers.IntegerField()
                source = serializers.ChoiceField(choices=["transcript", "board"])  # type: ignore[assignment]  # stubs: clashes with Field's own attribute
                verdict = serializers.ChoiceField(choices=["found", "negated", "missing", "wrong_lane"])
                verdict_label = serializers.CharField()
                concept = serializers.CharField()
                criterion = serializers.DictField(child=serializers.CharField(), allow_null=True)
                text = serializers.CharField()
                at = serializers.DateTimeField(allow_null=True)
                transcript_event_id = serializers.IntegerField(allow_null=True)
                board_seq = serializers.IntegerField(allow_null=True)
                url = serializers.CharField(
                    help_text="The moment on the review page (transcript line or board replay)."
                )

            number = serializers.IntegerField()
            key = serializers.CharField()
            title = serializers.CharField()
            suggestion = SuggestionSerializer(allow_null=True)
            items = ItemSerializer(many=True)

        status = serializers.ChoiceField(choices=["pending", "running", "done", "failed"])
        finder_version = serializers.IntegerField()
        requested_at = serializers.DateTimeField()
        finished_at = serializers.DateTimeField(allow_null=True)
        error = serializers.CharField(allow_blank=True)
        steps = StepSerializer(many=True)

    class RequestedOutputSerializer(serializers.Serializer):
        status = serializers.CharField()
        requested_at = serializers.DateTimeField()

    @extend_schema(
        responses={200: OutputSerializer, 404: OpenApiResponse(description="No evidence to show yet")},
        summary="Suggested levels and their evidence (the candidate sees them once the scorecard is submitted)",
    )
    def get(self, request, pk: int):
        interview = _interview(request, pk)
        if not review_visibility(interview=interview, audience=interview.role_of(request.user)).evidence:
            raise Http404("The evidence is shared once the interviewer submits the scorecard.")
        evidence = evidence_for(interview_id=pk)
        if evidence is None:
            raise Http404("No evidence has been looked for yet.")
        return Response(self.OutputSerializer(evidence).data)

    @extend_schema(
        request=None,
        responses={202: RequestedOutputSerializer},
        summary="Look for the evidence again (interviewer only); the result follows in the background",
    )
    def post(self, request, pk: int):
        interview = _interview(request, pk, need="interviewer")
        if not interview_is_scorable(interview):
            raise ApplicationError(
                "Evidence can be looked for once the interview has taken place.", code="not_ready", status=409
            )
        report = evidence_report_request(interview=interview, rerun=True)
        return Response(self.RequestedOutputSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class RubricAgreementApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class AgreementSerializer(serializers.Serializer):
            count = serializers.IntegerField()
            exact = serializers.IntegerField()
            within_one = serializers.IntegerField()
            exact_rate = serializers.FloatField(allow_null=True)
            within_one_rate = serializers.FloatField(allow_null=True)
            mean_difference = serializers.FloatField(
                allow_null=True, help_text="Suggested minus human level, on average."
            )

        class StepSerializer(AgreementSerializer):
            number = serializers.IntegerField()
            title = serializers.CharField()

        sessions = serializers.IntegerField()
        overall = AgreementSerializer()
        steps = StepSerializer(many=True)

    @extend_schema(
        responses=OutputSerializer,
        summary="How often the suggested levels agree with the interviewers' levels, per step and overall",
    )
    def get(self, request):
        return Response(self.OutputSerializer(agreement_stats()).data)
