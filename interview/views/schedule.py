"""Scheduling pages: profiles, peers, availability, finding a peer, the match queue and bookings.
Each view checks access, parses a form and calls one service; a refused change (ApplicationError)
becomes a message on the page and changes nothing."""

import datetime as dt
import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.shortcuts import get_or_404

from .. import services
from ..access import booking_access
from ..forms import (
    QUEUE_WINDOWS,
    AvailabilityWindowForm,
    BookSlotForm,
    CancelForm,
    ProfileForm,
    QueueForm,
    RescheduleForm,
    SlotFilterForm,
    WeeklyAvailabilityForm,
    local_datetime,
)
from ..hooks import profile_sections_for
from ..lifecycle import min_notice_label, room_is_open, room_opens_at
from ..models import Booking, Interview, MatchRequest, Profile
from ..selectors import (
    HORIZON,
    availability_windows_for,
    match_requests_for,
    open_slots,
    public_name,
    reliability_for,
    weekly_availability_for,
)
from ..selectors.schedule import profile_get
from ..services.availability import WEEKDAYS
from ..services.bookings import change_is_late

SLOT_SCAN_LIMIT = 3000  # start times looked at before the time-of-day filter
SLOT_PAGE = 150  # start times shown on "Find a peer"
PEER_SLOTS = 36  # a peer's next start times on their profile
RESCHEDULE_SUGGESTIONS = 6
QUEUE_HISTORY = 20


def _zone_name(request) -> str:
    return request.user.profile.time_zone


