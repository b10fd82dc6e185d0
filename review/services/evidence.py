"""Writes for the evidence finder: ask for an interview's report, and produce it.

`evidence_report_request` marks the report as queued and, once the transaction commits, hands
`find_evidence(interview_id)` to Celery. `evidence_report_run` does the work: it reads the rubric
(the scorecard's version when there is one), the problem's expectations, the transcript and the
board's op log, runs the pure finder (rubrics/evidence/finder.py) and replaces the report's items
and suggestions in one transaction. Running it again gives the same report.
"""

import datetime as dt
import logging
from collections.abc import Iterator

from django.db import OperationalError, transaction
from django.utils import timezone

from core.errors import ApplicationError
from interview.models import Interview, TranscriptEvent
from interview.selectors import transcript_for
from rubrics.evidence import FINDER_VERSION
from rubrics.evidence.finder import (
    CANDIDATE,
    INTERVIEWER,
    CriterionSpec,
    Message,
    Op,
    StepResult,
    StepSpec,
    StepStart,
    find_evidence,
)
from rubrics.models import RubricStep
from rubrics.selectors import rubric_steps
from whiteboard.selectors import board_op_rows

from ..models import Evidence, EvidenceReport, Scorecard, StepSuggestion

logger = logging.getLogger(__name__)

OP_PAGE = 1000  # ops read per query while replaying the board
# At most one run a minute per interview, asked for again by the interviewer.
RERUN_INTERVAL = dt.timedelta(minutes=1)
STALE_RUN = dt.timedelta(minutes=10)
CONCEPT_LENGTH = Evidence._meta.get_field("concept").max_length


def _rubric_id_for(interview: Interview) -> int:
    """The rubric the interview is scored with: the scorecard's version once there is one."""
    scored_with = Scorecard.objects.filter(interview_id=interview.pk).values_list("rubric_id", flat=True).first()
    return scored_with or interview.rubric_id


@transaction.atomic
def evidence_report_request(*, interview: Interview, rerun: bool = False) -> EvidenceReport:
    """Queue the evidence finder for this interview (again, if it ran before).

    `rerun`: someone asked again. Then a request while a run is queued or running returns that
    run's report and queues nothing, and one within RERUN_INTERVAL of the last run's end is
    refused (429 `too_soon`); a queued or running report older than STALE_RUN counts as lost (a
    worker died) and is queued again. The end of the interview always queues a run: the
    transcript and the board are final only then."""
    from ..tasks import find_evidence as find_evidence_task

    report, created = EvidenceReport.objects.select_for_update().get_or_create(
        interview_id=interview.pk, defaults={"rubric_id": _rubric_id_for(interview)}
    )
    if not created and rerun:
        now = timezone.now()
        in_flight = report.status in (EvidenceReport.Status.PENDING, EvidenceReport.Status.RUNNING)
        if in_flight and report.requested_at > now - STALE_RUN:
            return report
        if not in_flight and report.finished_at and report.finished_at > now - RERUN_INTERVAL:
            wait = int((report.finished_at + RERUN_INTERVAL - now).total_seconds()) + 1
            raise ApplicationError(
                f"The evidence finder ran less than a minute ago; try again in {wait} seconds.",
                code="too_soon",
                status=429,
            )
    if not created:
        report.status = EvidenceReport.Status.PENDING
        report.requested_at = timezone.now()
        report.error = ""
        report.save(update_fields=["status", "requested_at", "error"])
    interview_id = interview.pk
    transaction.on_commit(lambda: find_evidence_task.delay(interview_id))
    return report


def evidence_report_run(*, interview_id: int) -> EvidenceReport | None:
    """Find the evidence for one interview and store it; None when the interview no longer exists.

    A database outage is recorded and raised (the task retries); any other failure is recorded on
    the report for the interviewer to see, and logged."""
    interview = Interview.objects.select_related("problem", "board").filter(pk=interview_id).first()
    if interview is None:
        return None
    report = _start(interview)
    try:
        steps = list(rubric_steps(rubric_id=report.rubric_id))
        results = _find(interview, steps)
        return _store(report, steps, results)
    except OperationalError:
        _fail(report, "The database could not be reached; the finder will try again.")
        raise
    except Exception:
        logger.exception("The evidence finder failed for interview %s", interview_id)
        return _fail(report, "The evidence finder could not read this interview. Try again, or score it by hand.")


