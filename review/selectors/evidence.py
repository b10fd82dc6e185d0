"""Reads of the evidence finder's results: one interview's suggestions and evidence per step, ready
for pages and the API, and how often the suggested levels agree with the interviewers' own.

Who may see a report is the caller's to ask of `visibility.review_visibility` (the interviewer
always; the candidate and share readers once the scorecard is submitted)."""

from collections import defaultdict
from typing import Any

from django.urls import reverse
from django.utils.dateparse import parse_datetime

from rubrics.evidence.finder import WRITTEN_ON_BOARD
from rubrics.models import RubricStep
from rubrics.selectors import rubric_active

from ..models import Evidence, EvidenceReport, Scorecard, StepScore, StepSuggestion


def evidence_link(item: Evidence) -> str:
    """Where on the review page the moment is: the transcript line, or the board replay at that op."""
    if item.transcript_event_id:
        return f"#event-{item.transcript_event_id}"
    if item.board_seq:
        return f"?seq={item.board_seq}#replay"
    return ""


def _item(item: Evidence, review_url: str) -> dict[str, Any]:
    link = evidence_link(item)
    return {
        "id": item.pk,
        "source": item.source,
        "source_label": item.get_source_display(),
        "verdict": item.verdict,
        "verdict_label": item.get_verdict_display(),
        "concept": item.concept,
        "criterion": {"key": item.criterion.key, "title": item.criterion.title} if item.criterion is not None else None,
        "text": item.text,
        "at": item.at,
        "transcript_event_id": item.transcript_event_id,
        "board_seq": item.board_seq,
        "link": link,
        "url": review_url + link if link else "",
    }


SIGNAL_KINDS = frozenset(
    {"choice", "trade-off", "alternatives", "numbers", "business", "failure", "prompted", "list", "semantic"}
)


def _signals(stored: Any, review_url: str) -> list[dict[str, Any]]:
    """The stored reasons for a suggestion, each with its moment and a link to it on the review page."""
    signals = []
    for raw in stored if isinstance(stored, list) else []:
        if not isinstance(raw, dict) or raw.get("kind") not in SIGNAL_KINDS:
            continue
        at = parse_datetime(raw["at"]) if isinstance(raw.get("at"), str) else None
        event_id = raw.get("transcript_event_id") if isinstance(raw.get("transcript_event_id"), int) else None
        link = f"#event-{event_id}" if event_id else ""
        signals.append(
            {
                "kind": raw["kind"],
                "label": str(raw.get("label") or ""),
                "quote": str(raw.get("quote") or ""),
                "at": at,
                "transcript_event_id": event_id,
                "link": link,
                "url": review_url + link if link else "",
            }
        )
    return signals


