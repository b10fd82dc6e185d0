"""Who sees what in a review, checked once for every reader and every state: the rule's own table,
and the review page, the Markdown and PDF exports, the board exports and the APIs against it."""

import io
from dataclasses import fields

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from interview.services import interview_end, interview_post_message
from review.exports import review_export_for, review_markdown
from review.models import (
    CriterionCheck,
    Evidence,
    EvidenceReport,
    InterviewerFeedback,
    InterviewerNote,
    ReviewShare,
    SelfAssessment,
    SelfStepScore,
    StepSuggestion,
)
from review.selectors import ReviewVisibility, review_visibility
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from review.services.sharing import new_share_token
from rubrics.models import Criterion, RubricStep
from whiteboard.services import board_write_unchecked

from ..elements import rectangle

pytestmark = pytest.mark.django_db

AUDIENCES = ["interviewer", "candidate", "shared", "outsider"]
STATES = ["live", "ended", "submitted"]

# One marker per part of the review, short enough that a PDF line never breaks it.
SAID = "Which business goal matters most"
SCORES = "Overall the design held up"
PRIVATE = "Private nudge on metrics"
SUGGESTION = "Goal named early"
SELF = "I should have asked sooner"
FEEDBACK = "Hints came at the right moment"

BEFORE = {"review", "transcript"}
EVERYTHING_SCORED = {"scores", "criterion_ticks", "evidence"}
# What each reader may see, before the scorecard is submitted (live, ended) and after. A share's
# holder hears the audio only on a link made with share_audio (tests/review/test_speech_review.py).
TABLE = {
    ("interviewer", False): BEFORE | EVERYTHING_SCORED | {"private_notes", "exports", "audio"},
    ("interviewer", True): BEFORE | EVERYTHING_SCORED | {"private_notes", "exports", "self_assessment", "audio"},
    ("candidate", False): BEFORE | {"self_assessment", "share_controls", "exports", "audio"},
    ("candidate", True): BEFORE | EVERYTHING_SCORED | {"self_assessment", "share_controls", "exports", "audio"},
    ("shared", False): BEFORE,
    ("shared", True): BEFORE | EVERYTHING_SCORED | {"self_assessment"},
    ("outsider", False): set(),
    ("outsider", True): set(),
}
PARTS = [f.name for f in fields(ReviewVisibility) if f.name != "submitted"]

# Where each part shows on the page and in the Markdown and PDF exports; "review" is the status code.
PAGE = {
    "transcript": SAID,
    "scores": SCORES,
    "criterion_ticks": 'data-criterion="',
    "evidence": SUGGESTION,
    "self_assessment": SELF,
    "private_notes": PRIVATE,
    "share_controls": 'id="sharing"',
    "exports": 'id="exports"',
    "interviewer_feedback": FEEDBACK,
    "audio": '"audio": {"chunks"',  # the recording's player config (no chunks were recorded here)
}
EXPORTED = {
    "transcript": SAID,
    "scores": SCORES,
    "criterion_ticks": "Criteria met",
    "evidence": SUGGESTION,
    "self_assessment": SELF,
    "private_notes": PRIVATE,
}
REVIEW_EXPORTS = ["interview_export_md", "interview_export_pdf"]
BOARD_EXPORTS = ["interview_board_svg", "interview_board_png"]


def expected(audience: str, state: str) -> set[str]:
    seen = set(TABLE[(audience, state == "submitted")])
    # The candidate's rating of the interviewer exists once the interview has ended; the
    # interviewer reads it only after submitting their scorecard; nobody else ever does.
    if (audience == "candidate" and state != "live") or (audience == "interviewer" and state == "submitted"):
        seen.add("interviewer_feedback")
    return seen


@pytest.fixture(params=STATES)
def state(request):
    return request.param


@pytest.fixture
def review(interview, interviewer, candidate, state):
    """One interview in `state` with every part of a review present: transcript and board, a
    scorecard with a tick and step notes, a private note, evidence, a self-assessment, a share link."""
    said = interview_post_message(interview=interview, user=candidate, text=SAID)
    board_write_unchecked(board_id=interview.board_id, op_id="draw-1", elements=[rectangle("ingest", x=100.0, y=100.0)])
    if state != "live":
        interview = interview_end(interview=interview, user=interviewer)
    steps = {step.number: step for step in RubricStep.objects.filter(rubric=interview.rubric)}
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    scorecard_update(
        scorecard=scorecard,
        steps={n: {"level": 3, "notes": ""} for n in steps},
        recommendation="yes",
        summary=SCORES,
    )
    CriterionCheck.objects.create(
        scorecard=scorecard, criterion=Criterion.objects.filter(step=steps[1]).first(), met=True
    )
    InterviewerNote.objects.create(scorecard=scorecard, step=steps[1], author=interviewer, text=PRIVATE)
    report, _ = EvidenceReport.objects.update_or_create(
        interview=interview,
        defaults={"rubric": interview.rubric, "status": EvidenceReport.Status.DONE, "finished_at": timezone.now()},
    )
    StepSuggestion.objects.filter(report=report).delete()
    StepSuggestion.objects.create(report=report, step=steps[1], level=2, summary=SUGGESTION)
    Evidence.objects.create(
        report=report,
        step=steps[1],
        source=Evidence.Source.TRANSCRIPT,
        concept="business goal",
        text=SAID,
        at=said.created_at,
        transcript_event_id=said.pk,
    )
    assessment = SelfAssessment.objects.create(
        interview=interview, author=candidate, rubric=interview.rubric, summary=SELF
    )
    SelfStepScore.objects.create(assessment=assessment, step=steps[1], level=2, notes="")
    share = ReviewShare.objects.create(interview=interview, created_by=candidate, token=new_share_token())
    InterviewerFeedback.objects.create(
        interview=interview,
        author=candidate,
        interviewer=interviewer,
        **dict.fromkeys(InterviewerFeedback.RATINGS, 4),
        would_practise_again=True,
        note=FEEDBACK,
    )
    if state == "submitted":
        scorecard_submit(scorecard=scorecard)
    interview.refresh_from_db()
    return interview, share


