"""Exports of one review: Markdown and PDF per reader, the board as SVG and PNG, and who may download them."""

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from interview.models import TranscriptEvent
from interview.services import interview_end, interview_post_message, interview_schedule, interview_set_step
from review.exports import review_export_for, review_markdown
from review.models import (
    CriterionCheck,
    Evidence,
    EvidenceReport,
    InterviewerNote,
    SelfAssessment,
    SelfStepScore,
    StepSuggestion,
)
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from rubrics.models import Criterion
from whiteboard.render import board_png, board_svg
from whiteboard.services import board_write_unchecked

from .. import elements

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
PRIVATE = "Hesitated on metrics, nudged twice"
AT = dt.datetime(2025, 3, 4, 14, 0, 5, tzinfo=dt.UTC)  # 15:00:05 in Paris, 09:00:05 in New York
EXPORTS = ["interview_export_md", "interview_export_pdf", "interview_board_svg", "interview_board_png"]


def element(element_id, kind, x, y, width=180.0, height=80.0, **extra):
    return elements.element(element_id, kind, x=x, y=y, width=width, height=height, nonce=7, **extra)


def label(element_id, container, text):
    """Text bound to `container`; Excalidraw keeps its box inside the container's."""
    x, y = container["x"] + 10, container["y"] + container["height"] / 2 - 12
    return element(
        element_id, "text", x, y, 100, 25, text=text, originalText=text, fontSize=20, containerId=container["id"]
    )


STORE = element("store", "rectangle", 100, 100, backgroundColor="#a5d8ff", boundElements=[{"type": "text", "id": "t1"}])
RANK = element(
    "rank", "ellipse", 1300, 100, 220, 100, strokeColor="#2f9e44", boundElements=[{"type": "text", "id": "t2"}]
)
GATE = element("gate", "diamond", 1300, 400, 260, 160, angle=0.4, boundElements=[{"type": "text", "id": "t3"}])


BOARD = [
    STORE,
    label("t1", STORE, "Feature store"),
    RANK,
    label("t2", RANK, "Ranking"),
    GATE,
    label("t3", GATE, "<script>alert(1)</script>"),
    element(
        "feed",
        "arrow",
        280,
        140,
        1020,
        10,
        points=[[0, 0], [1020, 10]],
        startBinding={"elementId": "store"},
        endBinding={"elementId": "rank"},
        endArrowhead="arrow",
    ),
    element("note", "text", 1100, 650, 300, 30, text="Logs flow back to training", fontSize=20),
]


def put_board(interview):
    board_write_unchecked(board_id=interview.board_id, op_id="draw-1", elements=BOARD)


@pytest.fixture
def reviewed(interview, interviewer, candidate):
    """A finished interview: transcript, board, a draft scorecard with ticks, private notes,
    evidence and a self-assessment."""
    interview_post_message(interview=interview, user=candidate, text="What is the business goal?")
    interview_set_step(interview=interview, user=interviewer, step=5)
    said = interview_post_message(interview=interview, user=candidate, text="I would track nDCG offline.")
    put_board(interview)
    interview = interview_end(interview=interview, user=interviewer)
    # a minute apart, the nDCG message at AT
    events = list(TranscriptEvent.objects.filter(interview=interview).order_by("id"))
    assert events[2].pk == said.pk
    for index, event in enumerate(events):
        TranscriptEvent.objects.filter(pk=event.pk).update(created_at=AT + dt.timedelta(minutes=index - 2))

    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    steps = {n: {"level": 3, "notes": f"notes for step {n}"} for n in range(1, 8)}
    steps[5] = {"level": 2, "notes": "Named nDCG but no online metric."}
    scorecard_update(scorecard=scorecard, steps=steps, recommendation="yes", summary="Solid design overall.")
    evaluation = interview.rubric.steps.get(number=5)
    offline = Criterion.objects.get(step=evaluation, key="offline-metrics")
    online = Criterion.objects.get(step=evaluation, key="online-metrics")
    CriterionCheck.objects.create(scorecard=scorecard, criterion=offline, met=True)
    CriterionCheck.objects.create(scorecard=scorecard, criterion=online, met=False)
    InterviewerNote.objects.create(scorecard=scorecard, step=evaluation, author=interviewer, text=PRIVATE)

    # ending the interview queued the evidence finder; stand in for it with known findings
    report, _ = EvidenceReport.objects.update_or_create(
        interview=interview,
        defaults={"rubric": interview.rubric, "status": EvidenceReport.Status.DONE, "finished_at": timezone.now()},
    )
    StepSuggestion.objects.create(report=report, step=evaluation, level=3, summary="Offline metric named")
    Evidence.objects.create(
        report=report,
        step=evaluation,
        criterion=offline,
        source=Evidence.Source.TRANSCRIPT,
        concept="nDCG",
        text="I would track nDCG offline.",
        at=AT,
        transcript_event_id=said.pk,
    )
    assessment = SelfAssessment.objects.create(
        interview=interview, author=candidate, rubric=interview.rubric, summary="I rushed the metrics."
    )
    SelfStepScore.objects.create(assessment=assessment, step=evaluation, level=1, notes="Forgot online metrics")
    return interview


