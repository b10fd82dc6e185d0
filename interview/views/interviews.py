"""Pages for one interview: the dashboard, inviting a peer, the invitation, the room and its end.
Each view checks access, calls one service, and turns a refused change into a message."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import ApplicationError

from .. import services
from ..forms import (
    ScheduleForm,
)
from ..lifecycle import room_is_open, room_opens_at
from ..models import Interview
from ..selectors import (
    availability_windows_for,
    dashboard_for,
    match_request_open_for,
    match_requests_for,
    palette_for,
    public_name,
    weekly_availability_for,
)
from ..selectors.calendar import monday_of, week_for
from .common import interview_or_404, island_config


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


@login_required
def dashboard(request):
    context = dashboard_for(user=request.user)
    today = timezone.localdate()
    context["week"] = week_for(
        user=request.user, week_start=_week_start(request.GET.get("week"), today), tz=timezone.get_current_timezone()
    )
    context["queue_entry"] = match_request_open_for(user=request.user)
    context["getting_started"] = _getting_started(request.user, context)
    return render(request, "interview/dashboard.html", context)


def _week_start(raw: str | None, today: dt.date) -> dt.date:
    """The Monday of the week asked for (?week=YYYY-MM-DD, any day of it), else of this week."""
    try:
        day = dt.date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    if not 2000 <= day.year <= 2100:
        day = today
    return monday_of(day)


def _getting_started(user, dashboard: dict) -> list[dict]:
    """The newcomer's checklist; empty once every step is done (the page then hides it)."""
    profile = user.profile
    has_sessions = any(dashboard[key] for key in ("pending", "sent", "upcoming", "called_off", "past"))
    steps = [
        {
            "key": "profile",
            "done": bool(profile.target_role and profile.level),
            "title": "Set up your profile",
            "text": "Your time zone, target role, level and the problems you want to practise.",
            "url": reverse("profile"),
            "action": "Edit profile",
        },
        {
            "key": "availability",
            "done": weekly_availability_for(user=user).exists() or availability_windows_for(user=user).exists(),
            "title": "Add your availability",
            "text": "Weekly or one-off windows in your own time zone, so peers can book you.",
            "url": reverse("availability"),
            "action": "Add availability",
        },
        {
            "key": "book",
            "done": has_sessions or dashboard["queue_entry"] is not None or match_requests_for(user=user).exists(),
            "title": "Book your first session",
            "text": "Pick a peer's open slot, or join the queue and be matched automatically.",
            "url": reverse("slots"),
            "action": "Find a peer",
        },
    ]
    return [] if all(step["done"] for step in steps) else steps


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
                start_now=data["start_now"],
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
    interview = interview_or_404(request, pk)
    return render(
        request,
        "interview/detail.html",
        {
            "interview": interview,
            "role": interview.role_of(request.user),
            "peer": interview.peer_of(request.user),
            "is_invitee": interview.invitee_id == request.user.pk,
            "room_open": room_is_open(interview),
            "room_opens_at": room_opens_at(interview),
            "booking": interview.booking,
        },
    )


@login_required
@require_POST
def interview_answer(request, pk: int, answer: str):
    interview = interview_or_404(request, pk, need="invitee")
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
    interview = interview_or_404(request, pk)
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
        **island_config(request, interview, mode="room"),
        "ws": {"board": f"/ws/boards/{interview.board_id}/", "room": f"/ws/interviews/{interview.pk}/"},
        "csrf_token": get_token(request),
        "urls": {
            "review": reverse("interview_review", args=[pk]),
            "scorecard": reverse("interview_scorecard", args=[pk]),
            "dashboard": reverse("dashboard"),
            "end": reverse("interview_end", args=[pk]),
        },
        "palette": palette_for(interview=interview, role=role),
    }
    if role == "interviewer":
        # The side panel (criteria ticks, private notes) exists only on the interviewer's page.
        config["panel"] = {"url": reverse("api_interview_panel", args=[pk])}
    return render(request, "interview/room.html", {"interview": interview, "room_config": config, "role": role})


@login_required
@require_POST
def interview_end(request, pk: int):
    interview = interview_or_404(request, pk, need="interviewer")
    try:
        services.interview_end(interview=interview, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("interview_detail", pk=pk)
    messages.success(request, "Interview ended. Score it while it is fresh.")
    return redirect("interview_scorecard", pk=pk)
