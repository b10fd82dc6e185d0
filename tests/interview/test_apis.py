import datetime as dt

import pytest
from django.utils import timezone

from interview.models import Interview
from review.models import Scorecard
from whiteboard.services import board_write_unchecked

from ..elements import rectangle

pytestmark = pytest.mark.django_db


def scorecard_body(level=3, recommendation="yes"):
    return {
        "steps": [{"step": n, "level": level, "notes": f"step {n} notes"} for n in range(1, 8)],
        "recommendation": recommendation,
        "summary": "Good separation of the offline and online paths.",
    }


ENDPOINTS = [
    ("get", "/api/interviews/{id}/"),
    ("get", "/api/interviews/{id}/board/"),
    ("get", "/api/interviews/{id}/scorecard/"),
    ("put", "/api/interviews/{id}/scorecard/"),
    ("post", "/api/interviews/{id}/scorecard/submit/"),
    ("post", "/api/interviews/{id}/accept/"),
    ("post", "/api/interviews/{id}/decline/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_outsider_and_anonymous_are_refused_everywhere(api_for, interview, outsider, method, path):
    before = Interview.objects.values().get(pk=interview.pk)
    # A stranger gets the answer an id that does not exist gets; nobody signed in gets 403.
    for user, status in ((outsider, 404), (None, 403)):
        response = getattr(api_for(user), method)(path.format(id=interview.pk), scorecard_body(), format="json")
        assert response.status_code == status, (user, path, response.content)
        assert "message" in response.json()
    assert Interview.objects.values().get(pk=interview.pk) == before
    assert not Scorecard.objects.exists()


def test_list_shows_only_my_interviews(api_for, interview, interviewer, outsider):
    assert [i["id"] for i in api_for(interviewer).get("/api/interviews/").json()] == [interview.pk]
    assert api_for(outsider).get("/api/interviews/").json() == []


def test_create_accept_flow(api_for, problem, interviewer, candidate):
    response = api_for(candidate).post(
        "/api/interviews/",
        {
            "problem_id": problem.pk,
            "scheduled_at": "2031-01-15T18:00:00+01:00",
            "peer": "ivy@example.com",
            "my_role": "candidate",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "invited" and body["my_role"] == "candidate"
    assert body["interviewer"] == {"id": interviewer.pk, "name": "Ivy Interviewer"}  # no email
    assert body["scheduled_at"].startswith("2031-01-15T") and body["awaiting_my_answer"] is False
    # The inviter cannot accept their own invitation; the invitee can.
    assert api_for(candidate).post(f"/api/interviews/{body['id']}/accept/").status_code == 403
    accepted = api_for(interviewer).post(f"/api/interviews/{body['id']}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = api_for(interviewer).post(f"/api/interviews/{body['id']}/decline/")
    assert again.status_code == 409 and again.json()["code"] == "already_answered"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"peer": "ghost"}, "peer_not_found"),
        ({"scheduled_at": "yesterday"}, "invalid"),
        ({"my_role": "boss"}, "invalid"),
        ({"problem_id": "abc"}, "invalid"),
        ({"duration_minutes": 500}, "invalid"),
    ],
)
def test_create_bad_input(api_for, problem, interviewer, candidate, payload, code):
    body = {
        "problem_id": problem.pk,
        "scheduled_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "peer": "ivy",
        "my_role": "candidate",
        **payload,
    }
    response = api_for(candidate).post("/api/interviews/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert not Interview.objects.exists()


def test_board_reports_lanes(api_for, interview, candidate):
    board_write_unchecked(
        board_id=interview.board_id,
        op_id="o1",
        elements=[
            rectangle("in-online", x=1300, y=200),
            rectangle("in-offline", x=100, y=200),
            rectangle("nowhere", x=5000, y=5000),
            rectangle("framed", x=5000, y=5000, frameId="lane-offline"),
            rectangle("gone", x=100, y=100, deleted=True),
        ],
        author=candidate,
    )
    response = api_for(candidate).get(f"/api/interviews/{interview.pk}/board/")
    assert response.status_code == 200
    body = response.json()
    lanes = {e["id"]: e["lane"] for e in body["elements"]}
    assert body["seq"] == 1
    assert lanes == {
        "lane-offline": "offline",
        "lane-online": "online",
        "in-online": "online",
        "in-offline": "offline",
        "nowhere": None,
        "framed": "offline",
    }


class TestScorecardApi:
    def test_interviewer_drafts_then_submits(self, api_for, interview, interviewer, candidate):
        path = f"/api/interviews/{interview.pk}/scorecard/"
        assert api_for(interviewer).put(path, scorecard_body(), format="json").status_code == 200
        assert api_for(candidate).get(path).status_code == 404  # draft: hidden from the candidate
        assert api_for(candidate).put(path, scorecard_body(level=4), format="json").status_code == 403
        submitted = api_for(interviewer).post(path + "submit/")
        assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
        seen = api_for(candidate).get(path).json()
        assert seen["recommendation"] == "yes" and [s["level"] for s in seen["steps"]] == [3] * 7
        assert seen["rubric"] == {"slug": "mle-system-design", "version": 1}
        locked = api_for(interviewer).put(path, scorecard_body(level=1), format="json")
        assert locked.status_code == 409 and locked.json()["code"] == "locked"

    @pytest.mark.parametrize(
        "body",
        [
            {"steps": [{"step": 1, "level": 5}]},
            {"steps": [{"step": 9, "level": 2}]},
            {"steps": [{"step": 1, "level": "high"}]},
            {"steps": "all good"},
            {"steps": [], "recommendation": "maybe"},
        ],
    )
    def test_bad_scorecard_input(self, api_for, interview, interviewer, body):
        path = f"/api/interviews/{interview.pk}/scorecard/"
        api_for(interviewer).put(path, scorecard_body(level=2, recommendation="no"), format="json")
        response = api_for(interviewer).put(path, body, format="json")
        assert response.status_code == 400
        card = Scorecard.objects.get()
        assert set(card.step_scores.values_list("level", flat=True)) == {2} and card.recommendation == "no"

    def test_submit_incomplete(self, api_for, interview, interviewer):
        path = f"/api/interviews/{interview.pk}/scorecard/"
        assert api_for(interviewer).post(path + "submit/").json()["code"] == "incomplete"
        api_for(interviewer).put(path, {"steps": [{"step": 1, "level": 3}]}, format="json")
        response = api_for(interviewer).post(path + "submit/")
        assert response.status_code == 400 and "missing: step 2, 3, 4, 5, 6, 7" in response.json()["message"]


def test_schema_and_docs_are_served(admin_client):
    schema = admin_client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/interviews/{id}/board/" in schema.content
    docs = admin_client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn.jsdelivr" not in docs