def _back(request, default: str) -> str:
    """Where to return after a POST: the page it came from (`next`, same site only), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "Please check the form."


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


@login_required
def profile_edit(request):
    profile = services.profile_ensure(user=request.user)
    initial = {
        "display_name": profile.display_name,
        "time_zone": profile.time_zone,
        "target_role": profile.target_role,
        "level": profile.level,
        "focus_problems": [problem.pk for problem in profile.focus_problems.all()],
        "languages": ", ".join(profile.languages),
        "bio": profile.bio,
    }
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                user=request.user,
                display_name=data["display_name"],
                time_zone=data["time_zone"],
                target_role=data["target_role"],
                level=data["level"],
                languages=data["languages"],
                bio=data["bio"],
                focus_problem_ids=[problem.pk for problem in data["focus_problems"]],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Profile saved.")
            return redirect("profile")
    return render(
        request,
        "interview/profile.html",
        {
            "form": form,
            "profile": profile,
            "feed_url": request.build_absolute_uri(reverse("calendar_feed", args=[profile.calendar_token])),
            "reliability": reliability_for(user_ids=[request.user.pk])[request.user.pk],
            "sections": profile_sections_for(user_id=request.user.pk),
        },
    )


@login_required
@require_POST
def profile_calendar_link(request):
    services.profile_rotate_calendar_token(user=request.user)
    messages.success(
        request, "The old calendar link no longer works. Subscribe your calendar app to the new one below."
    )
    return redirect(reverse("profile") + "#calendar-feed")


def _slot_days(slots, tz, reliability: dict | None = None) -> list[dict]:
    """Slots grouped by local day, then by peer: [{"date", "peers": [{"host", "reliability", "slots"}]}]."""
    reliability = reliability or {}
    days: dict[dt.date, dict[int, dict]] = {}
    for slot in slots:
        local = slot.starts_at.astimezone(tz)
        peers = days.setdefault(local.date(), {})
        group = peers.setdefault(
            slot.host.user_id, {"host": slot.host, "reliability": reliability.get(slot.host.user_id), "slots": []}
        )
        group["slots"].append(slot)
    return [{"date": day, "peers": list(peers.values())} for day, peers in days.items()]


def _in_hours(moment: dt.datetime, hour_from: int | None, hour_to: int | None) -> bool:
    """Whether a local time falls in [hour_from, hour_to); a range like 22 to 2 runs over midnight."""
    minute = moment.hour * 60 + moment.minute
    low = 0 if hour_from is None else hour_from * 60
    high = 24 * 60 if hour_to is None else hour_to * 60
    if low < high:
        return low <= minute < high
    return minute >= low or minute < high


def _session_choice(data) -> dict:
    """What a Book button posts besides the host and the start: the session type and the problem."""
    problem = data.get("problem")
    return {
        "mode": data.get("mode") or "candidate",
        "duration": data.get("duration") or 60,
        "problem": problem.pk if problem and data.get("mode") != "interviewer" else "",
    }


def _slot_filters(request) -> SlotFilterForm:
    """The filter form, bound to the query string with the default session type filled in."""
    data = request.GET.copy()
    for name, default in (("mode", "candidate"), ("duration", "60")):
        if not data.get(name):
            data[name] = default
    return SlotFilterForm(data)


@login_required
def slot_list(request):
    zone = _zone_name(request)
    tz = zoneinfo.ZoneInfo(zone)
    form = _slot_filters(request)
    slots, more = [], 0
    session = {"mode": "candidate", "duration": 60, "problem": ""}
    if form.is_valid():
        data = form.cleaned_data
        session = _session_choice(data)
        found = open_slots(
            viewer=request.user,
            duration_minutes=session["duration"],
            since=local_datetime(data["from_date"], dt.time.min, zone) if data.get("from_date") else None,
            until=local_datetime(data["to_date"] + dt.timedelta(days=1), dt.time.min, zone)
            if data.get("to_date")
            else None,
            level=data.get("level") or "",
            focus=data.get("focus") or "",
            limit=SLOT_SCAN_LIMIT,
        )
        found = [s for s in found if _in_hours(s.starts_at.astimezone(tz), data["hour_from"], data["hour_to"])]
        slots, more = found[:SLOT_PAGE], max(len(found) - SLOT_PAGE, 0)
    hosts = sorted({slot.host.user_id for slot in slots})
    return render(
        request,
        "interview/slots.html",
        {
            "form": form,
            "days": _slot_days(slots, tz, reliability_for(user_ids=hosts) if hosts else {}),
            "slot_count": len(slots),
            "more": more,
            "session": session,
            "horizon_days": HORIZON.days,
            "next_url": request.get_full_path(),
        },
    )


@login_required
@require_POST
def slot_book(request):
    back = _back(request, reverse("slots"))
    form = BookSlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was booked: {_first_error(form)}")
        return redirect(back)
    data = form.cleaned_data
    problem = data["problem"] if data["mode"] != "interviewer" else None
    try:
        booking = services.booking_book_slot(
            user=request.user,
            host_id=data["host_id"],
            starts_at=data["starts_at"],
            mode=data["mode"],
            duration_minutes=data["duration_minutes"],
            problem_id=problem.pk if problem else None,
        )
    except ApplicationError as exc:
        messages.error(request, f"Nothing was booked: {exc.message}")
        return redirect(back)
    peer = public_name(booking.peer)
    messages.success(
        request,
        f"Booked with {peer}: {_when(booking.starts_at)} ({booking.duration_minutes} minutes). "
        "You both get an email with a calendar invitation.",
    )
    return redirect("booking_detail", pk=booking.pk)


@login_required
def peer_profile(request, user_id: int):
    try:
        profile = profile_get(user_id=user_id)
    except Profile.DoesNotExist as exc:
        raise Http404("No such peer.") from exc
    form = _slot_filters(request)
    session = _session_choice(form.cleaned_data if form.is_valid() else {})
    own = profile.user_id == request.user.pk
    slots = (
        []
        if own
        else open_slots(viewer=request.user, host_id=profile.user_id, duration_minutes=session["duration"])[:PEER_SLOTS]
    )
    return render(
        request,
        "interview/peer.html",
        {
            "peer": profile,
            "own": own,
            "form": form,
            "session": session,
            "days": _slot_days(slots, timezone.get_current_timezone()),
            "reliability": reliability_for(user_ids=[profile.user_id])[profile.user_id],
            "sections": profile_sections_for(user_id=profile.user_id),
            "next_url": request.get_full_path(),
        },
    )


@login_required
def availability(request):
    zone = _zone_name(request)
    weekly_form = WeeklyAvailabilityForm(prefix="weekly")
    window_form = AvailabilityWindowForm(prefix="window", time_zone=zone)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "weekly":
            weekly_form = WeeklyAvailabilityForm(request.POST, prefix="weekly")
            if weekly_form.is_valid():
                data = weekly_form.cleaned_data
                try:
                    services.weekly_availability_add(
                        user=request.user,
                        weekday=data["weekday"],
                        start_time=data["start_time"],
                        end_time=data["end_time"],
                    )
                except ApplicationError as exc:
                    weekly_form.add_error(None, exc.message)
                else:
                    messages.success(request, "Weekly window added: peers can book you in it from now on.")
                    return redirect("availability")
        elif action == "window":
            window_form = AvailabilityWindowForm(request.POST, prefix="window", time_zone=zone)
            if window_form.is_valid():
                data = window_form.cleaned_data
                try:
                    services.availability_window_add(
                        user=request.user, starts_at=data["starts_at"], ends_at=data["ends_at"]
                    )
                except ApplicationError as exc:
                    window_form.add_error(None, exc.message)
                else:
                    messages.success(request, "One-off window added.")
                    return redirect("availability")
        else:
            messages.error(request, "Nothing was changed: choose a weekly or a one-off window.")
            return redirect("availability")
    return render(
        request,
        "interview/availability.html",
        {
            "weekly": [(WEEKDAYS[rule.weekday], rule) for rule in weekly_availability_for(user=request.user)],
            "windows": availability_windows_for(user=request.user),
            "weekly_form": weekly_form,
            "window_form": window_form,
            "time_zone": zone,
        },
    )


@login_required
@require_POST
def availability_delete(request, kind: str, pk: int):
    try:
        if kind == "weekly":
            services.weekly_availability_delete(user=request.user, rule_id=pk)
        else:
            services.availability_window_delete(user=request.user, window_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Window removed. Sessions already booked in it stay as they are.")
    return redirect("availability")


@login_required
def queue(request):
    form = QueueForm(request.POST if request.method == "POST" else None, time_zone=_zone_name(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["now"]:
                entry = services.match_request_now(
                    user=request.user, mode=data["mode"], duration_minutes=data["duration"]
                )
            else:
                entry = services.match_request_create(
                    user=request.user, mode=data["mode"], duration_minutes=data["duration"], windows=data["windows"]
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            entry = match_requests_for(user=request.user).select_related("booking").get(pk=entry.pk)
            if entry.status == MatchRequest.Status.MATCHED and entry.booking is not None:
                messages.success(
                    request,
                    f"Matched! Your session starts {_when(entry.booking.starts_at)}; "
                    "you both get a calendar invitation.",
                )
                return redirect("booking_detail", pk=entry.booking_id)
            messages.success(
                request,
                "You are in the queue as free now. As soon as a peer who is free too joins, the session is booked "
                "for you both and starts within minutes."
                if data["now"]
                else "You are in the queue. As soon as a peer fits your windows, the session is booked for you both.",
            )
            return redirect("queue")
    entries = list(match_requests_for(user=request.user).select_related("booking")[:QUEUE_HISTORY])
    waiting = next((entry for entry in entries if entry.status == MatchRequest.Status.OPEN), None)
    if waiting is not None and form.is_bound and form.errors:  # the join form is hidden while waiting
        for error in form.non_field_errors() or [_first_error(form)]:
            messages.error(request, error)
    return render(
        request,
        "interview/queue.html",
        {
            "form": form,
            "window_rows": form.window_rows(),
            "waiting": waiting,
            "past": [entry for entry in entries if entry is not waiting],
            "time_zone": _zone_name(request),
            "max_windows": QUEUE_WINDOWS,
            "min_notice": min_notice_label(),
        },
    )


@login_required
@require_POST
def queue_leave(request, pk: int):
    entry = match_requests_for(user=request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404("No such queue entry.")
    try:
        services.match_request_cancel(request=entry, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "You left the queue.")
    return redirect("queue")


def _booking_or_404(request, pk: int) -> Booking:
    return get_or_404(booking_access, message="No such session.", user=request.user, booking_id=pk)


def _booking_page(request, booking: Booking, *, reschedule_form=None, cancel_form=None):
    zone = _zone_name(request)
    now = timezone.now()
    me = request.user
    peer = booking.peer if booking.organizer_id == me.pk else booking.organizer
    parts = list(booking.interviews.all())
    names: dict[int | None, str] = {
        booking.organizer_id: public_name(booking.organizer),
        booking.peer_id: public_name(booking.peer),
    }
    pending = [part for part in parts if part.status == Interview.Status.INVITED]
    changeable = (
        booking.status == Booking.Status.ACTIVE
        and booking.starts_at > now
        and all(part.status in (Interview.Status.INVITED, Interview.Status.ACCEPTED) for part in parts)
    )
    local_start = booking.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
    peer_zone = zoneinfo.ZoneInfo(peer.profile.time_zone)
    suggestions = (
        open_slots(viewer=me, host_id=peer.pk, duration_minutes=booking.duration_minutes)[:RESCHEDULE_SUGGESTIONS]
        if changeable
        else []
    )
    return render(
        request,
        "interview/booking.html",
        {
            "booking": booking,
            "peer": peer,
            "peer_name": names[peer.pk],
            "peer_zone": peer.profile.time_zone,
            "peer_starts_at": booking.starts_at.astimezone(peer_zone),
            "peer_ends_at": booking.ends_at.astimezone(peer_zone),
            "parts": [
                {
                    "interview": part,
                    "role": part.role_of(me),
                    "interviewer": names.get(part.interviewer_id, ""),
                    "candidate": names.get(part.candidate_id, ""),
                    "ends_at": part.scheduled_at + dt.timedelta(minutes=part.duration_minutes),
                    "room_open": room_is_open(part, now=now),
                    "room_opens_at": room_opens_at(part),
                }
                for part in parts
            ],
            "invitation": pending[0] if pending and pending[0].invitee_id == me.pk else None,
            "awaiting_peer": bool(pending) and pending[0].invitee_id != me.pk,
            "changes": [
                {"change": change, "who": names.get(change.user_id, "Mocklane")} for change in booking.changes.all()
            ],
            "cancelled_by": names.get(booking.cancelled_by_id, ""),
            "changeable": changeable,
            "late": changeable and change_is_late(booking, now=now),
            "reschedule_form": reschedule_form
            or RescheduleForm(time_zone=zone, initial={"day": local_start.date(), "start_time": local_start.time()}),
            "cancel_form": cancel_form or CancelForm(auto_id="cancel_%s"),
            "suggestions": suggestions,
            "peer_reliability": reliability_for(user_ids=[peer.pk])[peer.pk],
        },
    )


@login_required
def booking_detail(request, pk: int):
    return _booking_page(request, _booking_or_404(request, pk))


@login_required
@require_POST
def booking_reschedule(request, pk: int):
    booking = _booking_or_404(request, pk)
    form = RescheduleForm(request.POST, time_zone=_zone_name(request))
    if form.is_valid():
        try:
            booking = services.booking_reschedule(
                booking=booking,
                user=request.user,
                starts_at=form.cleaned_data["starts_at"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            peer = booking.peer if booking.organizer_id == request.user.pk else booking.organizer
            messages.success(request, f"Moved to {_when(booking.starts_at)}. {public_name(peer)} has been told.")
            return redirect("booking_detail", pk=pk)
    return _booking_page(request, booking, reschedule_form=form)


@login_required
@require_POST
def booking_cancel(request, pk: int):
    booking = _booking_or_404(request, pk)
    form = CancelForm(request.POST, auto_id="cancel_%s")
    if form.is_valid():
        try:
            services.booking_cancel(booking=booking, user=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Session cancelled; your peer has been told.")
            return redirect("booking_detail", pk=pk)
    return _booking_page(request, booking, cancel_form=form)
