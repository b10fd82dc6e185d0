"""Writes for the candidate's feedback on their interviewer: four ratings from 1 to 5, whether they
would practise with them again, and a short note they may let show on the interviewer's profile.

Given once the interview has ended. It can be changed until the interviewer submits their
scorecard; from then on the interviewer can read it, so it stays as it was. A candidate who rates
only after seeing the scores can still do so, once."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from core.errors import ApplicationError
from interview.models import Interview

from ..models import InterviewerFeedback
from ..selectors.feedback import feedback_is_locked

MAX_NOTE = 2000
RATING_LABELS = {
    "preparation": "Preparation",
    "clarity": "Clarity of the prompt",
    "hints": "Quality of hints",
    "fairness": "Fairness of scoring",
}


def _rating(value: Any, label: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ApplicationError(f"{label}: pick a rating from 1 to 5.", code="invalid")
    return value


def _flag(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("yes", "true", "on", "1"):
        return True
    if value in ("no", "false", "", "0", None):
        return False
    raise ApplicationError(f"{label}: answer yes or no.", code="invalid")


@transaction.atomic
def interviewer_feedback_save(*, interview: Interview, user, answers: Mapping[str, Any]) -> InterviewerFeedback:
    """Save the candidate's feedback. `answers` holds the four ratings, `would_practise_again`,
    `note` and `show_note`; everything is checked before anything is written."""
    if user is None or user.pk != interview.candidate_id:
        raise ApplicationError("Only the candidate rates the interviewer.", code="forbidden", status=403)
    if interview.status != Interview.Status.COMPLETED:
        raise ApplicationError(
            "Feedback on the interviewer opens once the interview has ended.", code="not_ended", status=409
        )
    values: dict[str, Any] = {name: _rating(answers.get(name), label) for name, label in RATING_LABELS.items()}
    if answers.get("would_practise_again") in (None, ""):
        raise ApplicationError("Would you practise with this interviewer again? Answer yes or no.", code="invalid")
    values["would_practise_again"] = _flag(answers.get("would_practise_again"), "Would practise again")
    note = answers.get("note") or ""
    if not isinstance(note, str):
        raise ApplicationError("The note must be text.", code="invalid")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ApplicationError(f"The note can be at most {MAX_NOTE} characters (it has {len(note)}).", code="invalid")
    values["note"] = note
    values["show_note"] = _flag(answers.get("show_note"), "Show the note") and bool(note)

    Interview.objects.select_for_update().get(pk=interview.pk)  # one save at a time per interview
    feedback = InterviewerFeedback.objects.filter(interview=interview).first()
    if feedback_is_locked(interview_id=interview.pk, feedback=feedback):
        raise ApplicationError(
            "The interviewer has submitted their scorecard and can now read your feedback, so it can no longer change.",
            code="locked",
            status=409,
        )
    if feedback is None:
        return InterviewerFeedback.objects.create(
            interview=interview, author=user, interviewer_id=interview.interviewer_id, **values
        )
    for name, value in values.items():
        setattr(feedback, name, value)
    feedback.save(update_fields=[*values, "updated_at"])
    return feedback
