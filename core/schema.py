"""OpenAPI component names for the serializers that API views nest.

Each API view declares the serializers only it uses inside itself (`InputSerializer`,
`FilterSerializer`, `OutputSerializer`, and any they nest in turn), so many of them share a class
name. The schema names a nested one after its view and its own name, without the "Api" and
"Serializer" endings: `InterviewBoardApi.OutputSerializer` is `InterviewBoardOutput`, and
`QueueApi.InputSerializer.WindowSerializer` is `QueueWindow`. A serializer at module level keeps
its class name, and `@extend_schema_serializer(component_name=...)` still wins over both.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


def _trim(name: str, suffix: str) -> str:
    return name[: -len(suffix)] if name.endswith(suffix) and name != suffix else name


def nested_component_name(serializer_class: type) -> str:
    """`View.Outer.InnerSerializer` -> `ViewInner` (the view's name without "Api"); a serializer
    not nested in a class keeps its own name."""
    parts = serializer_class.__qualname__.split(".")
    if len(parts) == 1 or "<locals>" in parts:
        return serializer_class.__name__
    return _trim(parts[0], "Api") + _trim(parts[-1], "Serializer")


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer: serializers.Serializer, direction) -> str:
        return nested_component_name(type(serializer))
