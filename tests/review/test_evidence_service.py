"""The evidence finder end to end: messages sent and boards drawn through the real services, the
report stored with the right step, time, transcript event and board seq, run again idempotently,
and started when the interview ends."""

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from interview.models import TranscriptEvent
from interview.services import interview_end, interview_post_message, interview_set_step
from review.models import Evidence, EvidenceReport, StepSuggestion
from review.selectors.evidence import evidence_for
from review.services.evidence import evidence_report_request, evidence_report_run
from review.tasks import find_evidence
from rubrics.evidence import FINDER_VERSION
from whiteboard.models import BoardOp
from whiteboard.services import board_write_unchecked

from ..elements import Sketch, box, free_text
from ..rubrics.evidence_boards import OFFLINE_X, ONLINE_X, ROWS, good_board

pytestmark = pytest.mark.django_db


def say(interview, user, text: str) -> TranscriptEvent:
    return interview_post_message(interview=interview, user=user, text=text)


def draw(interview, author, elements, op_id: str) -> BoardOp:
    result = board_write_unchecked(board_id=interview.board_id, op_id=op_id, elements=elements, author=author)
    return BoardOp.objects.get(board_id=interview.board_id, seq=result.seq)


def items(report, **filters) -> list[Evidence]:
    return list(Evidence.objects.filter(report=report, **filters).select_related("step", "criterion"))


def snapshot(report) -> list[tuple]:
    return [
        (
            e.step.number,
            e.criterion_id,
            e.source,
            e.verdict,
            e.concept,
            e.text,
            e.at,
            e.transcript_event_id,
            e.board_seq,
        )
        for e in items(report)
    ] + [(s.step.number, s.level, s.summary) for s in StepSuggestion.objects.filter(report=report)]


def test_a_mention_is_stored_with_its_step_time_and_event(interview, interviewer, candidate):
    interview_set_step(interview=interview, user=interviewer, step=5)
    event = say(interview, candidate, "Offline I'd report precision@10 and NDCG; online, watch time in an A/B test.")
    report = evidence_report_run(interview_id=interview.pk)
    assert report.status == "done" and report.finished_at is not None and report.finder_version == FINDER_VERSION
    [item] = items(report, concept="precision@k")
    assert (item.step.number, item.criterion.key, item.source, item.verdict) == (
        5,
        "offline-metrics",
        "transcript",
        "found",
    )
    assert (item.transcript_event_id, item.at, item.board_seq) == (event.pk, event.created_at, None)
    assert item.text == event.text
    found = {(e.criterion.key, e.concept) for e in items(report, verdict="found")}
    assert {
        ("offline-metrics", "ndcg"),
        ("online-metrics", "watch time"),
        ("experimentation", "a/b test"),
    } <= found


def test_a_term_mentioned_only_in_negation_is_not_counted(interview, interviewer, candidate):
    interview_set_step(interview=interview, user=interviewer, step=3)
    denial = say(interview, candidate, "We don't need a feature store; features are cheap to compute.")
    report = evidence_report_run(interview_id=interview.pk)
    [item] = items(report, criterion__key="feature-store-and-skew", source="transcript")
    assert (item.verdict, item.concept, item.transcript_event_id) == ("negated", "feature store", denial.pk)
    step_3 = StepSuggestion.objects.get(report=report, step__number=3)
    assert step_3.level == 1 and "“Shares features between training and serving” came up only in negation" in (
        step_3.summary
    )
    # Said plainly later, it counts, and the denial is no longer listed.
    plain = say(interview, candidate, "On second thought, a feature store avoids training-serving skew.")
    report = evidence_report_run(interview_id=interview.pk)
    shown = items(report, criterion__key="feature-store-and-skew", source="transcript")
    assert {(e.verdict, e.concept, e.transcript_event_id) for e in shown} == {
        ("found", "feature store", plain.pk),
        ("found", "training-serving skew", plain.pk),
    }


