"""The review page per reader: what the interviewer, the candidate and a share-link reader each see,
the timeline's anchors and board seqs, scores beside evidence and the self-assessment, and the board
history API the replay reads."""

import datetime as dt
import json
import re
from html.parser import HTMLParser
from itertools import accumulate

import pytest
import yaml
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from review.models import Evidence, EvidenceReport, StepSuggestion
from review.selectors.timeline import OpClock, elapsed_label
from review.services.self_assessment import self_assessment_save
from review.services.sharing import review_share_create, review_share_revoke
from rubrics.models import Criterion, RubricStep

from .review_data import DRAFT_NOTES, PRIVATE_NOTE, SECOND_NOTE, SUBMITTED_NOTES, build_finished, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(interview, interviewer, candidate):
    return build_finished(interview, interviewer, candidate)


class Elements(HTMLParser):
    """Every element's attributes, and the text of <script type="application/json"> blocks."""

    def __init__(self):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.json_blocks: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = {"tag": tag, **attrs}
        self._in_json = tag == "script" and attrs.get("type") == "application/json"

    def handle_endtag(self, tag):
        self._in_json = False

    def handle_data(self, data):
        if self._in_json:
            self.json_blocks.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def review_url(interview):
    return reverse("interview_review", args=[interview.pk])


def page_for(client_for, user, interview) -> str:
    response = client_for(user).get(review_url(interview))
    assert response.status_code == 200
    return response.content.decode()


