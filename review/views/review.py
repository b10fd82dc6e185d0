"""The review of one interview: scores beside their evidence, the timeline in step bands, the board
replay, the candidate's self-assessment, and the read-only links the candidate shares it with.

Three audiences read the same page, and each sees a different part of it; which part is
`review.selectors.visibility.review_visibility`, read here as `visible`:
- the interviewer: everything, including their private notes, draft scores and the candidate's
  self-assessment once their own scorecard is submitted;
- the candidate: the transcript and board at once, scores, ticks and evidence once the scorecard is
  submitted, their self-assessment, the share controls; never the private notes;
- anyone with a share link: once the scorecard is submitted, what the candidate sees, minus the
  share controls, exports and anything that names an address; before it, the transcript and board
  only. Never the private notes, never a draft.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from interview.access import problem_visible
from interview.lifecycle import interview_has_started, room_is_open
from interview.models import Interview, TranscriptEvent
from interview.pacing import step_times
from interview.selectors import public_name, transcript_for
from interview.selectors.interviews import audio_chunk_get, audio_chunks_for
from interview.views.common import interview_or_404
from interview.views.recording import audio_response
from review.selectors import ReviewVisibility, review_visibility, scorecard_for_interview
from review.selectors.evidence import evidence_for
from review.selectors.review import (
    criteria_met_for,
    interviewer_notes_for,
    review_share_for_token,
    review_shares_for,
    self_assessment_for,
)
from review.selectors.visibility import Audience as AudienceKind
from review.selectors.visibility import reference_design_visible
from review.services.self_assessment import MAX_NOTES, MAX_SUMMARY, self_assessment_save
from review.services.sharing import MAX_LABEL, review_share_create, review_share_revoke
from rubrics.selectors import rubric_steps
from whiteboard.selectors import board_get_state

from ..selectors.feedback import feedback_for
from ..selectors.timeline import review_clock, review_timeline, step_markers
from ..services.feedback import RATING_LABELS

# Export formats, by URL name; a format shows up once its view exists.
EXPORTS = (
    ("interview_export_md", "Markdown"),
    ("interview_export_pdf", "PDF"),
    ("interview_board_svg", "Board (SVG)"),
    ("interview_board_png", "Board (PNG)"),
)


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind | None  # "interviewer", "candidate" or "shared"

    @property
    def is_interviewer(self) -> bool:
        return self.kind == "interviewer"

    @property
    def is_candidate(self) -> bool:
        return self.kind == "candidate"

    @property
    def is_shared(self) -> bool:
        return self.kind == "shared"


def _export_links(interview: Interview) -> list[dict]:
    links = []
    for name, label in EXPORTS:
        try:
            links.append({"label": label, "url": reverse(name, args=[interview.pk])})
        except NoReverseMatch:
            continue
    return links


def _is_quote(item: dict) -> bool:
    """A line from the transcript, as opposed to what the finder says it did not find."""
    return item["source"] == "transcript" and item["verdict"] in ("found", "negated")


def _audio_config(interview: Interview, *, url_for) -> dict:
    """The recorded chunks the review plays in step with the board: each speaker's, in order."""
    chunks = [
        {
            "id": chunk.pk,
            "speaker": {
                "id": chunk.speaker_id,
                "name": public_name(chunk.speaker),
                "role": interview.role_of(chunk.speaker),
            },
            "url": url_for(chunk),
            "at": chunk.started_at.isoformat(),
            "duration_ms": chunk.duration_ms,
        }
        for chunk in audio_chunks_for(interview_id=interview.pk)
    ]
    return {"chunks": chunks}


