"""Writes for the interviewer's side panel in the room: ticking criteria, taking private,
timestamped notes per step, and marking the guide (facts given, expected items covered). All are
stored on the interviewer's scorecard (created on first use), so the scorecard page can show them
while scoring. Nothing here is broadcast to the room."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from core.errors import ApplicationError
from interview.access import interview_access
from interview.lifecycle import interview_is_scorable
from interview.models import Interview
from rubrics.models import Criterion, RubricStep

from ..models import CriterionCheck, GuideMark, InterviewerNote, Scorecard
from ..selectors.guide import guide_items
from .scorecards import scorecard_get_or_create

MAX_NOTE_LENGTH = 2000
MAX_CLIENT_ID_LENGTH = 64


def panel_access(*, user, interview_id: int) -> Interview:
    """The interview whose panel `user` may use: only its interviewer, once it is accepted (and
    after it ended, while scoring). Raises Interview.DoesNotExist, PermissionDenied or ApplicationError."""
    interview = interview_access(user=user, interview_id=interview_id, need="interviewer")
    if not interview_is_scorable(interview):
        raise ApplicationError("Ticks and notes open once the interview is accepted.", code="not_live", status=409)
    return interview


def _working_scorecard(*, interview: Interview, user) -> Scorecard:
    """The interviewer's scorecard, locked for this transaction; refused once it is submitted."""
    if user.pk != interview.interviewer_id:
        raise PermissionDenied("Only the interviewer can do this.")
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=user)
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.is_submitted:
        raise ApplicationError(
            "The scorecard has been submitted, so its ticks and notes can no longer change.", code="locked", status=409
        )
    return scorecard


def _criterion_of(interview: Interview, criterion_id) -> Criterion:
    criterion = (
        Criterion.objects.select_related("step").filter(pk=criterion_id, step__rubric_id=interview.rubric_id).first()
        if isinstance(criterion_id, int) and not isinstance(criterion_id, bool)
        else None
    )
    if criterion is None:
        raise ApplicationError(
            "That criterion is not part of this interview's rubric.", code="unknown_criterion", status=404
        )
    return criterion


@transaction.atomic
def criterion_check_set(*, interview: Interview, user, criterion_id: int, met: bool | None) -> Criterion:
    """Tick a criterion as met (True) or not met (False), or clear the tick (None: not seen).
    Returns the criterion (with its step)."""
    criterion = _criterion_of(interview, criterion_id)
    if met is not None and not isinstance(met, bool):
        raise ApplicationError("met must be true, false or null.", code="invalid")
    scorecard = _working_scorecard(interview=interview, user=user)
    if criterion.step.rubric_id != scorecard.rubric_id:
        raise ApplicationError(
            "That criterion is not part of this scorecard's rubric.", code="unknown_criterion", status=404
        )
    if met is None:
        CriterionCheck.objects.filter(scorecard=scorecard, criterion=criterion).delete()
    else:
        CriterionCheck.objects.update_or_create(scorecard=scorecard, criterion=criterion, defaults={"met": met})
    return criterion


@transaction.atomic
def interviewer_note_add(
    *, interview: Interview, user, step: int, text: str, client_id: str | None = None
) -> tuple[InterviewerNote, bool]:
    """Add a private note to `step` (a step number). Sending the same `client_id` again (a retry)
    returns the note saved the first time instead of a copy. Returns (note, created)."""
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise ApplicationError("Write something before adding the note.", code="invalid")
    if len(text) > MAX_NOTE_LENGTH:
        raise ApplicationError(
            f"Notes are limited to {MAX_NOTE_LENGTH} characters (this one has {len(text)}).", code="invalid"
        )
    client_id = client_id or None
    if client_id is not None and (not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH):
        raise ApplicationError(f"client_id must be text of at most {MAX_CLIENT_ID_LENGTH} characters.", code="invalid")
    rubric_step = (
        RubricStep.objects.filter(rubric_id=interview.rubric_id, number=step).first()
        if isinstance(step, int) and not isinstance(step, bool)
        else None
    )
    if rubric_step is None:
        raise ApplicationError(f"This interview's rubric has no step {step}.", code="unknown_step")
    scorecard = _working_scorecard(interview=interview, user=user)
    if client_id is not None:
        existing = InterviewerNote.objects.filter(scorecard=scorecard, client_id=client_id).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            note = InterviewerNote.objects.create(
                scorecard=scorecard, step=rubric_step, author=user, text=text, client_id=client_id
            )
    except IntegrityError:
        # the same retry arrived twice at once; the first one won
        if client_id is None:
            raise
        return InterviewerNote.objects.get(scorecard=scorecard, client_id=client_id), False
    return note, True


@transaction.atomic
def guide_mark_set(*, interview: Interview, user, kind: str, item: str, on: bool) -> GuideMark | None:
    """Mark an item of the interviewer's guide (a clarifying fact given, a component, connection
    or metric covered) or clear the mark. Returns the mark, or None once cleared."""
    if kind not in GuideMark.Kind.values:
        raise ApplicationError(f"kind must be one of: {', '.join(GuideMark.Kind.values)}.", code="invalid", status=400)
    if not isinstance(on, bool):
        raise ApplicationError("on must be true or false.", code="invalid")
    if not isinstance(item, str) or item not in guide_items(interview.problem)[kind]:
        raise ApplicationError("That item is not in this problem's guide.", code="unknown_item", status=404)
    scorecard = _working_scorecard(interview=interview, user=user)
    if not on:
        GuideMark.objects.filter(scorecard=scorecard, kind=kind, item=item).delete()
        return None
    mark, _ = GuideMark.objects.get_or_create(scorecard=scorecard, kind=kind, item=item)
    return mark