def history(client, url, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def api_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# -- who sees what ------------------------------------------------------------------------------


def test_interviewer_sees_private_notes_in_the_timeline_and_draft_scores(client_for, finished, interviewer):
    html = page_for(client_for, interviewer, finished.interview)
    assert PRIVATE_NOTE in html and SECOND_NOTE in html
    note = finished.notes[0]
    attrs = parse(html).by_id[f"note-{note.pk}"]
    assert attrs["data-seq"] == "2" and "kind-note" in attrs["class"]
    # the note sits in the band of step 2, between the chat line and the move to step 3
    band = html.split('id="step-2"')[1].split("</article>")[0]
    assert band.index("How would you frame it") < band.index(PRIVATE_NOTE)
    assert DRAFT_NOTES in html and "Draft · only you can see it" in html
    assert 'data-criterion="business-objective"' in html  # ticks are the interviewer's own working notes


def test_candidate_never_sees_private_notes_nor_the_draft(client_for, finished, candidate):
    html = page_for(client_for, candidate, finished.interview)
    for secret in (PRIVATE_NOTE, SECOND_NOTE, DRAFT_NOTES, "Draft summary", "Private note"):
        assert secret not in html
    assert 'id="scores-hidden"' in html
    assert not any(key.startswith("note-") for key in parse(html).by_id)
    assert 'data-criterion="' not in html  # ticks stay hidden until the scorecard is submitted
    for block in parse(html).json_blocks:
        assert PRIVATE_NOTE not in block and SECOND_NOTE not in block
        json.loads(block)  # and each block is JSON


def test_after_submission_the_candidate_sees_scores_and_criteria_met_but_never_notes(client_for, finished, candidate):
    submit(finished)
    html = page_for(client_for, candidate, finished.interview)
    assert 'id="scores-hidden"' not in html
    assert SUBMITTED_NOTES in html and "Good separation of the offline and online paths." in html
    assert "3 · Solid" in html
    met = html.split('data-criterion="business-objective"')[1].split("</li>")[0]
    assert "(met)" in met
    not_met = html.split('data-criterion="ml-objective"')[1].split("</li>")[0]
    assert "(not met)" in not_met
    assert PRIVATE_NOTE not in html and SECOND_NOTE not in html
    for block in parse(html).json_blocks:
        assert PRIVATE_NOTE not in block


def test_no_email_address_on_the_page(client_for, finished, interviewer, candidate):
    for user in (interviewer, candidate):
        html = page_for(client_for, user, finished.interview)
        assert "ivy@example.com" not in html and "cal@example.com" not in html


def test_outsider_is_refused_and_anonymous_sent_to_login(client_for, finished, outsider):
    assert client_for(outsider).get(review_url(finished.interview)).status_code == 404
    response = client_for(None).get(review_url(finished.interview))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# -- timeline ------------------------------------------------------------------------------------


def test_every_transcript_line_has_an_anchor_the_moment_and_the_board_seq(client_for, finished, interviewer):
    elements = parse(page_for(client_for, interviewer, finished.interview)).by_id
    for name, event in finished.events.items():
        attrs = elements[f"event-{event.pk}"]
        assert attrs["tag"] == "li"
        assert attrs["data-seq"] == str(finished.expected_seq[name]), name
        assert dt.datetime.fromisoformat(attrs["data-at"]) == event.created_at
        assert attrs["tabindex"] == "0"


def test_timeline_is_cut_into_coloured_step_bands(client_for, finished, candidate):
    html = page_for(client_for, candidate, finished.interview)
    elements = parse(html).by_id
    assert [key for key in elements if re.fullmatch(r"step-\d+(-\d+)?", key)] == ["step-1", "step-2", "step-3"]
    assert "step-c2" in elements["step-2"]["class"] and elements["step-2"]["data-seq"] == "1"
    band3 = html.split('id="step-3"')[1].split("</article>")[0]
    assert "Step 3: Data pipeline and features" in band3 and "feature store" in band3
    assert "What is the business goal" not in band3
    # the link on each line's time is its own anchor
    goal = finished.events["goal"]
    assert f'href="#event-{goal.pk}"' in html


def test_a_step_visited_twice_gets_a_second_band(client_for, interview, interviewer, candidate):
    from interview.services import interview_post_message, interview_set_step

    interview_set_step(interview=interview, user=interviewer, step=2)
    interview_set_step(interview=interview, user=interviewer, step=1)
    interview_post_message(interview=interview, user=candidate, text="Back to the requirements")
    html = page_for(client_for, candidate, interview)
    ids = [key for key in parse(html).by_id if key.startswith("step-")]
    assert ids == ["step-2", "step-1"]
    interview_set_step(interview=interview, user=interviewer, step=2)
    ids = [key for key in parse(page_for(client_for, candidate, interview)).by_id if key.startswith("step-")]
    assert ids == ["step-2", "step-1", "step-2-2"]


def test_the_island_config_points_the_replay_at_the_history(client_for, finished, candidate):
    html = page_for(client_for, candidate, finished.interview)
    [config] = [json.loads(b) for b in parse(html).json_blocks if '"mode"' in b]
    assert config["mode"] == "review"
    assert config["replay"]["history_url"] == reverse("api_interview_board_history", args=[finished.interview.pk])
    assert config["board"]["seq"] == 5
    assert sorted(e["id"] for e in config["board"]["elements"] if e["type"] != "frame") == [
        "features",
        "ingest",
        "ranker",
    ]


def test_a_moment_maps_to_the_longest_prefix_of_the_log_done_by_then():
    """Commit times can overlap slightly out of seq order; a moment never skips an earlier op."""
    t0 = dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC)
    at = [t0 + dt.timedelta(seconds=s) for s in (10, 30, 20, 40)]  # op 3 began before op 2 committed
    clock = OpClock(seqs=(1, 2, 3, 4), times=tuple(accumulate(at, max)))
    assert clock.seq_at(t0) == 0
    assert clock.seq_at(t0 + dt.timedelta(seconds=10)) == 1
    assert clock.seq_at(t0 + dt.timedelta(seconds=25)) == 1  # op 3's time has passed, op 2's not yet
    assert clock.seq_at(t0 + dt.timedelta(seconds=30)) == 3
    assert clock.seq_at(t0 + dt.timedelta(hours=1)) == 4
    assert OpClock(seqs=(), times=()).seq_at(t0) == 0
    assert [elapsed_label(s) for s in (0, 65.9, 3600, 3725)] == ["0:00", "1:05", "1:00:00", "1:02:05"]


