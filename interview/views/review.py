"""The review of one interview: transcript, board, scores."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from rubrics.selectors import scorecard_for_interview
from whiteboard.selectors import board_get_state

from ..access import problem_visible
from ..selectors import (
    transcript_for,
)
from .common import interview_or_404, island_config


@login_required
def interview_review(request, pk: int):
    interview = interview_or_404(request, pk)
    if not problem_visible(interview, request.user):
        messages.info(request, "The review opens with the room: you meet the problem there first.")
        return redirect("interview_detail", pk=pk)
    role = interview.role_of(request.user)
    scorecard = scorecard_for_interview(interview_id=pk)
    scores_visible = scorecard is not None and (scorecard.is_submitted or role == "interviewer")
    steps = list(interview.rubric.steps.order_by("number"))
    events = list(transcript_for(interview_id=pk))
    step_scores = {s.step.number: s for s in scorecard.step_scores.all()} if scores_visible else {}
    state = board_get_state(board_id=interview.board_id, include_deleted=False)
    board_config = {
        **island_config(request, interview, mode="review"),
        "board": {"seq": state.seq, "elements": state.elements},
    }
    lane_counts = {"offline": 0, "online": 0}
    for element in state.elements:
        if element.get("lane") in lane_counts and element.get("type") != "frame":
            lane_counts[element["lane"]] += 1
    return render(
        request,
        "interview/review.html",
        {
            "interview": interview,
            "role": role,
            "scorecard": scorecard,
            "scores_visible": scores_visible,
            "step_rows": [
                {
                    "step": step,
                    "score": step_scores.get(step.number),
                    "level_label": scorecard.rubric.level_name(step_scores[step.number].level)
                    if step.number in step_scores
                    else "",
                    "events": [e for e in events if e.step == step.number],
                }
                for step in steps
            ],
            "events": events,
            "board_config": board_config,
            "lane_counts": lane_counts,
            "recommendation": scorecard.get_recommendation_display() if scores_visible else "",
        },
    )
