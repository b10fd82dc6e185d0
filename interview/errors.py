"""One mapping from domain errors to API responses."""

import logging

from django.core.exceptions import ValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.errors import ApplicationError

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
        response.data = {"code": "invalid", "message": "Some fields are not valid.", "fields": response.data}
    return response
