"""Serializers nested in API views get component names from their view (core/schema.py), so the
schema has no clashes and no warnings, and the API modules keep to that style."""

import ast
import json
from pathlib import Path

from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework import serializers
from rest_framework.views import APIView

from core.schema import nested_component_name

ROOT = Path(__file__).resolve().parent.parent.parent
API_MODULES = [
    ROOT / "interview" / "apis.py",
    *sorted((ROOT / "review" / "apis").glob("*.py")),
    *sorted((ROOT / "rubrics" / "apis").glob("*.py")),
]


class ExampleApi(APIView):
    class InputSerializer(serializers.Serializer):
        class WindowSerializer(serializers.Serializer):
            starts_at = serializers.DateTimeField()

        windows = WindowSerializer(many=True)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()


class PlainSerializer(serializers.Serializer):
    id = serializers.IntegerField()


def test_a_nested_serializer_is_named_after_its_view_and_itself():
    assert nested_component_name(ExampleApi.InputSerializer) == "ExampleInput"
    assert nested_component_name(ExampleApi.OutputSerializer) == "ExampleOutput"
    assert nested_component_name(ExampleApi.InputSerializer.WindowSerializer) == "ExampleWindow"
    assert nested_component_name(PlainSerializer) == "PlainSerializer"  # drf-spectacular drops "Serializer"


def test_the_schema_has_no_warnings_and_names_nested_serializers_from_their_views(tmp_path):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(target))
    components = set(json.loads(target.read_text())["components"]["schemas"])
    assert {
        "InterviewListCreateInput",
        "InterviewBoardOutput",
        "SlotListOutput",
        "SlotListHost",
        "QueueInput",
        "QueueWindow",
        "QueueOutput",
        "ScorecardInput",
        "ScorecardStepInput",
        "PanelOutput",
        "GuideMarkInput",
        "InterviewerRecordNote",
    } <= components
    # Shared output serializers keep their own names.
    assert {"InterviewOutput", "BookingOutput", "MatchRequest", "ScorecardOutput", "BoardHistory"} <= components
    assert not components & {"Input", "Output", "Filter", "Window", "Step", "Item"}


def test_api_modules_declare_no_serializer_of_their_own_at_module_level():
    """A view's serializers are nested in it; shared ones live in the app's serializers.py."""
    found = []
    for path in API_MODULES:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith("Serializer"):
                found.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert found == []
