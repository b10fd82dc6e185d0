"""The candidate's feedback on their interviewer: the form, and the record it adds up to on a
person's profile (a section `interview` shows through its profile hook)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from core.errors import ApplicationError
from interview.models import Interview
from interview.views.common import interview_or_404

from ..selectors.feedback import feedback_for, feedback_is_locked, interviewer_record_for
from ..services.feedback import MAX_NOTE, RATING_LABELS, interviewer_feedback_save

FIELDS = (*RATING_LABELS, "would_practise_again", "note", "show_note")


def interviewer_record_section(user_id: int) -> dict:
    record = interviewer_record_for(user_id=user_id)
    rows = [{"label": label, "average": record.averages.get(name)} for name, label in RATING_LABELS.items()]
    return {"template": "review/_interviewer_record.html", "context": {"record": record, "rows": rows}}


@login_required
def interviewer_feedback(request, pk: int):
    interview = interview_or_404(request, pk)
    if interview.role_of(request.user) != "candidate":
        raise PermissionDenied("Only the candidate rates the interviewer.")
    if interview.status != Interview.Status.COMPLETED:
        messages.info(request, "You can rate your interviewer once the interview has ended.")
        return redirect("interview_detail", pk=pk)
    feedback = feedback_for(interview_id=pk)
    error = None
    if request.method == "POST":
        answers = {name: request.POST.get(name, "") for name in FIELDS}
        try:
            interviewer_feedback_save(interview=interview, user=request.user, answers=answers)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "Thank you: your interviewer reads this once they have submitted your scores.")
            return redirect(reverse("interview_review", args=[pk]) + "#interviewer-feedback")
    if error:
        values = {name: request.POST.get(name, "") for name in FIELDS}
    elif feedback is not None:
        values = {name: getattr(feedback, name) for name in FIELDS}
        values["would_practise_again"] = "yes" if feedback.would_practise_again else "no"
    else:
        values = {}
    locked = feedback_is_locked(interview_id=pk, feedback=feedback)
    return render(
        request,
        "review/feedback.html",
        {
            "interview": interview,
            "feedback": feedback,
            "locked": locked,
            "error": error,
            "ratings": [
                {"name": name, "label": label, "value": str(values.get(name, ""))}
                for name, label in RATING_LABELS.items()
            ],
            "values": values,
            "scale": ["1", "2", "3", "4", "5"],
            "max_note": MAX_NOTE,
        },
    )