# -- scores beside evidence and the self-assessment ----------------------------------------------


@pytest.fixture
def evidence(finished):
    step = {s.number: s for s in RubricStep.objects.filter(rubric=finished.interview.rubric)}
    # Ending the interview queued the finder; stand in for its result with known findings.
    report, _ = EvidenceReport.objects.update_or_create(
        interview=finished.interview,
        defaults={"rubric": finished.interview.rubric, "status": EvidenceReport.Status.DONE},
    )
    report.items.all().delete()
    report.suggestions.all().delete()
    StepSuggestion.objects.create(report=report, step=step[3], level=4, summary="Shared feature store on the board.")
    store = finished.events["store"]
    Evidence.objects.create(
        report=report,
        step=step[3],
        criterion=Criterion.objects.get(step=step[3], key="feature-store-and-skew"),
        source=Evidence.Source.TRANSCRIPT,
        concept="feature store",
        text="A feature store shared by training and serving avoids skew.",
        at=store.created_at,
        transcript_event_id=store.pk,
    )
    Evidence.objects.create(
        report=report,
        step=step[3],
        source=Evidence.Source.BOARD,
        verdict=Evidence.Verdict.FOUND,
        concept="ranking",
        text="ranker in the online lane",
        board_seq=5,
        order=1,
    )
    return report


def test_interviewer_sees_suggestion_and_evidence_links_before_submitting(client_for, finished, evidence, interviewer):
    html = page_for(client_for, interviewer, finished.interview)
    card = html.split('id="score-step-3"')[1].split("</article>")[0]
    assert "Evidence finder suggests" in card and "4 · Strong" in card
    assert "differs from the interviewer" in card
    assert f'href="#event-{finished.events["store"].pk}"' in card
    assert 'href="?seq=5#replay"' in card and 'data-seek="5"' in card


def test_candidate_sees_evidence_only_after_submission(client_for, finished, evidence, candidate):
    html = page_for(client_for, candidate, finished.interview)
    assert "Evidence finder suggests" not in html and "ranker in the online lane" not in html
    submit(finished)
    html = page_for(client_for, candidate, finished.interview)
    assert "Evidence finder suggests" in html and "ranker in the online lane" in html


def test_self_assessment_sits_beside_the_interviewer_once_both_exist(client_for, finished, interviewer, candidate):
    steps = {s.number: s for s in RubricStep.objects.filter(rubric=finished.interview.rubric)}
    self_assessment_save(
        interview=finished.interview,
        user=candidate,
        steps={steps[1].pk: {"level": 2, "notes": "I forgot to ask about scale"}},
        summary="Nervous start, better at the end.",
    )
    html = page_for(client_for, candidate, finished.interview)
    assert "Nervous start" in html and "I forgot to ask about scale" in html and "2 · Developing" in html
    assert "compare-2" not in html.split('id="score-step-1"')[1].split("</article>")[0]  # no scores yet
    # the interviewer sees it only once their own scorecard is submitted: no anchoring
    html = page_for(client_for, interviewer, finished.interview)
    assert "Nervous start" not in html and "I forgot to ask about scale" not in html
    assert "has assessed themselves" in html
    submit(finished)
    for user in (interviewer, candidate):
        html = page_for(client_for, user, finished.interview)
        card = html.split('id="score-step-1"')[1].split("</article>")[0]
        assert "compare-2" in card and "I forgot to ask about scale" in card and SUBMITTED_NOTES in card


def test_export_links_for_the_participants(client_for, finished, interviewer, candidate):
    names = ("interview_export_md", "interview_export_pdf", "interview_board_svg", "interview_board_png")
    available = []
    for name in names:
        try:
            available.append(reverse(name, args=[finished.interview.pk]))
        except NoReverseMatch:
            continue
    for user in (interviewer, candidate):
        html = page_for(client_for, user, finished.interview)
        for url in available:
            assert f'href="{url}"' in html