def test_only_the_candidates_words_count(interview, interviewer, candidate):
    interview_set_step(interview=interview, user=interviewer, step=7)
    say(interview, interviewer, "How would you catch data drift or concept drift?")
    report = evidence_report_run(interview_id=interview.pk)
    [missing] = items(report, criterion__key="drift-detection")
    assert missing.verdict == "missing" and missing.transcript_event_id is None and missing.at is None


def test_a_term_several_steps_share_goes_to_the_step_that_was_current(interview, interviewer, candidate):
    early = say(interview, candidate, "What latency can we afford?")
    interview_set_step(interview=interview, user=interviewer, step=7)
    late = say(interview, candidate, "We alert on latency and throughput.")
    report = evidence_report_run(interview_id=interview.pk)
    latency = {(e.criterion.key, e.transcript_event_id) for e in items(report, concept="latency")}
    assert latency == {("scale-and-constraints", early.pk), ("operational-and-ml-monitoring", late.pk)}


def test_board_findings_carry_the_op_that_made_them_true(interview, candidate):
    s = Sketch()
    first = draw(
        interview,
        candidate,
        [
            *s.box("train", "Training", x=ONLINE_X[1], y=ROWS[0]),  # wrong lane at first
            *s.box("api", "Serving API", x=OFFLINE_X[2], y=ROWS[2]),  # wrong lane, never moved
            *s.box("mon", "Monitoring", x=ONLINE_X[0], y=ROWS[2]),
        ],
        "op-1",
    )
    deleted = [{**element, "isDeleted": True, "version": 2} for element in box("mon", "Monitoring", x=0, y=0)]
    draw(interview, candidate, deleted, "op-2")
    moved = draw(interview, candidate, [{**s.shapes["train"], "x": float(OFFLINE_X[2]), "version": 2}], "op-3")
    redrawn = draw(interview, candidate, box("mon2", "Dashboards", x=ONLINE_X[2], y=ROWS[2]), "op-4")
    report = evidence_report_run(interview_id=interview.pk)
    checks = {e.text: e for e in items(report, source="board")}

    training = checks["“Training” is in the offline lane."]
    assert (training.verdict, training.board_seq, training.at) == ("found", moved.seq, moved.created_at)
    assert (training.step.number, training.criterion.key, training.concept) == (
        6,
        "offline-online-separation",
        "training",
    )

    serving = checks["“Serving API” (serving) is in the offline lane; it belongs in the online lane."]
    assert (serving.verdict, serving.board_seq, serving.at) == ("wrong_lane", first.seq, first.created_at)

    monitoring = checks["Monitoring is on the board: “Dashboards”."]
    assert (monitoring.verdict, monitoring.board_seq, monitoring.at) == ("found", redrawn.seq, redrawn.created_at)
    assert (monitoring.step.number, monitoring.criterion.key) == (7, "operational-and-ml-monitoring")

    [feedback] = items(report, source="board", criterion__key="retraining-and-feedback")
    assert (feedback.verdict, feedback.board_seq, feedback.at) == ("missing", None, None)


def test_the_whole_good_board(interview, interviewer, candidate):
    _, batches = good_board()
    ops = [draw(interview, candidate, batch, f"op-{n}") for n, batch in enumerate(batches)]
    report = evidence_report_run(interview_id=interview.pk)
    checks = [e for e in items(report, source="board") if not e.text.startswith("On the board")]
    assert {e.verdict for e in checks} == {"found"}
    by_text = {e.text: e for e in checks}
    assert by_text["Arrows lead ingestion → feature store → training → model registry."].board_seq == ops[2].seq
    assert by_text["“Feature store” is in the offline lane."].board_seq == ops[0].seq
    shared = next(e for e in checks if e.criterion.key == "feature-store-and-skew")
    assert shared.step.number == 3 and shared.board_seq == ops[2].seq
    funnel = next(e for e in checks if e.criterion.key == "system-shape")
    assert funnel.text == "Arrows lead candidate generation → ranking." and funnel.step.number == 2


