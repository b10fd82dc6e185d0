"""The pure evidence finder over whole interviews: depth over mention, prompted answers, bare lists,
typos and speech, the signals behind each level, and labels on the board cited once, as they settled.

These compare sessions with each other (a prompted repeat against the same words unprompted) and
never depend on the development set's score."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from rubrics.evidence.finder import WRITTEN_ON_BOARD, CriterionSpec, Message, Op, StepSpec, StepStart, find_evidence

from ..elements import free_text

RUBRIC = yaml.safe_load((Path(__file__).resolve().parents[2] / "rubrics" / "content" / "rubric.yaml").read_text())
STEPS = [StepSpec(s["number"], s["key"], s["title"]) for s in RUBRIC["steps"]]
CRITERIA = [
    CriterionSpec(
        key=c["key"],
        step=s["number"],
        title=c["title"],
        weight=c["weight"],
        concepts=tuple(c["concepts"]),
        description=c["description"],
        levels=tuple(c["levels"][n] for n in (1, 2, 3, 4)),
    )
    for s in RUBRIC["steps"]
    for c in s["criteria"]
]
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
CANDIDATE_ID, INTERVIEWER_ID = 7, 8


def run(lines, *, step=5, ops=()):
    """`lines`: (role, text) or (role, text, source), all said during `step`, a minute apart."""
    messages = []
    for n, line in enumerate(lines, start=1):
        role, text, *source = line
        at = START + dt.timedelta(minutes=n)
        messages.append(Message(n, step, at, text, role=role, source=source[0] if source else "chat"))
    results = find_evidence(
        steps=STEPS,
        criteria=CRITERIA,
        expectations={},
        messages=messages,
        step_starts=[StepStart(step, START)],
        ops=list(ops),
        lanes=[],
        candidate_id=CANDIDATE_ID,
    )
    return {r.step: r for r in results}


ANSWER = (
    "PR-AUC offline, because with one positive in a thousand the ROC curve flatters the model; "
    "online the prevalence of harmful posts people see, in an A/B test on 5% of traffic, "
    "and I would check each language separately so an average win does not hide a loss."
)


def test_a_step_nobody_spoke_about_is_level_one_and_explains_nothing():
    result = run([("candidate", ANSWER)])[7]
    assert result.level == 1 and result.signals == []


def test_reasoned_answer_beats_a_bare_list_of_the_same_terms():
    reasoned = run([("candidate", ANSWER)])[5]
    listed = run([("candidate", "PR-AUC, ROC, prevalence, A/B test, slices.")])[5]
    assert reasoned.level > listed.level
    assert any(s.kind == "list" for s in listed.signals)
    assert not any(s.kind in ("trade-off", "failure", "numbers") for s in listed.signals)


def test_a_prompted_repeat_scores_lower_than_the_same_words_unprompted():
    answer = "PR-AUC offline since positives are rare, and prevalence online, with an A/B test on 5% of traffic."
    unprompted = run([("interviewer", "How would you evaluate it?"), ("candidate", answer)])[5]
    hint = "Would you use PR-AUC offline since positives are rare, and prevalence online with an A/B test?"
    prompted = run([("interviewer", hint), ("candidate", answer)])[5]
    assert unprompted.level >= 2 and prompted.level < unprompted.level
    hinted = next(s for s in prompted.signals if s.kind == "prompted" and s.at)
    assert hinted.at == START + dt.timedelta(minutes=2) and hinted.transcript_event_id == 2
    assert "prompted by the interviewer" in hinted.text and "10:02" in hinted.text


def test_the_interviewers_words_are_never_the_candidates_evidence():
    said = run([("interviewer", ANSWER), ("candidate", "Okay.")])[5]
    assert said.level == 1
    assert not [f for f in said.findings if f.verdict == "found"]


def test_facts_the_interviewer_gives_are_not_hints():
    question = ("candidate", "How many posts a day, and what latency do we have for the check?")
    facts = run([question, ("interviewer", "500 million posts a day, 200 ms."), ("candidate", ANSWER)])[5]
    plain = run([question, ("candidate", ANSWER)])[5]
    assert facts.level == plain.level
    assert not [s for s in facts.signals if s.kind == "prompted"]


def test_typos_do_not_hide_the_concepts():
    clean = run([("candidate", "We need low latency and a latency budget, and privacy under GDPR.")], step=1)[1]
    typed = run([("candidate", "We need low latancy and a latancy budjet, and privasy under GDPR.")], step=1)[1]
    concepts = {f.concept for f in clean.findings if f.verdict == "found"}
    assert concepts <= {f.concept for f in typed.findings if f.verdict == "found"}
    assert typed.level == clean.level


def test_speech_scores_like_the_same_words_in_chat():
    spoken = (
        "so um for offline I'd use uh PR AUC because with one positive in a thousand the ROC curve you know "
        "flatters the model and online the prevalence of harmful posts people see in an A B test on five percent "
        "of traffic and I'd check each language separately so an average win does not hide a loss"
    )
    speech = run([("candidate", spoken, "speech")])[5]
    chat = run([("candidate", ANSWER)])[5]
    assert abs(speech.level - chat.level) <= 1 and speech.level >= 3


def test_each_level_lists_the_signals_that_set_it_with_their_moment():
    result = run([("candidate", ANSWER)])[5]
    kinds = {s.kind for s in result.signals}
    assert {"numbers", "failure"} <= kinds
    for signal in result.signals:
        if signal.kind in ("numbers", "failure"):
            assert signal.at == START + dt.timedelta(minutes=1) and signal.transcript_event_id == 1
            assert signal.text.startswith(signal.label + " at 10:01")
    assert "numbers given" in result.summary


def typed(element_id, label, *, start, every=dt.timedelta(milliseconds=200), first_seq=1):
    """The ops of a label typed one letter at a time."""
    ops = []
    for n in range(1, len(label) + 1):
        element = free_text(element_id, label[:n], x=100, y=600, version=n)
        ops.append(Op(first_seq + n - 1, start + every * (n - 1), CANDIDATE_ID, [element]))
    return ops


def board_items(result):
    return [f for f in result.findings if f.text.startswith(WRITTEN_ON_BOARD)]


def test_a_label_typed_letter_by_letter_is_cited_once_as_it_settled():
    ops = typed("note", "Features: pipeline and embeddings", start=START + dt.timedelta(seconds=30))
    results = run([], step=2, ops=ops)
    items = [f for r in results.values() for f in board_items(r)]
    assert items, "the label names concepts"
    assert {f.text for f in items} == {f"{WRITTEN_ON_BOARD}“Features: pipeline and embeddings”"}
    assert {f.board_seq for f in items} == {ops[-1].seq}
    assert {f.at for f in items} == {ops[-1].at}
    seen = [(f.criterion, f.concept) for f in items]
    assert len(seen) == len(set(seen))  # each concept of each criterion once


def test_a_label_extended_after_a_pause_keeps_its_first_citation():
    first = typed("note", "Metrics: nDCG", start=START)
    later = START + dt.timedelta(minutes=3)
    extended = [Op(100, later, CANDIDATE_ID, [free_text("note", "Metrics: nDCG, MRR", x=100, y=600, version=50)])]
    items = {f.concept: f for f in board_items(run([], ops=[*first, *extended])[5])}
    assert items["ndcg"].board_seq == first[-1].seq and items["ndcg"].text.endswith("“Metrics: nDCG”")
    assert items["mrr"].board_seq == 100 and items["mrr"].text.endswith("“Metrics: nDCG, MRR”")


@pytest.mark.parametrize("gap", [dt.timedelta(seconds=1), dt.timedelta(minutes=2)])
def test_a_concept_erased_from_a_label_is_not_cited(gap):
    ops = [
        Op(1, START, CANDIDATE_ID, [free_text("note", "Metrics: nDCG, MRR", x=100, y=600, version=1)]),
        Op(2, START + gap, CANDIDATE_ID, [free_text("note", "Metrics: MRR", x=100, y=600, version=2)]),
    ]
    items = {f.concept: f for f in board_items(run([], ops=ops)[5])}
    assert set(items) == {"mrr"}
