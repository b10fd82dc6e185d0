"""The interviewer's scorecard page: a level and notes per step, the room's ticks and notes and the
evidence finder's suggestion beside each, then submit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from core.errors import ApplicationError
from interview.lifecycle import interview_is_scorable
from interview.views.common import interview_or_404
from rubrics.selectors import rubric_steps

from ..models import Scorecard
from ..selectors import scorecard_for_interview
from ..selectors.evidence import evidence_for
from ..selectors.notes import panel_for
from ..services import scorecard_get_or_create, scorecard_submit, scorecard_update
from ..services.evidence import evidence_report_request


def _scorecard_post(request, scorecard: Scorecard, steps) -> tuple[dict, str, str]:
    values = {}
    for step in steps:
        raw = request.POST.get(f"level_{step.number}", "")
        if raw and raw not in {"1", "2", "3", "4"}:
            raise ApplicationError(f"Step {step.number}: pick a level from 1 to 4.", code="invalid")
        values[step.number] = {
            "level": int(raw) if raw else None,
            "notes": request.POST.get(f"notes_{step.number}", ""),
        }
    return values, request.POST.get("recommendation", ""), request.POST.get("summary", "")


@login_required
def interview_scorecard(request, pk: int):
    interview = interview_or_404(request, pk, need="interviewer")
    if not interview_is_scorable(interview):
        messages.info(request, "Scoring opens once the interview is accepted.")
        return redirect("interview_detail", pk=pk)
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=request.user)
    steps = list(rubric_steps(rubric_id=scorecard.rubric_id))
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if not (action == "find_evidence" and scorecard.is_submitted):  # keep what was typed before asking
                values, recommendation, summary = _scorecard_post(request, scorecard, steps)
                scorecard_update(scorecard=scorecard, steps=values, recommendation=recommendation, summary=summary)
            if action == "find_evidence":
                evidence_report_request(interview=interview, rerun=True)
                messages.success(request, "Looking for evidence again. The suggestions appear beside each step.")
                return redirect(reverse("interview_scorecard", args=[pk]) + "#evidence")
            if action == "submit":
                scorecard_submit(scorecard=scorecard)
                messages.success(request, "Scorecard submitted. The candidate can now see it in the review.")
                return redirect("interview_review", pk=pk)
            messages.success(request, "Draft saved.")
            return redirect("interview_scorecard", pk=pk)
        except (ApplicationError, ValidationError) as exc:
            error = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
    scorecard = scorecard_for_interview(interview_id=pk) or scorecard  # read again, with its scores
    scores = {s.step.number: s for s in scorecard.step_scores.all()}
    evidence = evidence_for(interview_id=pk)
    room = {panel.number: panel for panel in panel_for(scorecard)}
    rows = []
    for step in steps:
        score = scores.get(step.number)
        level = request.POST.get(f"level_{step.number}") if error else (score.level if score else None)
        notes = request.POST.get(f"notes_{step.number}", "") if error else (score.notes if score else "")
        suggested = evidence["by_number"].get(step.number) if evidence else None
        rows.append(
            {
                "step": step,
                "level": str(level or ""),
                "notes": notes,
                "evidence": suggested,
                "room": room.get(step.number),
            }
        )
    return render(
        request,
        "review/scorecard.html",
        {
            "interview": interview,
            "scorecard": scorecard,
            "rows": rows,
            "error": error,
            "evidence": evidence,
            "levels": [(str(n), scorecard.rubric.level_name(n)) for n in (1, 2, 3, 4)],
            "recommendations": Scorecard.Recommendation.choices,
            "recommendation": request.POST.get("recommendation", "") if error else scorecard.recommendation,
            "summary": request.POST.get("summary", "") if error else scorecard.summary,
        },
    )
