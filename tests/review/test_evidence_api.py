"""Who sees the evidence, through the API and the pages: the interviewer always, the candidate once
the scorecard is submitted, nobody else; asking again; and how often suggestions agree with people."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from interview.services import interview_accept, interview_post_message, interview_schedule, interview_set_step
from review.models import EvidenceReport, Scorecard, StepSuggestion
from review.selectors.evidence import agreement_stats
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from review.services.evidence import evidence_report_run
from whiteboard.services import board_write_unchecked

from ..elements import box
from ..rubrics.evidence_boards import ONLINE_X, ROWS

pytestmark = pytest.mark.django_db


def path(interview) -> str:
    return f"/api/interviews/{interview.pk}/evidence/"


def score(interview, interviewer, levels, *, submit=True) -> Scorecard:
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    steps = {number: {"level": level} for number, level in enumerate(levels, start=1)}
    scorecard_update(scorecard=scorecard, steps=steps, recommendation="yes")
    return scorecard_submit(scorecard=scorecard) if submit else scorecard


@pytest.fixture
def found(interview, interviewer, candidate):
    """The interview after a little talk and drawing, with its evidence found."""
    interview_set_step(interview=interview, user=interviewer, step=5)
    event = interview_post_message(interview=interview, user=candidate, text="nDCG offline and CTR online.")
    op = board_write_unchecked(
        board_id=interview.board_id, op_id="op-1", elements=box("mon", "Monitoring", x=ONLINE_X[0], y=ROWS[2])
    )
    evidence_report_run(interview_id=interview.pk)
    # Found a while ago: asking again is allowed (once a minute, tests/review/test_evidence_rerun.py).
    EvidenceReport.objects.update(finished_at=timezone.now() - dt.timedelta(minutes=2))
    return {"event": event, "seq": op.seq}


class TestEvidenceApi:
    def test_the_interviewer_sees_suggestions_and_evidence(self, api_for, interview, interviewer, found):
        response = api_for(interviewer).get(path(interview))
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "done" and body["finished_at"] and body["error"] == ""
        assert [s["number"] for s in body["steps"]] == [1, 2, 3, 4, 5, 6, 7]
        step_5 = body["steps"][4]
        assert step_5["suggestion"]["level"] in (1, 2, 3, 4) and step_5["suggestion"]["summary"]
        ndcg = next(i for i in step_5["items"] if i["concept"] == "ndcg")
        assert ndcg["transcript_event_id"] == found["event"].pk and ndcg["verdict"] == "found"
        assert ndcg["url"].endswith(f"/review/#event-{found['event'].pk}")
        board = next(i for i in body["steps"][6]["items"] if i["source"] == "board" and i["verdict"] == "found")
        assert board["board_seq"] == found["seq"] and board["url"].endswith(f"/review/?seq={found['seq']}#replay")

    def test_the_candidate_sees_it_once_the_scorecard_is_submitted(
        self, api_for, interview, interviewer, candidate, found
    ):
        hidden = api_for(candidate).get(path(interview))
        assert hidden.status_code == 404 and "once the interviewer submits" in hidden.json()["message"]
        score(interview, interviewer, [3] * 7, submit=False)
        assert api_for(candidate).get(path(interview)).status_code == 404  # a draft is not enough
        Scorecard.objects.get(interview=interview)
        scorecard_submit(scorecard=Scorecard.objects.get(interview=interview))
        shown = api_for(candidate).get(path(interview))
        assert shown.status_code == 200 and len(shown.json()["steps"]) == 7

    def test_nothing_to_show_before_the_finder_ran(self, api_for, interview, interviewer):
        response = api_for(interviewer).get(path(interview))
        assert response.status_code == 404 and response.json()["message"] == "No evidence has been looked for yet."

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_outsiders_and_anonymous_visitors_are_refused(self, api_for, interview, outsider, found, method):
        for user, status in ((outsider, 404), (None, 403)):  # a stranger is told what a missing id is told
            response = getattr(api_for(user), method)(path(interview))
            assert response.status_code == status, (user, response.content)
            assert "message" in response.json()
        assert EvidenceReport.objects.get().status == "done"

    def test_an_unknown_interview_is_not_found(self, api_for, interviewer):
        assert api_for(interviewer).get("/api/interviews/987654/evidence/").status_code == 404
        assert api_for(interviewer).post("/api/interviews/987654/evidence/").status_code == 404

    def test_the_interviewer_asks_again(
        self, api_for, interview, interviewer, candidate, found, django_capture_on_commit_callbacks
    ):
        later = interview_post_message(interview=interview, user=candidate, text="Also recall@k.")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api_for(interviewer).post(path(interview))
        assert response.status_code == 202 and response.json()["status"] == "pending"
        assert len(callbacks) == 1
        body = api_for(interviewer).get(path(interview)).json()
        assert body["status"] == "done"
        assert any(i["transcript_event_id"] == later.pk for i in body["steps"][4]["items"])

    def test_only_the_interviewer_asks_again(self, api_for, interview, candidate, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_for(candidate).post(path(interview))
        assert response.status_code == 403
        assert not EvidenceReport.objects.exists()

    def test_nothing_to_look_for_before_the_interview_is_accepted(self, api_for, invited_interview, interviewer):
        response = api_for(interviewer).post(path(invited_interview))
        assert response.status_code == 409 and response.json()["code"] == "not_ready"
        assert not EvidenceReport.objects.exists()

    def test_the_schema_lists_the_endpoints(self, admin_client):
        schema = admin_client.get("/api/schema/").content
        assert b"/api/interviews/{id}/evidence/" in schema and b"/api/rubric/agreement/" in schema


def scored_interview(problem, interviewer, candidate, *, days: int, human, suggested, submit=True, status="done"):
    interview = interview_schedule(
        created_by=interviewer,
        problem_id=problem.pk,
        scheduled_at=timezone.now() + dt.timedelta(days=days),
        peer=candidate.username,
        my_role="interviewer",
    )
    interview = interview_accept(interview=interview, user=candidate)
    score(interview, interviewer, human, submit=submit)
    report = EvidenceReport.objects.create(interview=interview, rubric=interview.rubric, status=status)
    steps = {s.number: s for s in interview.rubric.steps.all()}
    StepSuggestion.objects.bulk_create(
        StepSuggestion(report=report, step=steps[number], level=level, summary="")
        for number, level in enumerate(suggested, start=1)
    )
    return interview


@pytest.fixture
def crafted(problem, interviewer, candidate):
    """Two scored sessions with suggestions, and two that must not count (a draft, an unfinished report).

    Step:        1  2  3  4  5  6  7
    A human:     3  3  2  2  4  1  3      A suggested: 3  2  2  4  4  2  1
    B human:     2  2  2  2  2  2  2      B suggested: 2  2  3  3  1  2  2
    """
    scored_interview(
        problem, interviewer, candidate, days=2, human=[3, 3, 2, 2, 4, 1, 3], suggested=[3, 2, 2, 4, 4, 2, 1]
    )
    scored_interview(problem, interviewer, candidate, days=3, human=[2] * 7, suggested=[2, 2, 3, 3, 1, 2, 2])
    scored_interview(problem, interviewer, candidate, days=4, human=[1] * 7, suggested=[4] * 7, submit=False)
    scored_interview(problem, interviewer, candidate, days=5, human=[1] * 7, suggested=[4] * 7, status="pending")


def test_agreement_stats_on_a_crafted_set(crafted):
    stats = agreement_stats()
    assert stats["sessions"] == 2
    assert stats["overall"] == {
        "count": 14,
        "exact": 7,
        "within_one": 12,
        "exact_rate": 0.5,
        "within_one_rate": 0.857,
        "mean_difference": 0.07,
    }
    by_step = {row["number"]: row for row in stats["steps"]}
    assert [(by_step[n]["exact"], by_step[n]["within_one"]) for n in range(1, 8)] == [
        (2, 2),
        (1, 2),
        (1, 2),
        (0, 1),
        (1, 2),
        (1, 2),
        (1, 1),
    ]
    assert by_step[4]["mean_difference"] == 1.5 and by_step[7]["mean_difference"] == -1.0
    assert by_step[1]["title"] == "Clarify requirements and business goal" and by_step[1]["count"] == 2


def test_agreement_with_nothing_to_compare(content):
    stats = agreement_stats()
    assert stats["sessions"] == 0 and stats["steps"] == []
    assert stats["overall"]["count"] == 0 and stats["overall"]["exact_rate"] is None


def test_agreement_api(api_for, crafted, outsider):
    response = api_for(outsider).get("/api/rubric/agreement/")
    assert response.status_code == 200
    assert response.json()["overall"]["within_one"] == 12 and len(response.json()["steps"]) == 7
    assert api_for(None).get("/api/rubric/agreement/").status_code == 403


def test_the_rubric_page_shows_how_often_suggestions_agree(client_for, crafted, outsider):
    page = client_for(outsider).get(reverse("rubric")).content.decode()
    assert "How often the suggestions agree with interviewers" in page
    assert "All steps · 2 sessions" in page
    assert '50% <span class="muted">(7)</span>' in page and '86% <span class="muted">(12)</span>' in page
    assert "1.50 level higher" in page and "1.00 level lower" in page


def test_the_rubric_page_without_scored_sessions(client_for, content, outsider):
    page = client_for(outsider).get(reverse("rubric")).content.decode()
    assert "No submitted scorecard has suggestions to compare with yet." in page


class TestScorecardPage:
    def url(self, interview) -> str:
        return reverse("interview_scorecard", args=[interview.pk])

    def test_suggestions_and_evidence_sit_beside_each_step(self, client_for, interview, interviewer, found):
        page = client_for(interviewer).get(self.url(interview)).content.decode()
        assert "Suggested levels" in page and "never scores" in page
        assert page.count('<span class="badge">Suggestion</span>') == 7
        assert f'href="/interviews/{interview.pk}/review/#event-{found["event"].pk}"' in page
        assert f'href="/interviews/{interview.pk}/review/?seq={found["seq"]}#replay"' in page
        assert "“nDCG offline and CTR online.”" in page
        paris = found["event"].created_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
        assert f">{paris:%H:%M:%S}</time>" in page  # the interviewer's own time zone
        assert "Find evidence again" in page

    def test_before_the_finder_ran(self, client_for, interview, interviewer):
        page = client_for(interviewer).get(self.url(interview)).content.decode()
        assert "No evidence yet." in page and ">Find evidence</button>" in page
        assert '<span class="badge">Suggestion</span>' not in page

    def test_find_evidence_again_keeps_the_draft(
        self, client_for, interview, interviewer, found, django_capture_on_commit_callbacks
    ):
        data = {"action": "find_evidence", "level_1": "3", "notes_1": "clear goal", "recommendation": "yes"}
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_for(interviewer).post(self.url(interview), data)
        assert response.status_code == 302 and response["Location"] == self.url(interview) + "#evidence"
        assert len(callbacks) == 1 and EvidenceReport.objects.get().status == "done"
        score_1 = Scorecard.objects.get(interview=interview).step_scores.get(step__number=1)
        assert (score_1.level, score_1.notes) == (3, "clear goal")

    def test_find_evidence_again_after_submitting(
        self, client_for, interview, interviewer, found, django_capture_on_commit_callbacks
    ):
        score(interview, interviewer, [2] * 7)
        EvidenceReport.objects.update(status="failed", error="It broke.")
        assert "It broke." in client_for(interviewer).get(self.url(interview)).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(interviewer).post(self.url(interview), {"action": "find_evidence"})
        assert response.status_code == 302
        assert EvidenceReport.objects.get().status == "done"
        assert set(Scorecard.objects.get().step_scores.values_list("level", flat=True)) == {2}

    def test_a_queued_report_says_so(self, client_for, interview, interviewer, found):
        EvidenceReport.objects.update(status="pending")
        page = client_for(interviewer).get(self.url(interview)).content.decode()
        assert "Queued: the finder is reading the interview." in page
        # the page asks the API until the finder is done, and says so instead of asking for a reload
        assert f'data-poll-url="{reverse("api_interview_evidence", args=[interview.pk])}"' in page
        assert "appear here by themselves" in page and "Reload" not in page

    def test_a_finished_report_is_not_polled(self, client_for, interview, interviewer, found):
        page = client_for(interviewer).get(self.url(interview)).content.decode()
        assert "data-poll-url" not in page and "Looked for at" in page

    @pytest.mark.parametrize(("who", "status"), [("candidate", 403), ("outsider", 404)])
    def test_others_cannot_ask(self, client_for, interview, who, status, request, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(request.getfixturevalue(who)).post(self.url(interview), {"action": "find_evidence"})
        assert response.status_code == status and not EvidenceReport.objects.exists()

    def test_anonymous_visitors_go_to_login(self, client, interview):
        response = client.post(self.url(interview), {"action": "find_evidence"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        assert not EvidenceReport.objects.exists()


@pytest.fixture
def reasoned(interview, interviewer, candidate):
    """A hint from the interviewer, then the candidate's reasoned answer, with the evidence found."""
    interview_set_step(interview=interview, user=interviewer, step=5)
    hint = interview_post_message(interview=interview, user=interviewer, text="Would you use PR-AUC offline?")
    answer = interview_post_message(
        interview=interview,
        user=candidate,
        text="PR-AUC offline, because positives are about 1 in 1000, otherwise the ROC curve flatters the model.",
    )
    evidence_report_run(interview_id=interview.pk)
    return {"hint": hint, "answer": answer}