def test_text_the_candidate_writes_on_the_board_is_cited_once_as_it_settled(interview, interviewer, candidate):
    interview_set_step(interview=interview, user=interviewer, step=5)
    note = free_text("metrics", "Metrics: nDCG, recall@k", x=100, y=600)
    written = draw(interview, candidate, [note], "op-1")
    rewritten = "Metrics: nDCG, recall@k, MRR"
    extended = draw(
        interview, candidate, [{**note, "text": rewritten, "originalText": rewritten, "version": 2}], "op-2"
    )
    draw(interview, interviewer, [free_text("hint", "Data drift?", x=1300, y=650)], "op-3")
    report = evidence_report_run(interview_id=interview.pk)
    written_items = {e.concept: e for e in items(report, source="board", criterion__key="offline-metrics")}
    # Rewritten within seconds, the first version was still being typed: every concept is cited with
    # the label as it settled, at the op that settled it.
    assert written.seq < extended.seq
    assert {concept: e.board_seq for concept, e in written_items.items()} == {
        "ndcg": extended.seq,
        "recall@k": extended.seq,
        "mrr": extended.seq,
    }
    assert written_items["ndcg"].at == extended.created_at
    assert {e.text for e in written_items.values()} == {"On the board: “Metrics: nDCG, recall@k, MRR”"}
    assert [e.verdict for e in items(report, criterion__key="drift-detection")] == ["missing"]


def test_every_step_gets_a_suggestion_and_richer_steps_rank_higher(interview, interviewer, candidate):
    say(interview, candidate, "The business goal is engagement and retention. Clicks and likes are our labels.")
    say(interview, candidate, "About 100M DAU, 10k QPS, a 200 ms latency budget; let me write down the requirements.")
    _, batches = good_board()
    for number, batch in enumerate(batches):
        draw(interview, candidate, batch, f"op-{number}")
    report = evidence_report_run(interview_id=interview.pk)
    levels = dict(StepSuggestion.objects.filter(report=report).values_list("step__number", "level"))
    assert sorted(levels) == [1, 2, 3, 4, 5, 6, 7] and set(levels.values()) <= {1, 2, 3, 4}
    assert levels[1] >= 3 and levels[4] == 1
    assert StepSuggestion.objects.get(report=report, step__number=4).summary == "No evidence for any criterion."


def test_running_again_gives_the_same_report(interview, interviewer, candidate):
    interview_set_step(interview=interview, user=interviewer, step=5)
    say(interview, candidate, "nDCG offline, CTR online. We won't run A/B tests.")
    _, batches = good_board()
    for number, batch in enumerate(batches):
        draw(interview, candidate, batch, f"op-{number}")
    first = evidence_report_run(interview_id=interview.pk)
    before = snapshot(first)
    first_ids = set(Evidence.objects.values_list("id", flat=True))
    again = evidence_report_run(interview_id=interview.pk)
    assert again.pk == first.pk and EvidenceReport.objects.count() == 1
    assert snapshot(again) == before
    assert not first_ids & set(Evidence.objects.values_list("id", flat=True))  # replaced, not added to
    assert Evidence.objects.count() == len(first_ids)


def test_a_failed_run_keeps_the_last_report_and_says_so(interview, candidate, monkeypatch):
    say(interview, candidate, "The business goal is retention.")
    report = evidence_report_run(interview_id=interview.pk)
    kept = snapshot(report)

    def broken(**kwargs):
        raise ValueError("boom")

    monkeypatch.setattr("review.services.evidence.find_evidence", broken)
    failed = evidence_report_run(interview_id=interview.pk)
    assert failed.status == "failed" and "could not read this interview" in failed.error
    assert snapshot(failed) == kept


