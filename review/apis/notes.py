"""The interviewer's side panel in the room: criteria ticks and private notes per step, with the
problem's follow-up questions and hints for each step.

Interviewer only (the candidate and anyone else get 403), while the interview is accepted or
completed. Nothing here reaches the room socket: the candidate never learns a note was taken."""

from dataclasses import asdict

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.shortcuts import get_or_404
from interview.models import Interview

from ..models import GuideMark
from ..selectors.guide import StepGuide, guide_for
from ..selectors.notes import PanelStep, interview_started_at, panel_for_interview, panel_note
from ..serializers import PanelNoteSerializer
from ..services.notes import (
    MAX_CLIENT_ID_LENGTH,
    MAX_NOTE_LENGTH,
    criterion_check_set,
    guide_mark_set,
    interviewer_note_add,
    panel_access,
)


def _interview(request, pk: int) -> Interview:
    return get_or_404(panel_access, message="No such interview.", user=request.user, interview_id=pk)


def _parse(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _step_data(interview: Interview, step: PanelStep, guide: StepGuide | None) -> dict:
    data = asdict(step)
    for criterion in data["criteria"]:
        criterion["check_url"] = reverse("api_interview_check", args=[interview.pk, criterion["id"]])
    data.update(
        facts=[asdict(fact) for fact in guide.facts] if guide else [],
        checklist=[asdict(group) for group in guide.checklist] if guide else [],
    )
    return data


class PanelApi(APIView):
    class OutputSerializer(serializers.Serializer):
        class InterviewSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            status = serializers.CharField()
            current_step = serializers.IntegerField()
            started_at = serializers.DateTimeField()

        class StepSerializer(serializers.Serializer):
            class CriterionSerializer(serializers.Serializer):
                id = serializers.IntegerField()
                key = serializers.CharField()
                title = serializers.CharField()
                description = serializers.CharField()
                weight = serializers.IntegerField()
                met = serializers.BooleanField(
                    allow_null=True, help_text="true: met; false: not met; null: not seen yet."
                )
                check_url = serializers.CharField(help_text="PUT {met} here to tick, untick or clear.")

            class GuideGroupSerializer(serializers.Serializer):
                class GuideItemSerializer(serializers.Serializer):
                    kind = serializers.CharField(help_text="fact, component, connection or metric")
                    item = serializers.CharField(help_text="What a mark names: PUT {kind, item, on} to guide_url.")
                    label = serializers.CharField()  # type: ignore[assignment]  # stubs: clashes with Field's own attribute
                    marked_at = serializers.DateTimeField(
                        allow_null=True, help_text="When it was given or covered; null: not yet."
                    )

                title = serializers.CharField()
                items = GuideItemSerializer(many=True)

            number = serializers.IntegerField()
            key = serializers.CharField()
            title = serializers.CharField()
            time_budget_minutes = serializers.IntegerField()
            criteria = CriterionSerializer(many=True)
            notes = PanelNoteSerializer(many=True)
            prompts = serializers.ListField(child=serializers.CharField(), help_text="Questions to ask on this step.")
            facts = GuideGroupSerializer.GuideItemSerializer(
                many=True, help_text="Clarifying facts to give when the candidate asks."
            )
            checklist = GuideGroupSerializer(many=True, help_text="What a strong answer covers on this step.")
            follow_ups = serializers.ListField(
                child=serializers.CharField(), help_text="The problem's questions to ask next in this step."
            )
            hints = serializers.ListField(
                child=serializers.CharField(),
                help_text="Nudges the interviewer may give when the candidate is stuck here.",
            )

        interview = InterviewSerializer()
        locked = serializers.BooleanField(help_text="True once the scorecard is submitted: ticks and notes are final.")
        notes_url = serializers.CharField()
        guide_url = serializers.CharField()
        pitfalls = serializers.ListField(child=serializers.CharField(), help_text="Common mistakes to probe for.")
        steps = StepSerializer(many=True)

    @extend_schema(
        responses={200: OutputSerializer, 409: OpenApiResponse(description="The interview is not accepted yet")},
        summary="The interviewer's panel: criteria per step with my ticks, my private notes, follow-ups and hints",
    )
    def get(self, request, pk: int):
        interview = _interview(request, pk)
        panel = panel_for_interview(interview=interview, user=request.user)
        guide = guide_for(problem=interview.problem, steps=panel.steps, scorecard=panel.scorecard)
        by_number = {step.number: step for step in guide.steps}
        data = {
            "interview": {
                "id": interview.pk,
                "status": interview.status,
                "current_step": interview.current_step,
                "started_at": panel.started_at,
            },
            "locked": panel.locked,
            "notes_url": reverse("api_interview_notes", args=[interview.pk]),
            "guide_url": reverse("api_interview_guide", args=[interview.pk]),
            "pitfalls": guide.pitfalls,
            "steps": [_step_data(interview, step, by_number.get(step.number)) for step in panel.steps],
        }
        return Response(self.OutputSerializer(data).data)


class CriterionCheckApi(APIView):
    class InputSerializer(serializers.Serializer):
        met = serializers.BooleanField(allow_null=True, help_text="true: met; false: not met; null: clear the tick.")

    class OutputSerializer(serializers.Serializer):
        criterion = serializers.IntegerField()
        step = serializers.IntegerField()
        met = serializers.BooleanField(allow_null=True)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(description="No such interview, or the criterion is not in its rubric"),
            409: OpenApiResponse(description="Not accepted yet, or the scorecard is submitted"),
        },
        summary="Tick a criterion as met or not met, or clear the tick (interviewer only)",
    )
    def put(self, request, pk: int, criterion_id: int):
        interview = _interview(request, pk)
        met = _parse(self.InputSerializer, request.data)["met"]
        criterion = criterion_check_set(interview=interview, user=request.user, criterion_id=criterion_id, met=met)
        return Response(
            self.OutputSerializer({"criterion": criterion.pk, "step": criterion.step.number, "met": met}).data
        )


