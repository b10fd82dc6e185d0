"""What one reader may take home from a review: the content shared by the Markdown and PDF exports.

Which parts each reader gets is the review page's rule, `review.selectors.visibility`: the
interviewer everything, drafts and private notes included; the candidate, and anyone the candidate
shares the review with, the scores, the criteria met, the interviewer's step notes and the evidence
only once the scorecard is submitted, and never the private notes."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import overload

from django.utils import timezone

from interview.selectors import public_name, transcript_for
from rubrics.selectors import rubric_steps

from ..models import Evidence, EvidenceReport
from ..selectors import scorecard_for_interview
from ..selectors.review import criteria_met_for, evidence_report_for, interviewer_notes_for, self_assessment_for
from ..selectors.visibility import Audience, review_visibility


@dataclass
class EvidenceLine:
    source: str  # "Transcript" or "Board"
    verdict: str  # "Found", "Missing", ...
    concept: str
    text: str
    at: dt.datetime | None
    link: str  # where on the review page it happened, or ""


@dataclass
class TimedText:
    at: dt.datetime
    text: str


@dataclass
class TranscriptLine:
    at: dt.datetime
    kind: str  # chat, speech, step or system
    author: str
    text: str


@dataclass
class StepSection:
    number: int
    title: str
    level: int | None = None
    level_name: str = ""
    notes: str = ""
    criteria_met: list[str] = field(default_factory=list)
    criteria_missed: list[str] = field(default_factory=list)  # ticked as not met
    criteria_unticked: list[str] = field(default_factory=list)
    suggested_level: int | None = None
    suggested_level_name: str = ""
    suggestion_summary: str = ""
    evidence: list[EvidenceLine] = field(default_factory=list)
    private_notes: list[TimedText] = field(default_factory=list)
    self_level: int | None = None
    self_level_name: str = ""
    self_notes: str = ""
    transcript: list[TranscriptLine] = field(default_factory=list)


@dataclass
class ReviewExport:
    audience: Audience
    title: str
    problem_title: str
    problem_prompt: str
    scheduled_at: dt.datetime  # in the reader's time zone, as every other time here
    time_zone: str
    interviewer: str
    candidate: str
    status: str
    rubric: str
    scores_visible: bool
    scores_draft: bool
    scores_hidden_reason: str
    recommendation: str
    summary: str
    includes_private_notes: bool
    has_ticks: bool
    has_suggestions: bool
    self_assessment: bool
    self_summary: str
    steps: list[StepSection]
    extra_transcript: list[TranscriptLine]  # lines from a step the rubric does not have
    filename_stem: str  # e.g. mocklane-video-recommendation-2025-03-04


def export_filename_stem(interview, tz: zoneinfo.ZoneInfo | None = None) -> str:
    """The start of an export's file name: the problem and the day it was practised on (reader's clock)."""
    return f"mocklane-{interview.problem.slug}-{timezone.localtime(interview.scheduled_at, tz):%Y-%m-%d}"


def long_date(value: dt.datetime) -> str:
    """E.g. "Tue 4 Mar 2025, 14:00"."""
    return f"{value:%a} {value.day} {value:%b %Y, %H:%M}"


@overload
def _local(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime: ...
@overload
def _local(value: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None: ...
def _local(value: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    return timezone.localtime(value, tz) if value is not None else None


def review_export_for(
    *, interview, audience: Audience, tz: zoneinfo.ZoneInfo | None = None, review_url: str = ""
) -> ReviewExport:
    """Gather what `audience` may read of `interview`. `review_url` (absolute, or "") is where the
    evidence links point."""
    tz = tz or timezone.get_current_timezone()
    visible = review_visibility(interview=interview, audience=audience)
    scorecard = scorecard_for_interview(interview_id=interview.pk)
    scores_visible = scorecard is not None and visible.scores
    rubric = scorecard.rubric if scorecard is not None else interview.rubric
    steps = list(rubric_steps(rubric_id=rubric.pk))
    sections = {step.number: StepSection(number=step.number, title=step.title) for step in steps}

    if scorecard is not None and scores_visible:
        for score in scorecard.step_scores.all():
            section = sections.get(score.step.number)
            if section is not None:
                section.level = score.level
                section.level_name = rubric.level_name(score.level)
                section.notes = score.notes

    has_ticks = False
    if scorecard is not None and visible.criterion_ticks:
        checks = criteria_met_for(scorecard_id=scorecard.pk)
        has_ticks = bool(checks)  # an interviewer who ticked nothing said nothing about criteria
        if has_ticks:
            for step in steps:
                section = sections[step.number]
                for criterion in step.criteria.all():
                    met = checks.get(criterion.pk)
                    bucket = None if met is None else section.criteria_met if met else section.criteria_missed
                    (section.criteria_unticked if bucket is None else bucket).append(criterion.title)

    # Private notes are read for the interviewer only: no other export ever holds them.
    if visible.private_notes and scorecard is not None:
        for note in interviewer_notes_for(scorecard_id=scorecard.pk):
            if note.step.number in sections:
                sections[note.step.number].private_notes.append(TimedText(_local(note.created_at, tz), note.text))
    includes_private_notes = any(section.private_notes for section in sections.values())

    has_suggestions = False
    if visible.evidence:
        report = evidence_report_for(interview_id=interview.pk)
        if report is not None and report.status == EvidenceReport.Status.DONE:
            for suggestion in report.suggestions.all():
                section = sections.get(suggestion.step.number)
                if section is not None:
                    has_suggestions = True
                    section.suggested_level = suggestion.level
                    section.suggested_level_name = rubric.level_name(suggestion.level)
                    section.suggestion_summary = suggestion.summary
            for item in report.items.all():
                section = sections.get(item.step.number)
                if section is not None:
                    section.evidence.append(
                        EvidenceLine(
                            source=item.get_source_display(),
                            verdict=item.get_verdict_display(),
                            concept=item.concept,
                            text=item.text,
                            at=_local(item.at, tz),
                            link=_evidence_link(item, review_url),
                        )
                    )

    self_assessment = None
    if visible.self_assessment:
        self_assessment = self_assessment_for(interview_id=interview.pk)
        if self_assessment is not None:
            for self_score in self_assessment.step_scores.all():
                section = sections.get(self_score.step.number)
                if section is not None:
                    section.self_level = self_score.level
                    section.self_level_name = rubric.level_name(self_score.level)
                    section.self_notes = self_score.notes

    extra: list[TranscriptLine] = []
    by_step: dict[int, list[TranscriptLine]] = defaultdict(list)
    for event in transcript_for(interview_id=interview.pk):
        line = TranscriptLine(
            at=_local(event.created_at, tz),
            kind=event.kind,
            author=public_name(event.author),
            text=event.text,
        )
        (by_step[event.step] if event.step in sections else extra).append(line)
    for number, lines in by_step.items():
        sections[number].transcript = lines

    if scores_visible:
        hidden_reason = ""
    elif visible.scores:  # this reader would see the scores, but there are none yet
        hidden_reason = "Not scored yet."
    else:
        hidden_reason = f"Scores appear once {public_name(interview.interviewer)} submits the scorecard."
    return ReviewExport(
        audience=audience,
        title=f"Review: {interview.problem.title}",
        problem_title=interview.problem.title,
        problem_prompt=interview.problem.prompt,
        scheduled_at=_local(interview.scheduled_at, tz),
        time_zone=str(tz),
        interviewer=public_name(interview.interviewer),
        candidate=public_name(interview.candidate),
        status=interview.get_status_display(),
        rubric=str(rubric),
        scores_visible=scores_visible,
        scores_draft=scores_visible and not visible.submitted,
        scores_hidden_reason=hidden_reason,
        recommendation=scorecard.get_recommendation_display() if scorecard is not None and scores_visible else "",
        summary=scorecard.summary if scorecard is not None and scores_visible else "",
        includes_private_notes=includes_private_notes,
        has_ticks=has_ticks,
        has_suggestions=has_suggestions,
        self_assessment=self_assessment is not None,
        self_summary=self_assessment.summary if self_assessment is not None else "",
        steps=[sections[step.number] for step in steps],
        extra_transcript=extra,
        filename_stem=export_filename_stem(interview, tz),
    )


def _evidence_link(item: Evidence, review_url: str) -> str:
    if not review_url:
        return ""
    if item.transcript_event_id is not None:
        return f"{review_url}#event-{item.transcript_event_id}"
    if item.board_seq is not None:
        return f"{review_url}?seq={item.board_seq}#replay"
    return ""
