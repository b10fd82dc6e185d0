"""Turn an access check's "no such row" into a 404, the same way for pages and the API."""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

T = TypeVar("T")


def get_or_404(access: Callable[..., T], /, *, message: str = "Not found.", **kwargs) -> T:
    """Call an access helper (e.g. `interview_access`) with `kwargs`; a missing row becomes Http404.

    Access helpers raise DoesNotExist both for ids that do not exist and for rows the user is a
    stranger to, so a 404 never tells a stranger which ids exist. PermissionDenied (a participant
    asking for something their role may not do) passes through as a 403."""
    try:
        return access(**kwargs)
    except ObjectDoesNotExist as exc:
        raise Http404(message) from exc
