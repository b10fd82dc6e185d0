"""The one access check for interviews, used by pages, the API and both sockets."""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from whiteboard.access import BoardPermission, BoardPolicy

from .lifecycle import room_has_opened, room_is_open
from .models import Booking, Interview

Need = Literal["participant", "interviewer", "invitee"]

_REFUSALS = {
    "participant": "Only the two people in this interview can open it.",
    "interviewer": "Only the interviewer can do this.",
    "invitee": "Only the invited person can answer this invitation.",
}


def interview_access(*, user, interview_id: int, need: Need = "participant") -> Interview:
    """Return the interview if `user` may act as `need`.

    Raises Interview.DoesNotExist when there is no such interview or `user` is a stranger to it (so
    a stranger cannot tell which ids exist), PermissionDenied when a participant lacks the role or
    nobody is signed in."""
    interview = Interview.objects.select_related(
        "problem", "rubric", "board", "interviewer__profile", "candidate__profile", "created_by"
    ).get(pk=interview_id)
    if not user.is_authenticated:
        raise PermissionDenied(_REFUSALS[need])
    if user.pk not in (interview.interviewer_id, interview.candidate_id):
        raise Interview.DoesNotExist("No such interview.")
    allowed = {
        "participant": user.pk in (interview.interviewer_id, interview.candidate_id),
        "interviewer": user.pk == interview.interviewer_id,
        "invitee": user.pk == interview.invitee_id,
    }[need]
    if not allowed:
        raise PermissionDenied(_REFUSALS[need])
    return interview


def booking_access(*, user, booking_id: int) -> Booking:
    """Return the booking if `user` is one of its two people; raise Booking.DoesNotExist for a
    missing booking or a stranger (the same answer, so ids stay private), PermissionDenied when
    nobody is signed in."""
    from .selectors.schedule import booking_get

    booking = booking_get(booking_id=booking_id)
    if not user.is_authenticated:
        raise PermissionDenied("Only the two people in this session can see it.")
    if user.pk not in (booking.organizer_id, booking.peer_id):
        raise Booking.DoesNotExist("No such session.")
    return booking


def _board_rows(board_ids: set[int]):
    return Interview.objects.filter(board_id__in=board_ids).values_list(
        "board_id", "status", "interviewer_id", "candidate_id", "scheduled_at"
    )


def _board_decide(rows, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], BoardPermission]:
    """Participants draw while the interview is on; afterwards the board is read-only to them."""
    live = {
        Interview.Status.ACCEPTED: BoardPermission.EDIT,
        Interview.Status.COMPLETED: BoardPermission.VIEW,
    }
    now = timezone.now()
    by_board = {}
    for board_id, status, interviewer, candidate, scheduled_at in rows:
        if (
            not room_has_opened(status=status, scheduled_at=scheduled_at, now=now)
            and status == Interview.Status.ACCEPTED
        ):
            status = None  # the room has not opened yet
        by_board[board_id] = (status, {interviewer, candidate})
    result = {}
    for user_id, board_id in pairs:
        status, people = by_board.get(board_id, (None, set()))
        result[(user_id, board_id)] = (
            live.get(status, BoardPermission.NONE) if user_id in people else BoardPermission.NONE
        )
    return result


interview_board_policy = BoardPolicy(rows=_board_rows, decide=_board_decide)


def problem_visible(interview: Interview, user, *, now: dt.datetime | None = None) -> bool:
    """Whether `user` may see which problem an interview is about.

    The interviewer always (they prepare it); whoever chose the problem by hand; and the candidate
    once the room opens, so nobody rehearses a case they are meant to meet cold. Pages and the API
    follow this; e-mails and calendar entries name the problem to interviewers only."""
    if user.pk in (interview.interviewer_id, interview.problem_picked_by_id):
        return True
    return interview.status == Interview.Status.COMPLETED or room_is_open(interview, now=now)


# Interviews that let a person read their problem's interviewer material: any live or finished
# session they interview (they prepare it), and a session they finished as the candidate.
MATERIAL_AS_INTERVIEWER = (Interview.Status.INVITED, Interview.Status.ACCEPTED, Interview.Status.COMPLETED)


def problem_material_problem_ids(user_id: int) -> list[int]:
    """The problem-material rule of `rubrics.access`, from this app's side (registered in ready)."""
    return list(
        Interview.objects.filter(
            Q(interviewer_id=user_id, status__in=MATERIAL_AS_INTERVIEWER)
            | Q(candidate_id=user_id, status=Interview.Status.COMPLETED)
        )
        .values_list("problem_id", flat=True)
        .distinct()
    )