class TestSignals:
    """Every suggested level says why: the signals that set it, each with its moment."""

    def test_the_api_lists_each_suggestions_signals_with_their_moment(self, api_for, interview, interviewer, reasoned):
        step_5 = api_for(interviewer).get(path(interview)).json()["steps"][4]
        signals = step_5["suggestion"]["signals"]
        by_kind = {s["kind"]: s for s in signals}
        answer = reasoned["answer"]
        assert {"numbers", "failure", "prompted"} <= set(by_kind)
        numbers = by_kind["numbers"]
        assert numbers["label"] == "numbers given" and "1 in 1000" in numbers["quote"]
        assert numbers["transcript_event_id"] == answer.pk
        assert dt.datetime.fromisoformat(numbers["at"]) == answer.created_at
        assert numbers["url"].endswith(f"/review/#event-{answer.pk}")
        assert "PR-AUC" in by_kind["prompted"]["label"] or "pr-auc" in by_kind["prompted"]["label"]
        # The hint itself is never the candidate's evidence.
        assert all(i["transcript_event_id"] != reasoned["hint"].pk for i in step_5["items"])

    def test_the_scorecard_page_shows_them_beside_the_suggestion(self, client_for, interview, interviewer, reasoned):
        page = client_for(interviewer).get(reverse("interview_scorecard", args=[interview.pk])).content.decode()
        assert 'id="signals-5"' in page and "numbers given at" in page
        paris = reasoned["answer"].created_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))
        assert f">{paris:%H:%M}</time>" in page
        assert "prompted by the interviewer" in page
        assert f'href="/interviews/{interview.pk}/review/#event-{reasoned["answer"].pk}"' in page

    def test_the_review_page_shows_them_to_whoever_may_see_the_suggestion(
        self, client_for, interview, interviewer, candidate, outsider, reasoned
    ):
        url = reverse("interview_review", args=[interview.pk])
        page = client_for(interviewer).get(url).content.decode()
        assert 'id="signals-5"' in page and "numbers given" in page
        assert f'href="#event-{reasoned["answer"].pk}"' in page
        assert 'id="signals-5"' not in client_for(candidate).get(url).content.decode()  # not submitted yet
        score(interview, interviewer, [3] * 7)
        assert 'id="signals-5"' in client_for(candidate).get(url).content.decode()
        assert client_for(outsider).get(url).status_code == 404

    def test_stored_signals_that_do_not_fit_are_left_out(self, api_for, interview, interviewer, reasoned):
        suggestion = StepSuggestion.objects.get(report__interview=interview, step__number=5)
        suggestion.signals = [*suggestion.signals, {"kind": "unknown", "label": "x"}, "not a dict"]
        suggestion.save(update_fields=["signals"])
        signals = api_for(interviewer).get(path(interview)).json()["steps"][4]["suggestion"]["signals"]
        assert {s["kind"] for s in signals} <= {"numbers", "failure", "prompted", "trade-off", "choice", "semantic"}
        assert len(signals) == len(suggestion.signals) - 2
