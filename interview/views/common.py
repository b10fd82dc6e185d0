"""Helpers shared by the interview pages."""

from django.http import Http404

from ..access import interview_access
from ..models import Interview
from ..selectors import public_name


def interview_or_404(request, pk: int, need="participant") -> Interview:
    try:
        return interview_access(user=request.user, interview_id=pk, need=need)
    except Interview.DoesNotExist as exc:
        raise Http404("No such interview.") from exc


def island_config(request, interview: Interview, *, mode: str) -> dict:
    """What the room island needs in both of its modes (room page, review page)."""
    problem = interview.problem
    return {
        "mode": mode,
        "interview": {
            "id": interview.pk,
            "title": problem.title,
            "problem": {"title": problem.title, "summary": problem.summary, "prompt": problem.prompt},
        },
        "board_id": interview.board_id,
        "user": {"id": request.user.pk, "name": public_name(request.user)},
        "role": interview.role_of(request.user),
    }