def test_a_database_outage_is_recorded_and_raised_for_the_retry(interview, monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr("review.services.evidence.find_evidence", unreachable)
    with pytest.raises(OperationalError):
        evidence_report_run(interview_id=interview.pk)
    assert EvidenceReport.objects.get().status == "failed"


def test_a_missing_interview_is_nothing_to_do():
    assert evidence_report_run(interview_id=987654) is None
    assert find_evidence(987654) is None


def test_requesting_queues_the_task_on_commit(interview, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = evidence_report_request(interview=interview)
    assert report.status == "pending" and len(callbacks) == 1
    assert not StepSuggestion.objects.exists()
    callbacks[0]()  # the broker delivers; Celery runs eagerly in tests
    report.refresh_from_db()
    assert report.status == "done" and StepSuggestion.objects.filter(report=report).count() == 7
    first_requested = report.requested_at
    with django_capture_on_commit_callbacks(execute=False):
        again = evidence_report_request(interview=interview)
    assert again.pk == report.pk and again.status == "pending" and again.requested_at > first_requested


def test_ending_the_interview_finds_the_evidence(interview, interviewer, candidate, django_capture_on_commit_callbacks):
    interview_set_step(interview=interview, user=interviewer, step=7)
    event = say(interview, candidate, "We'd watch for data drift and concept drift, and retrain weekly.")
    with django_capture_on_commit_callbacks(execute=True):
        interview_end(interview=interview, user=interviewer)
    report = EvidenceReport.objects.get(interview=interview)
    assert report.status == "done"
    drift = items(report, criterion__key="drift-detection", verdict="found")
    assert {(e.concept, e.transcript_event_id) for e in drift} == {
        ("data drift", event.pk),
        ("concept drift", event.pk),
    }


def test_the_op_log_is_replayed_once_whatever_its_length(interview, candidate):
    def queries_for_run() -> int:
        with CaptureQueriesContext(connection) as context:
            evidence_report_run(interview_id=interview.pk)
        return len(context.captured_queries)

    draw(interview, candidate, box("b0", "Ingestion", x=40, y=60), "op-0")
    evidence_report_run(interview_id=interview.pk)  # the report exists from now on
    short = queries_for_run()
    for number in range(1, 40):
        draw(interview, candidate, box(f"b{number}", f"Box {number}", x=40 + number, y=200), f"op-{number}")
    assert queries_for_run() == short


def test_evidence_for_lists_each_step_ready_for_pages(interview, interviewer, candidate, django_assert_num_queries):
    interview_set_step(interview=interview, user=interviewer, step=5)
    event = say(interview, candidate, "nDCG and recall@k offline.")
    op = draw(interview, candidate, box("mon", "Monitoring", x=ONLINE_X[0], y=ROWS[2]), "op-1")
    evidence_report_run(interview_id=interview.pk)
    with django_assert_num_queries(4):
        evidence = evidence_for(interview_id=interview.pk)
    assert evidence["status"] == "done" and [s["number"] for s in evidence["steps"]] == [1, 2, 3, 4, 5, 6, 7]
    step_5 = evidence["by_number"][5]
    assert step_5["suggestion"]["level"] in (1, 2, 3, 4) and step_5["suggestion"]["name"]
    ndcg = next(i for i in step_5["items"] if i["concept"] == "ndcg")
    assert ndcg["link"] == f"#event-{event.pk}"
    assert ndcg["url"] == f"/interviews/{interview.pk}/review/#event-{event.pk}"
    assert ndcg["criterion"] == {"key": "offline-metrics", "title": "Picks offline metrics that fit the task"}
    monitoring = next(
        i for i in evidence["by_number"][7]["items"] if i["source"] == "board" and i["verdict"] == "found"
    )
    assert monitoring["url"] == f"/interviews/{interview.pk}/review/?seq={op.seq}#replay"
    missing = next(i for i in evidence["by_number"][4]["items"])
    assert missing["verdict"] == "missing" and missing["url"] == "" and missing["at"] is None
    assert evidence_for(interview_id=987654) is None
