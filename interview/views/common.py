"""Helpers shared by the interview pages."""

from core.shortcuts import get_or_404

from ..access import interview_access
from ..models import Interview
from ..selectors import public_name


def interview_or_404(request, pk: int, need="participant") -> Interview:
    return get_or_404(interview_access, message="No such interview.", user=request.user, interview_id=pk, need=need)


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
