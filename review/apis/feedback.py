"""The candidate's feedback on their interviewer, and a person's record as an interviewer."""

from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.shortcuts import get_or_404
from interview.access import interview_access

from ..models import InterviewerFeedback
from ..selectors import review_visibility
from ..selectors.feedback import feedback_for, interviewer_record_for
from ..services.feedback import MAX_NOTE, interviewer_feedback_save


class InterviewerFeedbackApi(APIView):
    class InputSerializer(serializers.Serializer):
        preparation = serializers.IntegerField(min_value=1, max_value=5, help_text="Knew the problem and the rubric")
        clarity = serializers.IntegerField(min_value=1, max_value=5, help_text="The prompt and questions were clear")
        hints = serializers.IntegerField(min_value=1, max_value=5, help_text="Hints helped without giving it away")
        fairness = serializers.IntegerField(min_value=1, max_value=5, help_text="Scores matched what was said")
        would_practise_again = serializers.BooleanField()
        note = serializers.CharField(allow_blank=True, required=False, default="", max_length=MAX_NOTE)
        show_note = serializers.BooleanField(required=False, default=False, help_text="Show the note on their profile")

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = InterviewerFeedback
            fields = [
                "preparation",
                "clarity",
                "hints",
                "fairness",
                "would_practise_again",
                "note",
                "show_note",
                "created_at",
                "updated_at",
            ]

    @extend_schema(
        responses={200: OutputSerializer, 404: OpenApiResponse(description="None given, or not yet readable")},
        summary="The candidate's feedback on the interviewer (readable by the interviewer once they submit scores)",
    )
    def get(self, request, pk: int):
        interview = get_or_404(interview_access, message="No such interview.", user=request.user, interview_id=pk)
        if not review_visibility(interview=interview, audience=interview.role_of(request.user)).interviewer_feedback:
            raise Http404("The candidate's feedback is shown to you once you submit their scorecard.")
        feedback = feedback_for(interview_id=pk)
        if feedback is None:
            raise Http404("No feedback on the interviewer yet.")
        return Response(self.OutputSerializer(feedback).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer, summary="Rate the interviewer (candidate only)")
    def put(self, request, pk: int):
        interview = get_or_404(interview_access, message="No such interview.", user=request.user, interview_id=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = interviewer_feedback_save(interview=interview, user=request.user, answers=data.validated_data)
        return Response(self.OutputSerializer(feedback).data)


class InterviewerRecordApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class NoteSerializer(serializers.Serializer):
            text = serializers.CharField()
            at = serializers.DateTimeField()

        sessions = serializers.IntegerField(help_text="Rated sessions whose scorecard is submitted")
        overall = serializers.FloatField(allow_null=True)
        averages = serializers.DictField(child=serializers.FloatField())
        would_practise_again = serializers.FloatField(allow_null=True, help_text="Share of candidates, 0-1")
        notes = NoteSerializer(many=True)

    @extend_schema(responses=OutputSerializer, summary="A person's record as an interviewer")
    def get(self, request, user_id: int):
        if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
            raise Http404("No such peer.")
        return Response(self.OutputSerializer(interviewer_record_for(user_id=user_id)).data)
