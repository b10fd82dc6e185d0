"""One mapping from domain errors to API responses."""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from core.errors import ApplicationError

logger = logging.getLogger(__name__)


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response({"code": exc.code, "message": exc.message}, status=exc.status)
    if isinstance(exc, ValidationError):
        return Response({"code": "invalid", "message": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        code = getattr(response.data["detail"], "code", "error")
        response.data = {"code": code, "message": str(response.data["detail"])}
    elif response is not None:
        message = _first_problem(response.data) or "Some fields are not valid."
        response.data = {"code": "invalid", "message": message, "fields": response.data}
    return response


def _first_problem(errors, where: str = "") -> str | None:
    """The first field error as a sentence naming its field, e.g. "windows[1].starts_at: ..."."""
    items: Iterable[tuple[Any, Any]]
    if isinstance(errors, dict):
        items = errors.items()
    elif isinstance(errors, list):
        if errors and all(isinstance(item, str) for item in errors):
            return f"{where}: {errors[0]}" if where else str(errors[0])
        items = enumerate(errors)
    else:
        text = str(errors)
        return (f"{where}: {text}" if where else text) if text else None
    for key, value in items:
        if isinstance(key, int):
            path = f"{where}[{key}]"
        elif key == api_settings.NON_FIELD_ERRORS_KEY:
            path = where
        else:
            path = f"{where}.{key}" if where else key
        found = _first_problem(value, path)
        if found:
            return found
    return None
