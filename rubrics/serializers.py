"""Output serializers shared by the problem APIs: the list entry and the detail that extends it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Problem
from .selectors.content import problem_as_data

MATERIAL_FIELDS = ("clarifying_facts", "expectations", "follow_ups", "hints", "reference_design")


class ProblemSerializer(serializers.ModelSerializer):
    interviewer_material_visible = serializers.SerializerMethodField(
        help_text="Whether GET /api/problems/<slug>/ gives you this problem's interviewer material."
    )

    class Meta:
        model = Problem
        fields = ["id", "slug", "title", "difficulty", "domain", "summary", "prompt", "interviewer_material_visible"]

    def get_interviewer_material_visible(self, problem) -> bool:
        return problem.pk in self.context["material_ids"]


class InterviewerMaterialSerializer(serializers.Serializer):
    clarifying_facts = serializers.ListField(child=serializers.CharField())
    expectations = serializers.DictField(
        help_text="offline_components, online_components, connections ([from, to] pairs), offline_metrics, "
        "online_metrics, pitfalls."
    )
    follow_ups = serializers.DictField(help_text="Questions to ask next, per rubric step key.")
    hints = serializers.DictField(help_text="Nudges for a stuck candidate, per rubric step key.")
    reference_design = serializers.DictField(help_text='{"offline": [...], "online": [...], "arrows": [...]}')


class ProblemDetailSerializer(ProblemSerializer):
    interviewer_material = serializers.SerializerMethodField(
        help_text="Null unless you interview a session on this problem or have done it as the candidate."
    )

    class Meta(ProblemSerializer.Meta):
        fields = [*ProblemSerializer.Meta.fields, "interviewer_material"]

    @extend_schema_field(InterviewerMaterialSerializer(allow_null=True))
    def get_interviewer_material(self, problem) -> dict | None:
        if problem.pk not in self.context["material_ids"]:
            return None
        data = problem_as_data(problem=problem)
        return {key: data[key] for key in MATERIAL_FIELDS}