def _review_context(
    interview: Interview, audience: Audience, visible: ReviewVisibility, *, history_url: str, audio_url=None
) -> dict:
    scorecard = scorecard_for_interview(interview_id=interview.pk)
    submitted = visible.submitted
    scores_visible = scorecard is not None and visible.scores
    rubric = scorecard.rubric if scorecard else interview.rubric
    steps = list(rubric_steps(rubric_id=interview.rubric_id))
    titles = {step.number: step.title for step in steps}

    events = list(transcript_for(interview_id=interview.pk))
    clock = review_clock(
        interview=interview,
        first_event_at=events[0].created_at if events else None,
        last_event_at=events[-1].created_at if events else None,
    )
    # Private notes are read only for whoever may see them: nobody else's page ever holds them.
    notes = list(interviewer_notes_for(scorecard_id=scorecard.pk)) if visible.private_notes and scorecard else []
    timeline = review_timeline(clock=clock, events=events, titles=titles, notes=notes)
    markers = step_markers(clock=clock, events=events, titles=titles)

    ticks_visible = scorecard is not None and visible.criterion_ticks
    checks = criteria_met_for(scorecard_id=scorecard.pk) if scorecard is not None and ticks_visible else {}
    report = evidence_for(interview_id=interview.pk) if visible.evidence else None
    found = report["by_number"] if report and report["status"] == "done" else {}
    assessment = self_assessment_for(interview_id=interview.pk) if visible.self_assessment else None
    feedback = feedback_for(interview_id=interview.pk) if visible.interviewer_feedback else None
    own = {row.step.number: row for row in assessment.step_scores.all()} if assessment else {}
    scores = {row.step.number: row for row in scorecard.step_scores.all()} if scorecard and scores_visible else {}

    times = {time.number: time for time in step_times(interview=interview)}
    speakers = {e.pk: (public_name(e.author) if e.author_id else "", e.kind) for e in events}
    step_rows = []
    for step in steps:
        score = scores.get(step.number)
        suggestion = found.get(step.number, {}).get("suggestion")
        if suggestion:
            signals = [{**signal, "elapsed": clock.elapsed(signal["at"])} for signal in suggestion["signals"]]
            suggestion = {**suggestion, "signals": signals}
        mine = own.get(step.number)
        start = next((m for m in markers if m.number == step.number), None)
        step_rows.append(
            {
                "step": step,
                "score": score,
                "level_label": rubric.level_name(score.level) if score and score.level else "",
                "criteria": [{"criterion": c, "met": checks.get(c.pk)} for c in step.criteria.all()]
                if ticks_visible
                else [],
                "suggestion": suggestion,
                "agrees": bool(suggestion and score and score.level == suggestion["level"]),
                "evidence": [
                    {
                        **item,
                        "elapsed": clock.elapsed(item["at"]),
                        "quote": _is_quote(item),
                        # a quote cites who said it, and whether aloud or in the chat
                        "speaker": speakers.get(item["transcript_event_id"], ("", ""))[0],
                        "spoken": speakers.get(item["transcript_event_id"], ("", ""))[1] == TranscriptEvent.Kind.SPEECH,
                    }
                    for item in found.get(step.number, {}).get("items", [])
                ],
                "self": mine,
                "self_label": rubric.level_name(mine.level) if mine and mine.level else "",
                "start": start,
                "band": next((band.anchor for band in timeline if band.number == step.number), None),
                "time": times.get(step.number),
            }
        )

    state = board_get_state(board_id=interview.board_id, include_deleted=False)
    lane_counts = {"offline": 0, "online": 0}
    for element in state.elements:
        if element.get("lane") in lane_counts and element.get("type") != "frame":
            lane_counts[element["lane"]] += 1
    return {
        "interview": interview,
        "audience": audience,
        "visible": visible,
        "role": audience.kind,
        "scorecard": scorecard,
        "scores_visible": scores_visible,
        "submitted": submitted,
        "recommendation": scorecard.get_recommendation_display() if scorecard and scores_visible else "",
        "report": report,
        "assessment": assessment,
        "feedback": feedback,
        "feedback_rows": [{"label": label, "value": getattr(feedback, name)} for name, label in RATING_LABELS.items()]
        if feedback
        else [],
        "feedback_open": interview.status == Interview.Status.COMPLETED,
        "step_rows": step_rows,
        "timeline": timeline,
        "duration": clock.elapsed(clock.ended_at) if clock.ended_at else "",
        "lane_counts": lane_counts,
        "reference_design_visible": reference_design_visible(interview=interview, audience=audience.kind),
        **_swap_parts(interview, audience),
        "replay_config": {
            "mode": "review",
            "interview": {"id": interview.pk, "title": interview.problem.title},
            "board_id": interview.board_id,
            "board": {"seq": state.seq, "elements": state.elements},
            "replay": {"history_url": history_url, "started_at": clock.started_at.isoformat()},
            "audio": _audio_config(interview, url_for=audio_url) if visible.audio and audio_url else None,
        },
        "has_speech": any(e.kind == TranscriptEvent.Kind.SPEECH for e in events),
        # The interviewer learns a self-assessment waits for them, not what it says.
        "self_waiting": audience.is_interviewer
        and not visible.self_assessment
        and bool(self_assessment_for(interview_id=interview.pk)),
    }


