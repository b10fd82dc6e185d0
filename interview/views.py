"""HTML pages. Each view checks access through interview_access, then calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from rubrics.models import Scorecard
from rubrics.selectors import rubric_steps, scorecard_for_interview
from rubrics.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from whiteboard.selectors import board_get_state

from . import services
from .access import interview_access, room_is_open, room_opens_at
from .forms import ProfileForm, ScheduleForm
from .models import Interview
from .selectors import dashboard_for, public_name, transcript_for


def _interview_or_404(request, pk: int, need="participant") -> Interview:
    try:
        return interview_access(user=request.user, interview_id=pk, need=need)
    except Interview.DoesNotExist as exc:
        raise Http404("No such interview.") from exc


def _island_config(request, interview: Interview, *, mode: str) -> dict:
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


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


@login_required
def dashboard(request):
    return render(request, "interview/dashboard.html", dashboard_for(user=request.user))


@login_required
def interview_new(request):
    form = ScheduleForm(
        request.POST if request.method == "POST" else None, initial={"problem": request.GET.get("problem")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interview = services.interview_schedule(
                created_by=request.user,
                problem_id=data["problem"].pk,
                scheduled_at=data["scheduled_at"],
                peer=data["peer"],
                my_role=data["my_role"],
                duration_minutes=data["duration_minutes"],
            )
        except ApplicationError as exc:
            form.add_error("peer" if exc.code.startswith(("peer", "self")) else None, exc.message)
        else:
            messages.success(request, f"Invitation sent to {public_name(interview.peer_of(request.user))}.")
            return redirect("interview_detail", pk=interview.pk)
    return render(request, "interview/new.html", {"form": form})


@login_required
def interview_detail(request, pk: int):
    interview = _interview_or_404(request, pk)
    return render(
        request,
        "interview/detail.html",
        {
            "interview": interview,
            "role": interview.role_of(request.user),
            "peer": interview.peer_of(request.user),
            "is_invitee": interview.invitee_id == request.user.pk,
            "room_open": room_is_open(interview),
        },
    )


@login_required
@require_POST
def interview_answer(request, pk: int, answer: str):
    interview = _interview_or_404(request, pk, need="invitee")
    service = {"accept": services.interview_accept, "decline": services.interview_decline}.get(answer)
    if service is None:
        raise Http404
    try:
        service(interview=interview, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Invitation accepted: see you in the room." if answer == "accept" else "Invitation declined."
        )
    return redirect("interview_detail", pk=pk)


@login_required
def interview_room(request, pk: int):
    interview = _interview_or_404(request, pk)
    if not room_is_open(interview):
        if interview.status == Interview.Status.ACCEPTED:
            opens = timezone.localtime(room_opens_at(interview))
            messages.info(request, f"The room opens 10 minutes before the start, at {opens:%H:%M} on {opens:%a %d %b}.")
        else:
            messages.info(
                request, "The room opens once the invitation is accepted, and closes when the interview ends."
            )
        return redirect("interview_detail", pk=pk)
    services.interview_start_clock(interview=interview)
    services.booking_mark_joined(interview=interview, user=request.user)
    role = interview.role_of(request.user)
    config = {
        **_island_config(request, interview, mode="room"),
        "ws": {"board": f"/ws/boards/{interview.board_id}/", "room": f"/ws/interviews/{interview.pk}/"},
        "csrf_token": get_token(request),
        "urls": {
            "review": reverse("interview_review", args=[pk]),
            "scorecard": reverse("interview_scorecard", args=[pk]),
            "dashboard": reverse("dashboard"),
            "end": reverse("interview_end", args=[pk]),
        },
    }
    return render(request, "interview/room.html", {"interview": interview, "room_config": config, "role": role})


@login_required
@require_POST
def interview_end(request, pk: int):
    interview = _interview_or_404(request, pk, need="interviewer")
    try:
        services.interview_end(interview=interview, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("interview_detail", pk=pk)
    messages.success(request, "Interview ended. Score it while it is fresh.")
    return redirect("interview_scorecard", pk=pk)


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
    interview = _interview_or_404(request, pk, need="interviewer")
    if interview.status not in (Interview.Status.ACCEPTED, Interview.Status.COMPLETED):
        messages.info(request, "Scoring opens once the interview is accepted.")
        return redirect("interview_detail", pk=pk)
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=request.user)
    steps = list(rubric_steps(rubric_id=scorecard.rubric_id))
    error = None
    if request.method == "POST":
        try:
            values, recommendation, summary = _scorecard_post(request, scorecard, steps)
            scorecard_update(scorecard=scorecard, steps=values, recommendation=recommendation, summary=summary)
            if request.POST.get("action") == "submit":
                scorecard_submit(scorecard=scorecard)
                messages.success(request, "Scorecard submitted. The candidate can now see it in the review.")
                return redirect("interview_review", pk=pk)
            messages.success(request, "Draft saved.")
            return redirect("interview_scorecard", pk=pk)
        except (ApplicationError, ValidationError) as exc:
            error = getattr(exc, "message", None) or " ".join(exc.messages)
    scorecard = scorecard_for_interview(interview_id=pk)
    scores = {s.step.number: s for s in scorecard.step_scores.all()}
    rows = []
    for step in steps:
        score = scores.get(step.number)
        level = request.POST.get(f"level_{step.number}") if error else (score.level if score else None)
        notes = request.POST.get(f"notes_{step.number}", "") if error else (score.notes if score else "")
        rows.append({"step": step, "level": str(level or ""), "notes": notes})
    return render(
        request,
        "interview/scorecard.html",
        {
            "interview": interview,
            "scorecard": scorecard,
            "rows": rows,
            "error": error,
            "levels": [(str(n), scorecard.rubric.level_name(n)) for n in (1, 2, 3, 4)],
            "recommendations": Scorecard.Recommendation.choices,
            "recommendation": request.POST.get("recommendation", "") if error else scorecard.recommendation,
            "summary": request.POST.get("summary", "") if error else scorecard.summary,
        },
    )


@login_required
def interview_review(request, pk: int):
    interview = _interview_or_404(request, pk)
    role = interview.role_of(request.user)
    scorecard = scorecard_for_interview(interview_id=pk)
    scores_visible = scorecard is not None and (scorecard.is_submitted or role == "interviewer")
    steps = list(interview.rubric.steps.order_by("number"))
    events = list(transcript_for(interview_id=pk))
    step_scores = {s.step.number: s for s in scorecard.step_scores.all()} if scores_visible else {}
    state = board_get_state(board_id=interview.board_id, include_deleted=False)
    board_config = {
        **_island_config(request, interview, mode="review"),
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


@login_required
def profile_edit(request):
    profile = services.profile_ensure(user=request.user)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={"display_name": profile.display_name, "time_zone": profile.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=request.user, display_name=form.cleaned_data["display_name"], time_zone=form.cleaned_data["time_zone"]
        )
        messages.success(request, "Profile saved.")
        return redirect("profile")
    return render(request, "interview/profile.html", {"form": form})
