"""The one access check for interviews, used by pages, the API and both sockets."""

from typing import Literal

from django.core.exceptions import PermissionDenied

from whiteboard.access import BoardPermission

from .models import Interview

Need = Literal["participant", "interviewer", "invitee"]

_REFUSALS = {
    "participant": "Only the two people in this interview can open it.",
    "interviewer": "Only the interviewer can do this.",
    "invitee": "Only the invited person can answer this invitation.",
}


def interview_access(*, user, interview_id: int, need: Need = "participant") -> Interview:
    """Return the interview if `user` may act as `need`; raise Interview.DoesNotExist or PermissionDenied."""
    interview = Interview.objects.select_related(
        "problem", "rubric", "board", "interviewer__profile", "candidate__profile", "created_by"
    ).get(pk=interview_id)
    if not user.is_authenticated:
        raise PermissionDenied(_REFUSALS[need])
    allowed = {
        "participant": user.pk in (interview.interviewer_id, interview.candidate_id),
        "interviewer": user.pk == interview.interviewer_id,
        "invitee": user.pk == interview.invitee_id,
    }[need]
    if not allowed:
        raise PermissionDenied(_REFUSALS[need])
    return interview


def interview_board_policy(*, user, board) -> BoardPermission:
    """Participants draw while the interview is on; afterwards the board is read-only to them."""
    interview = Interview.objects.filter(board_id=board.pk).only("status", "interviewer_id", "candidate_id").first()
    if interview is None or user.pk not in (interview.interviewer_id, interview.candidate_id):
        return BoardPermission.NONE
    if interview.status == Interview.Status.ACCEPTED:
        return BoardPermission.EDIT
    if interview.status == Interview.Status.COMPLETED:
        return BoardPermission.VIEW
    return BoardPermission.NONE


def room_is_open(interview: Interview) -> bool:
    return interview.status == Interview.Status.ACCEPTED