def _moments(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items that show the same thing (one message naming three concepts) merged into one line
    listing the concepts and criteria, in the order they first appear."""
    merged: dict[tuple, dict[str, Any]] = {}
    for item in items:
        key = (item["source"], item["verdict"], item["text"], item["transcript_event_id"], item["board_seq"])
        moment = merged.setdefault(key, {**item, "concepts": [], "criteria": []})
        quoted = item["transcript_event_id"] is not None or item["text"].startswith(WRITTEN_ON_BOARD)
        if quoted and item["concept"] not in moment["concepts"]:
            moment["concepts"].append(item["concept"])
        if item["criterion"] and item["criterion"]["title"] not in moment["criteria"]:
            moment["criteria"].append(item["criterion"]["title"])
    return list(merged.values())


def evidence_for(*, interview_id: int) -> dict[str, Any] | None:
    """The interview's evidence report per step, or None when the finder has never been asked:
    {"status", "status_label", "finder_version", "requested_at", "finished_at", "error",
     "steps": [{"number", "key", "title", "suggestion": {"level", "name", "summary", "signals"} | None,
                "items": [...], "moments": items merged per moment, "counts": {verdict: n}}],
     "by_number": {step number: the same step dict}}."""
    report = EvidenceReport.objects.select_related("rubric").filter(interview_id=interview_id).first()
    if report is None:
        return None
    rubric = report.rubric
    steps = list(RubricStep.objects.filter(rubric_id=report.rubric_id).order_by("number"))
    suggestions = {s.step_id: s for s in StepSuggestion.objects.filter(report=report)}
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    review_url = reverse("interview_review", args=[interview_id])
    for item in Evidence.objects.filter(report=report).select_related("criterion").order_by("step__number", "order"):
        items[item.step_id].append(_item(item, review_url))
    rows = []
    for step in steps:
        suggestion = suggestions.get(step.pk)
        counts: dict[str, int] = defaultdict(int)
        for row in items[step.pk]:
            counts[row["verdict"]] += 1
        rows.append(
            {
                "number": step.number,
                "key": step.key,
                "title": step.title,
                "suggestion": {
                    "level": suggestion.level,
                    "name": rubric.level_name(suggestion.level),
                    "summary": suggestion.summary,
                    "signals": _signals(suggestion.signals, review_url),
                }
                if suggestion
                else None,
                "items": items[step.pk],
                "moments": _moments(items[step.pk]),
                "counts": dict(counts),
            }
        )
    return {
        "status": report.status,
        "status_label": report.get_status_display(),
        "finder_version": report.finder_version,
        "requested_at": report.requested_at,
        "finished_at": report.finished_at,
        "error": report.error,
        "steps": rows,
        "by_number": {row["number"]: row for row in rows},
    }


def _agreement(pairs: list[tuple[int, int]]) -> dict[str, Any]:
    """pairs of (suggested, human) levels -> counts and rates."""
    count = len(pairs)
    exact = sum(1 for suggested, human in pairs if suggested == human)
    within_one = sum(1 for suggested, human in pairs if abs(suggested - human) <= 1)
    difference = sum(suggested - human for suggested, human in pairs)
    return {
        "count": count,
        "exact": exact,
        "within_one": within_one,
        "exact_rate": round(exact / count, 3) if count else None,
        "within_one_rate": round(within_one / count, 3) if count else None,
        # Positive: the suggestions run higher than the interviewers' levels.
        "mean_difference": round(difference / count, 2) if count else None,
    }


def agreement_stats() -> dict[str, Any]:
    """How often the suggested level matched the interviewer's, over every submitted scorecard
    whose interview has a finished evidence report: per step (by number) and overall.

    {"sessions": n, "overall": {...}, "steps": [{"number", "title", "count", "exact", "within_one",
    "exact_rate", "within_one_rate", "mean_difference"}]}"""
    human = {
        (interview_id, number): level
        for interview_id, number, level in StepScore.objects.filter(
            scorecard__status=Scorecard.Status.SUBMITTED,
            scorecard__interview__evidence_report__status=EvidenceReport.Status.DONE,
            level__isnull=False,
        ).values_list("scorecard__interview_id", "step__number", "level")
        if level is not None  # never, by the filter; it tells the type checker
    }
    by_step: dict[int, list[tuple[int, int]]] = defaultdict(list)
    sessions = set()
    for interview_id, number, level in StepSuggestion.objects.filter(
        report__status=EvidenceReport.Status.DONE,
        report__interview__scorecard__status=Scorecard.Status.SUBMITTED,
    ).values_list("report__interview_id", "step__number", "level"):
        if (interview_id, number) in human:
            by_step[number].append((level, human[(interview_id, number)]))
            sessions.add(interview_id)
    rubric = rubric_active()
    titles = dict(rubric.steps.values_list("number", "title")) if rubric else {}
    return {
        "sessions": len(sessions),
        "overall": _agreement([pair for pairs in by_step.values() for pair in pairs]),
        "steps": [
            {"number": number, "title": titles.get(number, f"Step {number}"), **_agreement(by_step[number])}
            for number in sorted(by_step)
        ],
    }
