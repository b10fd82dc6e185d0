from rest_framework import serializers

from rubrics.models import Scorecard

from .models import Interview
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
    problem = ProblemBriefSerializer()
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

    def get_my_role(self, interview) -> str | None:
        return interview.role_of(self.context["request"].user)

    def get_awaiting_my_answer(self, interview) -> bool:
        user = self.context["request"].user
        return interview.status == Interview.Status.INVITED and interview.invitee_id == user.pk


class InterviewCreateSerializer(serializers.Serializer):
    problem_id = serializers.IntegerField()
    scheduled_at = serializers.DateTimeField(help_text="ISO 8601 with an offset, e.g. 2026-12-01T18:00:00+01:00")
    duration_minutes = serializers.IntegerField(default=60, min_value=15, max_value=180)
    peer = serializers.CharField(max_length=254, help_text="The peer's username or email address.")
    my_role = serializers.ChoiceField(choices=["interviewer", "candidate"])


class BoardSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    elements = serializers.ListField(
        child=serializers.DictField(), help_text='Excalidraw elements, each with "lane": "offline", "online" or null.'
    )


class StepScoreSerializer(serializers.Serializer):
    step = serializers.IntegerField(source="step.number")
    title = serializers.CharField(source="step.title")
    level = serializers.IntegerField(allow_null=True)
    notes = serializers.CharField(allow_blank=True)


class ScorecardOutputSerializer(serializers.ModelSerializer):
    rubric = serializers.SerializerMethodField()
    scorer = PersonSerializer()
    steps = StepScoreSerializer(source="step_scores", many=True)

    class Meta:
        model = Scorecard
        fields = ["id", "rubric", "scorer", "status", "recommendation", "summary", "steps", "submitted_at"]

    def get_rubric(self, scorecard) -> dict:
        return {"slug": scorecard.rubric.slug, "version": scorecard.rubric.version}


class StepScoreInputSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=1)
    level = serializers.IntegerField(min_value=1, max_value=4, allow_null=True)
    notes = serializers.CharField(allow_blank=True, required=False, default="", max_length=10_000)


class ScorecardInputSerializer(serializers.Serializer):
    steps = StepScoreInputSerializer(many=True)
    recommendation = serializers.ChoiceField(choices=["", *Scorecard.Recommendation.values], required=False, default="")
    summary = serializers.CharField(allow_blank=True, required=False, default="", max_length=10_000)