def _swap_parts(interview: Interview, audience: Audience) -> dict:
    """In a role swap, part 1's review leads on to part 2, and part 2's back to part 1 (not for share
    readers: a link covers one interview)."""
    if audience.is_shared or interview.booking.kind != "swap":
        return {}
    other = (
        Interview.objects.select_related("interviewer__profile", "candidate__profile")
        .filter(booking_id=interview.booking_id)
        .exclude(pk=interview.pk)
        .first()
    )
    if other is None:
        return {}
    if interview.part == 1:
        return {"next_part": other, "next_part_open": room_is_open(other)}
    return {"previous_part": other}


@login_required
def interview_review(request, pk: int):
    interview = interview_or_404(request, pk)
    if not problem_visible(interview, request.user):
        messages.info(request, "The review opens with the room: you meet the problem there first.")
        return redirect("interview_detail", pk=pk)
    audience = Audience(interview.role_of(request.user))
    visible = review_visibility(interview=interview, audience=audience.kind)
    history_url = reverse("api_interview_board_history", args=[pk])
    context = _review_context(
        interview,
        audience,
        visible,
        history_url=history_url,
        audio_url=lambda chunk: reverse("interview_audio", args=[pk, chunk.pk]),
    )
    context["export_links"] = _export_links(interview) if visible.exports else []
    if visible.share_controls:
        context["shares"] = [
            {"share": share, "url": request.build_absolute_uri(reverse("shared_review", args=[share.token]))}
            for share in review_shares_for(interview_id=pk)
        ]
        context["review_open"] = context["can_share"] = interview_has_started(interview)
        context["max_label"] = MAX_LABEL
    return render(request, "review/review.html", context)


