"""Serializers that several of the review's API views share. A serializer only one view uses is
nested in that view (`review/apis/`), and the schema names it after the view (`core/schema.py`)."""

from rest_framework import serializers

from interview.serializers import PersonSerializer

from .models import Scorecard


# The board history's page, for the participants' and the share-link readers' views alike.
class HistoryQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, default=0, help_text="Return ops after this seq.")
    limit = serializers.IntegerField(min_value=1, max_value=2000, default=500, help_text="Ops per page.")


class BoardHistoryOpSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    elements = serializers.ListField(child=serializers.DictField(), help_text="The elements that won in this op.")


class BoardHistoryStepSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    at = serializers.DateTimeField()
    seq = serializers.IntegerField(help_text="The last op at or before the step started (0: the empty board).")
    event_id = serializers.IntegerField(allow_null=True, help_text="The step change in the transcript.")


class BoardHistorySerializer(serializers.Serializer):
    board_id = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="The board's last seq.")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    lanes = serializers.ListField(child=serializers.DictField())
    initial = serializers.ListField(child=serializers.DictField(), help_text="The lane frames the board began with.")
    steps = BoardHistoryStepSerializer(many=True)
    ops = BoardHistoryOpSerializer(many=True)
    next_after = serializers.IntegerField(allow_null=True, help_text="Pass as ?after= for the next page; null: done.")


# A private note, in the room panel's steps and as the answer to adding one.
class PanelNoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    step = serializers.IntegerField(help_text="The step number.")
    text = serializers.CharField()
    client_id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    elapsed_seconds = serializers.IntegerField(help_text="Seconds since the interview's start (negative before it).")


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