def test_review_page_queries_do_not_grow_with_the_transcript(
    client_for, finished, evidence, interviewer, candidate, django_assert_max_num_queries
):
    from interview.services import interview_post_message

    client = client_for(interviewer)
    with django_assert_max_num_queries(30) as small:
        client.get(review_url(finished.interview))
    finished.interview.status = "accepted"
    finished.interview.save(update_fields=["status"])
    for n in range(20):
        interview_post_message(interview=finished.interview, user=candidate, text=f"line {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(review_url(finished.interview))


# -- board history API ---------------------------------------------------------------------------


HISTORY_ACCESS = [("interviewer", 200), ("candidate", 200), ("outsider", 404), (None, 403)]


@pytest.mark.parametrize(("who", "status"), HISTORY_ACCESS)
def test_history_access(request, finished, who, status):
    user = request.getfixturevalue(who) if who else None
    response = api_for(user).get(reverse("api_interview_board_history", args=[finished.interview.pk]))
    assert response.status_code == status
    if status != 200:
        assert "message" in response.json() and "ops" not in response.json()


def test_history_of_an_unknown_interview_is_404(interviewer):
    assert api_for(interviewer).get(reverse("api_interview_board_history", args=[424242])).status_code == 404


def test_history_has_ops_lanes_and_step_starts(finished, candidate):
    body = history(api_for(candidate), reverse("api_interview_board_history", args=[finished.interview.pk]))
    assert body["seq"] == 5 and body["next_after"] is None
    assert [op["seq"] for op in body["ops"]] == [1, 2, 3, 4, 5]
    assert [element["id"] for element in body["ops"][4]["elements"]] == ["features", "ranker"]
    assert sorted(element["id"] for element in body["initial"]) == ["lane-offline", "lane-online"]
    assert [(s["number"], s["seq"]) for s in body["steps"]] == [(1, 0), (2, 1), (3, 2)]
    assert body["steps"][0]["event_id"] is None
    assert body["steps"][1]["event_id"] == finished.events["step2"].pk
    assert dt.datetime.fromisoformat(body["started_at"].replace("Z", "+00:00")) == finished.started_at
    assert PRIVATE_NOTE not in json.dumps(body)


def test_history_pages_by_seq(finished, candidate):
    url = reverse("api_interview_board_history", args=[finished.interview.pk])
    client = api_for(candidate)
    seqs, after = [], 0
    while after is not None:
        page = history(client, url, after=after, limit=2)
        assert len(page["ops"]) <= 2
        seqs += [op["seq"] for op in page["ops"]]
        after = page["next_after"]
    assert seqs == [1, 2, 3, 4, 5]
    assert client.get(url, {"limit": 0}).status_code == 400
    assert client.get(url, {"after": -1}).status_code == 400
    assert client.get(url, {"limit": 5000}).status_code == 400


def test_shared_history_works_with_a_link_and_stops_when_revoked(finished, interviewer, candidate, outsider):
    share = review_share_create(interview=finished.interview, user=candidate)
    url = reverse("api_shared_board_history", args=[share.token])
    for user in (None, outsider, interviewer, candidate):  # the link is the key, logged in or not
        body = history(api_for(user), url)
        assert [op["seq"] for op in body["ops"]] == [1, 2, 3, 4, 5]
    review_share_revoke(interview=finished.interview, user=candidate, share_id=share.pk)
    assert api_for(None).get(url).status_code == 404
    assert api_for(None).get(reverse("api_shared_board_history", args=["no-such-token"])).status_code == 404


def test_history_endpoints_are_in_the_schema(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    for path in ("/api/interviews/{id}/board/history/", "/api/shared/{token}/board/history/"):
        operation = paths[path]["get"]
        assert operation["summary"]
        assert {p["name"] for p in operation["parameters"]} >= {"after", "limit"}