@transaction.atomic
def _start(interview: Interview) -> EvidenceReport:
    rubric_id = _rubric_id_for(interview)
    report, _ = EvidenceReport.objects.select_for_update().get_or_create(
        interview_id=interview.pk, defaults={"rubric_id": rubric_id}
    )
    report.status = EvidenceReport.Status.RUNNING
    report.error = ""
    if report.rubric_id != rubric_id:  # scored with another version since the last run
        report.items.all().delete()
        report.suggestions.all().delete()
        report.rubric_id = rubric_id
    report.save(update_fields=["status", "error", "rubric"])
    return report


def _fail(report: EvidenceReport, message: str) -> EvidenceReport:
    EvidenceReport.objects.filter(pk=report.pk).update(
        status=EvidenceReport.Status.FAILED, error=message, finished_at=timezone.now()
    )
    report.refresh_from_db()
    return report


def _ops(board_id: int) -> Iterator[Op]:
    """The whole op log, a page at a time, so a long session never sits in memory twice."""
    after = 0
    while True:
        page = board_op_rows(board_id=board_id, after_seq=after, limit=OP_PAGE)
        for seq, at, author_id, elements in page:
            yield Op(seq=seq, at=at, author_id=author_id, elements=elements)
        if len(page) < OP_PAGE:
            return
        after = page[-1][0]


def _find(interview: Interview, steps: list[RubricStep]) -> list[StepResult]:
    events = list(transcript_for(interview_id=interview.pk))
    roles = {interview.candidate_id: CANDIDATE, interview.interviewer_id: INTERVIEWER}
    # What both wrote in the chat and said aloud (speech segments, dated when spoken), with who said it.
    sources: dict[str, str] = {TranscriptEvent.Kind.CHAT: "chat", TranscriptEvent.Kind.SPEECH: "speech"}
    messages = [
        Message(
            event_id=e.pk, step=e.step, at=e.created_at, text=e.text, role=roles[e.author_id], source=sources[e.kind]
        )
        for e in events
        if e.kind in sources and e.author_id in roles
    ]
    step_starts = [StepStart(step=e.step, at=e.created_at) for e in events if e.kind == TranscriptEvent.Kind.STEP]
    return find_evidence(
        steps=[StepSpec(number=s.number, key=s.key, title=s.title) for s in steps],
        criteria=[
            CriterionSpec(
                key=c.key,
                step=s.number,
                title=c.title,
                weight=c.weight,
                concepts=tuple(map(str, c.concepts or ())),
                description=c.description or "",
                levels=tuple(str((c.levels or {}).get(str(n), (c.levels or {}).get(n, ""))) for n in range(1, 5)),
            )
            for s in steps
            for c in s.criteria.all()
        ],
        expectations=interview.problem.expectations or {},
        messages=messages,
        step_starts=step_starts,
        ops=_ops(interview.board_id),
        lanes=interview.board.lanes,
        candidate_id=interview.candidate_id,
    )


@transaction.atomic
def _store(report: EvidenceReport, steps: list[RubricStep], results: list[StepResult]) -> EvidenceReport:
    """Replace the report's suggestions and items with `results`, and mark it done."""
    report = EvidenceReport.objects.select_for_update().get(pk=report.pk)
    step_by_number = {s.number: s for s in steps}
    criterion_ids = {(s.number, c.key): c.pk for s in steps for c in s.criteria.all()}
    report.items.all().delete()
    report.suggestions.all().delete()
    StepSuggestion.objects.bulk_create(
        StepSuggestion(
            report=report,
            step=step_by_number[r.step],
            level=r.level,
            summary=r.summary,
            signals=[signal.as_dict() for signal in r.signals],
        )
        for r in results
    )
    Evidence.objects.bulk_create(
        Evidence(
            report=report,
            step=step_by_number[r.step],
            criterion_id=criterion_ids.get((r.step, f.criterion)) if f.criterion else None,
            source=f.source,
            verdict=f.verdict,
            concept=f.concept[:CONCEPT_LENGTH],
            text=f.text,
            at=f.at,
            transcript_event_id=f.transcript_event_id,
            board_seq=f.board_seq,
            order=order,
        )
        for r in results
        for order, f in enumerate(r.findings)
    )
    report.status = EvidenceReport.Status.DONE
    report.finished_at = timezone.now()
    report.finder_version = FINDER_VERSION
    report.error = ""
    report.save(update_fields=["status", "finished_at", "finder_version", "error"])
    return report