def reader(request, audience: str):
    """The logged-in user for an audience; a share reader is anonymous, the link is the key."""
    return None if audience == "shared" else request.getfixturevalue(audience)


def seen(text: str, markers: dict[str, str]) -> set[str]:
    return {part for part, marker in markers.items() if marker in text}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def role(audience: str) -> str | None:
    return None if audience == "outsider" else audience


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_rule(review, state, audience):
    interview, _ = review
    visible = review_visibility(interview=interview, audience=role(audience))
    assert {part for part in PARTS if getattr(visible, part)} == expected(audience, state)
    assert visible.submitted == (state == "submitted" and audience != "outsider")


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_review_page(request, client_for, review, state, audience):
    interview, share = review
    if audience == "shared":
        response = client_for(None).get(reverse("shared_review", args=[share.token]))
    else:
        response = client_for(reader(request, audience)).get(reverse("interview_review", args=[interview.pk]))
    if audience == "outsider":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert seen(response.content.decode(), PAGE) == expected(audience, state) - {"review"}


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_markdown_and_pdf_exports(request, client_for, review, state, audience):
    interview, _ = review
    want = expected(audience, state)
    client = client_for(reader(request, audience))
    for name in REVIEW_EXPORTS:
        response = client.get(reverse(name, args=[interview.pk]))
        if "exports" not in want:
            # Share readers (not signed in) have no export to download: the page offers none, the
            # link sends them to log in. Outsiders are told what a missing id is told.
            assert response.status_code == (404 if audience == "outsider" else 302), name
            continue
        assert response.status_code == 200, name
        text = response.content.decode() if name.endswith("_md") else pdf_text(response.content)
        assert seen(text, EXPORTED) == want & set(EXPORTED), name
    if audience == "shared":
        # What an export gathered for a share reader would hold is still their slice of the table.
        text = review_markdown(review_export_for(interview=interview, audience="shared"))
        assert seen(text, EXPORTED) == want & set(EXPORTED)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_board_exports(request, client_for, review, state, audience):
    interview, _ = review
    client = client_for(reader(request, audience))
    for name in BOARD_EXPORTS:
        status = client.get(reverse(name, args=[interview.pk])).status_code
        if "exports" in expected(audience, state):
            assert status == 200, name
        else:
            assert status == (404 if audience == "outsider" else 302), name


@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_apis(request, api_for, review, state, audience):
    interview, share = review
    want = expected(audience, state)
    if audience == "shared":
        # A share link opens the board history and nothing else.
        client = api_for(None)
        assert client.get(reverse("api_shared_board_history", args=[share.token])).status_code == 200
        for name in ("api_scorecard", "api_interview_evidence", "api_interview_panel"):
            assert client.get(reverse(name, args=[interview.pk])).status_code in (401, 403), name
        return
    client = api_for(reader(request, audience))

    def status(name):
        return client.get(reverse(name, args=[interview.pk])).status_code

    if audience == "outsider":
        for name in (
            "api_interview_board_history",
            "api_scorecard",
            "api_interview_evidence",
            "api_interview_panel",
            "api_interviewer_feedback",
        ):
            assert status(name) == 404, name
        return
    assert status("api_interview_board_history") == (200 if "transcript" in want else 404)
    scorecard = client.get(reverse("api_scorecard", args=[interview.pk]))
    assert scorecard.status_code == (200 if "scores" in want else 404)
    if "scores" in want:
        assert scorecard.json()["summary"] == SCORES
    evidence = client.get(reverse("api_interview_evidence", args=[interview.pk]))
    assert evidence.status_code == (200 if "evidence" in want else 404)
    if "evidence" in want:
        assert SUGGESTION in evidence.content.decode()
    feedback = client.get(reverse("api_interviewer_feedback", args=[interview.pk]))
    assert feedback.status_code == (200 if "interviewer_feedback" in want else 404)
    assert (FEEDBACK in feedback.content.decode()) == ("interviewer_feedback" in want)
    panel = client.get(reverse("api_interview_panel", args=[interview.pk]))
    assert panel.status_code == (200 if "private_notes" in want else 403)
    assert (PRIVATE in panel.content.decode()) == ("private_notes" in want)