def submit(interview):
    scorecard_submit(scorecard=interview.scorecard)


def get(client, name, interview):
    return client.get(reverse(name, args=[interview.pk]))


def markdown_for(client_for, user, interview) -> str:
    response = get(client_for(user), "interview_export_md", interview)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    return response.content.decode()


def parse_svg(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 (our own output, made with ElementTree)


def pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


class TestMarkdown:
    def test_interviewer_gets_everything_with_private_notes_marked(self, client_for, reviewed, interviewer):
        text = markdown_for(client_for, interviewer, reviewed)
        assert text.startswith(f"# Review: {reviewed.problem.title}\n")
        assert "- **Interviewer:** Ivy Interviewer" in text and "- **Candidate:** Cal Candidate" in text
        assert "@example.com" not in text  # public names, never emails
        assert "## Problem" in text and reviewed.problem.prompt.split()[0] in text
        assert "**Overall recommendation:** Yes (draft: not submitted yet)" in text
        assert "### 5. Evaluation (offline and online metrics): 2 · Developing" in text
        assert "- **Criteria met:** Picks offline metrics that fit the task" in text
        assert "- **Not met:** Picks online metrics tied to the business\n" in text
        assert "- **Not ticked:** Validates in production with experiments; Checks fairness" in text
        assert "- **Notes:** Named nDCG but no online metric." in text
        assert "- **Suggested level:** 3 · Solid (Offline metric named)" in text
        link = f"http://testserver/interviews/{reviewed.pk}/review/#event-"
        assert "Transcript, 15:00:05, found (nDCG): I would track nDCG offline." in text and link in text
        assert "**Private notes (interviewer only, never shown to the candidate):**" in text
        assert PRIVATE in text and "interviewer's copy" in text
        # the candidate's self-assessment reaches the interviewer once their own scorecard is in
        assert "## Self-assessment" not in text

    def test_candidate_before_submission_gets_no_scores(self, client_for, reviewed, candidate):
        text = markdown_for(client_for, candidate, reviewed)
        assert "_Scores appear once Ivy Interviewer submits the scorecard._" in text
        for secret in (PRIVATE, "Private notes", "Overall recommendation", "Named nDCG", "notes for step", "Suggested"):
            assert secret not in text
        assert "Criteria met" not in text and "Developing" not in text
        # their own self-assessment and the whole transcript are theirs to keep
        assert "## Self-assessment" in text and "I rushed the metrics." in text
        assert "- **5. Evaluation (offline and online metrics):** 1 · Not yet. Forgot online metrics" in text
        assert "## Transcript" in text and "**Cal Candidate:** What is the business goal?" in text

    def test_candidate_after_submission_gets_scores_but_never_private_notes(self, client_for, reviewed, candidate):
        submit(reviewed)
        text = markdown_for(client_for, candidate, reviewed)
        assert "**Overall recommendation:** Yes\n" in text and "Solid design overall." in text
        assert "### 5. Evaluation (offline and online metrics): 2 · Developing" in text
        assert "- **Criteria met:** Picks offline metrics that fit the task" in text
        assert "- **Suggested level:** 3 · Solid" in text and "- **Candidate's own level:** 1 · Not yet" in text
        assert PRIVATE not in text and "Private notes" not in text and "interviewer's copy" not in text

    def test_transcript_is_grouped_by_step_in_the_readers_time_zone(self, client_for, reviewed, interviewer, candidate):
        mine = markdown_for(client_for, candidate, reviewed)
        theirs = markdown_for(client_for, interviewer, reviewed)
        transcript = mine.split("## Transcript")[1]
        step1 = transcript.split("### 1. ")[1].split("###")[0]
        step5 = transcript.split("### 5. ")[1]
        assert "What is the business goal?" in step1 and "nDCG" not in step1
        assert "- 09:00:05 **Cal Candidate:** I would track nDCG offline." in step5
        assert "_Step 5: Evaluation (offline and online metrics)_" in step5
        assert "- 15:00:05 **Cal Candidate:** I would track nDCG offline." in theirs
        assert "(times in America/New_York)" in mine and "(times in Europe/Paris)" in theirs

    def test_shared_readers_get_the_candidates_version(self, reviewed):
        before = review_markdown(review_export_for(interview=reviewed, audience="shared"))
        assert "Scores appear once" in before and "## Self-assessment" not in before and PRIVATE not in before
        submit(reviewed)
        after = review_markdown(review_export_for(interview=reviewed, audience="shared"))
        assert "2 · Developing" in after and "I rushed the metrics." in after and PRIVATE not in after
        assert "[jump to it]" not in after  # no address to point at without a review page link

    def test_interviewer_before_scoring(self, client_for, interview, interviewer):
        text = markdown_for(client_for, interviewer, interview)
        assert "_Not scored yet._" in text and "Nothing was said." in text and "### 1." not in text

    def test_user_text_cannot_inject_markdown_or_html(self, client_for, interview, candidate):
        interview_post_message(
            interview=interview, user=candidate, text="<img src=x onerror=alert(1)> [x](javascript:1)"
        )
        interview_post_message(interview=interview, user=candidate, text="line one\n# not a heading")
        text = markdown_for(client_for, candidate, interview)
        assert not re.search(r"(?<!\\)<img", text) and "\\<img src=x onerror=alert(1)\\>" in text
        assert "\\[x\\](javascript:1)" in text
        assert "line one  \n  \\# not a heading" in text

    def test_download_names(self, client_for, reviewed, candidate):
        response = get(client_for(candidate), "interview_export_md", reviewed)
        day = timezone.localtime(reviewed.scheduled_at, zoneinfo.ZoneInfo("America/New_York")).date()
        assert response["Content-Disposition"] == (
            f'attachment; filename="mocklane-video-recommendation-{day:%Y-%m-%d}-review.md"'
        )
        assert response["Cache-Control"] == "private, no-store"


class TestPdf:
    def test_interviewer_pdf_reads_back(self, client_for, reviewed, interviewer):
        text = pdf_text(get(client_for(interviewer), "interview_export_pdf", reviewed))
        assert f"Review: {reviewed.problem.title}" in text
        for step in ("1. Clarify requirements and business goal", "5. Evaluation (offline and online metrics)"):
            assert step in text
        assert "2 · Developing" in text and "Picks offline metrics that fit the task" in text
        assert "Cal Candidate: I would track nDCG offline." in text and "15:00:05" in text
        assert PRIVATE in text and "Private note (interviewer only)" in text

    def test_candidate_pdf_has_no_private_notes(self, client_for, reviewed, candidate):
        before = pdf_text(get(client_for(candidate), "interview_export_pdf", reviewed))
        assert "Scores appear once Ivy Interviewer submits the scorecard." in before
        assert "Developing" not in before and "Named nDCG" not in before and PRIVATE not in before
        submit(reviewed)
        after = pdf_text(get(client_for(candidate), "interview_export_pdf", reviewed))
        assert f"Review: {reviewed.problem.title}" in after and "2 · Developing" in after
        assert "Cal Candidate: What is the business goal?" in after and "09:00:05" in after
        assert PRIVATE not in after and "Private note" not in after

    def test_text_beyond_latin_1(self, client_for, interview, candidate):
        interview_post_message(interview=interview, user=candidate, text="Recall@k ≥ 0.8 → déjà vu, Ωmega")
        interview_post_message(interview=interview, user=candidate, text="tab\there, a rocket 🚀 and a \x07 bell")
        text = pdf_text(get(client_for(candidate), "interview_export_pdf", interview))
        assert "Recall@k ≥ 0.8 → déjà vu, Ωmega" in text and "tab    here, a rocket" in text


class TestBoardSvg:
    def parse(self, response) -> ET.Element:
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert "script-src" not in response["Content-Security-Policy"]
        assert response["Content-Security-Policy"].startswith("default-src 'none'")
        return parse_svg(response.content)

    def test_lanes_components_and_arrows(self, client_for, reviewed, candidate):
        root = self.parse(get(client_for(candidate), "interview_board_svg", reviewed))
        groups = {g.get("data-id"): g for g in root.iter(f"{SVG}g")}
        lanes = [g for g in groups.values() if g.get("class") == "element frame"]
        assert [g.find(f"{SVG}title").text for g in lanes] == ["Offline - training pipeline", "Online - inference path"]
        labels = {
            "".join(g.find(f"{SVG}text").itertext()): g.get("data-lane")
            for g in groups.values()
            if g.get("class") == "element text"
        }
        assert labels["Feature store"] == "offline" and labels["Ranking"] == "online"
        assert groups["store"].find(f"{SVG}rect").get("fill") == "#a5d8ff"
        assert groups["rank"].find(f"{SVG}ellipse").get("stroke") == "#2f9e44"
        assert groups["gate"].get("transform").startswith("rotate(22.92 ")
        line, head = groups["feed"].findall(f"{SVG}polyline")
        assert line.get("points") == "280,140 1300,150" and len(head.get("points").split()) == 3
        view = [float(v) for v in root.get("viewBox").split()]
        assert view[0] < 0 and view[2] > 2000  # both lanes, with a margin

    def test_user_text_is_escaped(self, client_for, reviewed, interviewer):
        response = get(client_for(interviewer), "interview_board_svg", reviewed)
        assert b"<script" not in response.content and b"&lt;script&gt;" in response.content
        root = self.parse(response)
        assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
        gate = next(g for g in root.iter(f"{SVG}g") if g.get("data-id") == "t3")
        assert gate.find(f"{SVG}title").text == "<script>alert(1)</script>"

    def test_hostile_colours_never_reach_the_output(self):
        hostile = element("x", "rectangle", 0, 0, strokeColor='red" onload="alert(1)', backgroundColor="url(#evil)")
        root = parse_svg(board_svg([hostile], title="t"))
        rect = root.find(f"{SVG}g/{SVG}rect")
        assert rect.get("stroke") == "#1e1e1e" and rect.get("fill") == "none"
        assert "onload" not in ET.tostring(root, encoding="unicode")

    def test_characters_xml_cannot_carry_are_dropped(self):
        text = element("t", "text", 0, 0, 100, 25, text="ok\x00 \x1b[31mred\ud800", fontSize=20)
        root = parse_svg(board_svg([text], title="a\x0bb"))
        assert root.find(f"{SVG}title").text == "ab"
        assert "".join(root.find(f"{SVG}g/{SVG}text").itertext()) == "ok [31mred"

    def test_deleted_elements_are_not_drawn(self, client_for, reviewed, interviewer):
        board_write_unchecked(
            board_id=reviewed.board_id,
            op_id="erase",
            elements=[{**BOARD[0], "version": 2, "isDeleted": True}, {**BOARD[1], "version": 2, "isDeleted": True}],
        )
        root = self.parse(get(client_for(interviewer), "interview_board_svg", reviewed))
        assert "store" not in {g.get("data-id") for g in root.iter(f"{SVG}g")}
        assert "Feature store" not in ET.tostring(root, encoding="unicode")


class TestBoardPng:
    def test_picture_of_the_board(self, client_for, reviewed, candidate):
        response = get(client_for(candidate), "interview_board_png", reviewed)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].endswith('-board.png"')
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "PNG" and max(image.size) == 4000  # two 960-wide lanes at up to 2x, capped
        assert image.size[0] > image.size[1] > 1000
        small = image.convert("RGB").resize((400, 400 * image.size[1] // image.size[0]))
        colours = small.getcolors(maxcolors=400 * 400)
        painted = sum(count for count, rgb in colours if rgb != (255, 255, 255))
        assert painted > 1000
        # the feature store's fill shows where the rectangle is
        assert any(abs(r - 0xA5) < 12 and abs(g - 0xD8) < 12 and b > 240 for _, (r, g, b) in colours)

    def test_size_is_capped_and_an_empty_board_still_draws(self):
        wide = [element("far", "rectangle", 0, 0, 50000, 100)]
        assert max(Image.open(io.BytesIO(board_png(wide))).size) == 4000
        assert Image.open(io.BytesIO(board_png([]))).size == (800, 400)


class TestAccess:
    @pytest.mark.parametrize("name", EXPORTS)
    @pytest.mark.parametrize(("who", "status"), [("interviewer", 200), ("candidate", 200), ("outsider", 404)])
    def test_people(self, request, client_for, interview, name, who, status):
        put_board(interview)
        assert get(client_for(request.getfixturevalue(who)), name, interview).status_code == status

    @pytest.mark.parametrize("name", EXPORTS)
    def test_anonymous_is_sent_to_login(self, client, interview, name):
        response = get(client, name, interview)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))

    @pytest.mark.parametrize("name", EXPORTS)
    def test_unknown_interview(self, client_for, interviewer, name):
        assert client_for(interviewer).get(reverse(name, args=[424242])).status_code == 404

    @pytest.mark.parametrize("name", EXPORTS)
    def test_candidate_waits_for_the_room_like_on_the_review_page(
        self, client_for, problem, interviewer, candidate, name
    ):
        later = interview_schedule(
            created_by=candidate,
            problem_id=problem.pk,
            scheduled_at=timezone.now() + dt.timedelta(days=2),
            peer=interviewer.username,
            my_role="interviewer",
        )
        # cal interviews ivy here and picked the problem; ivy, the candidate, meets it in the room
        assert get(client_for(candidate), name, later).status_code == 200
        assert get(client_for(interviewer), name, later).status_code == 403