class InterviewerNoteApi(APIView):
    class InputSerializer(serializers.Serializer):
        step = serializers.IntegerField(min_value=1, help_text="The step number the note is about.")
        text = serializers.CharField(max_length=MAX_NOTE_LENGTH, trim_whitespace=True)
        client_id = serializers.CharField(
            max_length=MAX_CLIENT_ID_LENGTH,
            required=False,
            allow_null=True,
            allow_blank=True,
            help_text="Chosen by the client; sending the same one again returns the saved note instead of a copy.",
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            201: PanelNoteSerializer,
            200: OpenApiResponse(PanelNoteSerializer, description="A retry: the note saved the first time"),
            409: OpenApiResponse(description="Not accepted yet, or the scorecard is submitted"),
        },
        summary="Add a private, timestamped note to a step (interviewer only; never shown to the candidate)",
    )
    def post(self, request, pk: int):
        interview = _interview(request, pk)
        data = _parse(self.InputSerializer, request.data)
        note, created = interviewer_note_add(
            interview=interview,
            user=request.user,
            step=data["step"],
            text=data["text"],
            client_id=data.get("client_id") or None,
        )
        item = panel_note(note, step_number=note.step.number, started_at=interview_started_at(interview))
        return Response(
            PanelNoteSerializer(asdict(item)).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class GuideMarkApi(APIView):
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=GuideMark.Kind.values)
        item = serializers.CharField(max_length=200)
        on = serializers.BooleanField(help_text="true: given or covered; false: clear the mark.")

    class OutputSerializer(serializers.Serializer):
        kind = serializers.CharField()
        item = serializers.CharField()
        marked_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(description="No such interview, or the item is not in its problem's guide"),
            409: OpenApiResponse(description="Not accepted yet, or the scorecard is submitted"),
        },
        summary="Mark a clarifying fact as given, or an expected item as covered (interviewer only)",
    )
    def put(self, request, pk: int):
        interview = _interview(request, pk)
        data = _parse(self.InputSerializer, request.data)
        mark = guide_mark_set(
            interview=interview, user=request.user, kind=data["kind"], item=data["item"], on=data["on"]
        )
        return Response(
            self.OutputSerializer(
                {"kind": data["kind"], "item": data["item"], "marked_at": mark.created_at if mark else None}
            ).data
        )
