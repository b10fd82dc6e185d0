"""Reads of the candidates' feedback on their interviewers: one interview's, and a person's record
as an interviewer. Only feedback its interviewer may already read counts in a record (their
scorecard is submitted), so a record never gives away a rating its interviewer has not seen."""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q

from ..models import InterviewerFeedback, Scorecard

RECENT_NOTES = 5


def feedback_for(*, interview_id: int) -> InterviewerFeedback | None:
    return InterviewerFeedback.objects.filter(interview_id=interview_id).first()


def feedback_is_locked(*, interview_id: int, feedback: InterviewerFeedback | None) -> bool:
    """Feedback stops changing once the interviewer may read it: it exists and their scorecard is
    submitted. The one copy of the rule, for the service, the page and the API."""
    return (
        feedback is not None
        and Scorecard.objects.filter(interview_id=interview_id, status=Scorecard.Status.SUBMITTED).exists()
    )


def _revealed():
    return InterviewerFeedback.objects.filter(
        interview__scorecard__status=Scorecard.Status.SUBMITTED,
    )


@dataclass(frozen=True)
class InterviewerRecord:
    sessions: int  # rated sessions counted
    averages: dict[str, float] = field(default_factory=dict)  # rating name -> mean, one decimal
    would_practise_again: float | None = None  # share of candidates who would, 0-1
    notes: list[dict] = field(default_factory=list)  # recent notes the candidates let show

    @property
    def overall(self) -> float | None:
        return round(sum(self.averages.values()) / len(self.averages), 1) if self.averages else None


def interviewer_record_for(*, user_id: int) -> InterviewerRecord:
    rows = _revealed().filter(interviewer_id=user_id)
    totals = rows.aggregate(
        sessions=Count("id"),
        again=Count("id", filter=Q(would_practise_again=True)),
        **{name: Avg(name) for name in InterviewerFeedback.RATINGS},
    )
    if not totals["sessions"]:
        return InterviewerRecord(sessions=0)
    notes = [
        {"text": note, "at": at}
        for note, at in rows.filter(show_note=True).exclude(note="").values_list("note", "created_at")[:RECENT_NOTES]
    ]
    return InterviewerRecord(
        sessions=totals["sessions"],
        averages={name: round(totals[name], 1) for name in InterviewerFeedback.RATINGS},
        would_practise_again=round(totals["again"] / totals["sessions"], 2),
        notes=notes,
    )


def interviewer_scores_for(*, user_ids) -> dict[int, float]:
    """The mean of the four ratings per interviewer (revealed feedback only), for ranking matches;
    people with no rated session are left out."""
    rows = (
        _revealed()
        .filter(interviewer_id__in=list(user_ids))
        .values("interviewer_id")
        .annotate(**{name: Avg(name) for name in InterviewerFeedback.RATINGS})
    )
    return {
        row["interviewer_id"]: sum(row[name] for name in InterviewerFeedback.RATINGS) / len(InterviewerFeedback.RATINGS)
        for row in rows
    }