def shared_review(request, token: str):
    """The review as its candidate shared it: read-only, for anyone holding the link."""
    share = review_share_for_token(token=token)
    if share is None:
        raise Http404("This link does not work: it was revoked, or never existed.")
    interview = (
        Interview.objects.select_related("problem", "rubric", "board", "interviewer__profile", "candidate__profile")
        .filter(pk=share.interview_id)
        .first()
    )
    if interview is None:
        raise Http404("This link does not work: it was revoked, or never existed.")
    history_url = reverse("api_shared_board_history", args=[token])
    visible = review_visibility(interview=interview, audience="shared", share=share)
    context = _review_context(
        interview,
        Audience("shared"),
        visible,
        history_url=history_url,
        audio_url=lambda chunk: reverse("shared_review_audio", args=[token, chunk.pk]),
    )
    context["share"] = share
    response = render(request, "review/review.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def shared_review_audio(request, token: str, chunk_id: int):
    """A chunk of the recording, for a share link's holder when the candidate shared the audio."""
    share = review_share_for_token(token=token)
    if share is None:
        raise Http404("This link does not work: it was revoked, or never existed.")
    interview = Interview.objects.filter(pk=share.interview_id).first()
    if interview is None or not review_visibility(interview=interview, audience="shared", share=share).audio:
        raise Http404("No such audio.")
    chunk = audio_chunk_get(interview_id=interview.pk, chunk_id=chunk_id)
    if chunk is None:
        raise Http404("No such audio.")
    response = audio_response(chunk)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _self_assessment_post(request, steps) -> tuple[dict, str]:
    """Every level_<id> / notes_<id> field posted, so a step id that is not ours is refused rather than ignored."""
    answers: dict[str, dict] = {}
    for key, value in request.POST.items():
        field, _, step_id = key.partition("_")
        if field in ("level", "notes") and step_id:
            answers.setdefault(step_id, {})[field] = value
    for step in steps:
        answers.setdefault(str(step.pk), {"level": None, "notes": ""}).setdefault("level", None)
    return answers, request.POST.get("summary", "")


@login_required
def interview_self_assessment(request, pk: int):
    interview = interview_or_404(request, pk)
    if interview.role_of(request.user) != "candidate":
        raise PermissionDenied("Only the candidate fills in a self-assessment.")
    if not interview_has_started(interview):
        messages.info(request, "The self-assessment opens once the interview has started.")
        return redirect("interview_detail", pk=pk)
    steps = list(rubric_steps(rubric_id=interview.rubric_id))
    error = None
    if request.method == "POST":
        answers, summary = _self_assessment_post(request, steps)
        try:
            self_assessment_save(interview=interview, user=request.user, steps=answers, summary=summary)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, "Self-assessment saved. It sits beside the interviewer's scores in the review.")
            return redirect(reverse("interview_review", args=[pk]) + "#self-assessment")
    assessment = self_assessment_for(interview_id=pk)
    saved = {row.step_id: row for row in assessment.step_scores.all()} if assessment else {}
    rows = []
    for step in steps:
        row = saved.get(step.pk)
        if error:
            level = request.POST.get(f"level_{step.pk}", "")
            notes = request.POST.get(f"notes_{step.pk}", "")
        else:
            level = str(row.level) if row and row.level else ""
            notes = row.notes if row else ""
        rows.append({"step": step, "level": level, "notes": notes})
    return render(
        request,
        "review/self_assessment.html",
        {
            "interview": interview,
            "assessment": assessment,
            "rows": rows,
            "error": error,
            "levels": [(str(n), interview.rubric.level_name(n)) for n in (1, 2, 3, 4)],
            "summary": request.POST.get("summary", "") if error else (assessment.summary if assessment else ""),
            "max_notes": MAX_NOTES,
            "max_summary": MAX_SUMMARY,
        },
    )


def _candidate_only(request, pk: int) -> Interview:
    interview = interview_or_404(request, pk)
    if interview.role_of(request.user) != "candidate":
        raise PermissionDenied("Only the candidate decides who else reads this review.")
    return interview


def _sharing_url(pk: int) -> str:
    return reverse("interview_review", args=[pk]) + "#sharing"


@login_required
@require_POST
def review_share_new(request, pk: int):
    interview = _candidate_only(request, pk)
    try:
        share = review_share_create(
            interview=interview,
            user=request.user,
            label=request.POST.get("label", ""),
            share_audio=request.POST.get("share_audio") == "on",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        name = f" “{share.label}”" if share.label else ""
        messages.success(request, f"Link{name} created. Anyone holding it can read this review until you revoke it.")
    return redirect(_sharing_url(pk))


@login_required
@require_POST
def review_share_revoke_view(request, pk: int, share_id: int):
    interview = _candidate_only(request, pk)
    try:
        share = review_share_revoke(interview=interview, user=request.user, share_id=share_id)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    name = f" “{share.label}”" if share.label else ""
    messages.success(request, f"Link{name} revoked: it no longer opens this review.")
    return redirect(_sharing_url(pk))
