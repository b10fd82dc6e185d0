"""The interviewer's guide in the room panel: prompts, clarifying facts to give when asked, the
expected components, connections and metrics as a checklist, and the pitfalls to probe. The
interviewer marks facts given and items covered; the candidate never receives any of it."""

import pytest
from django.urls import reverse

from review.models import GuideMark
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update

from ..ws import open_socket, receive_type


def panel(api, interview):
    return api.get(reverse("api_interview_panel", args=[interview.pk]))


def mark(api, interview, **body):
    return api.put(reverse("api_interview_guide", args=[interview.pk]), body, format="json")


def step(body, key):
    return next(s for s in body["steps"] if s["key"] == key)


def test_the_guide_per_step(api_for, interview, interviewer):
    body = panel(api_for(interviewer), interview).json()
    problem = interview.problem
    clarify = step(body, "clarify")
    assert clarify["prompts"] and all(isinstance(p, str) for p in clarify["prompts"])
    assert [f["label"] for f in clarify["facts"]] == problem.clarifying_facts
    assert all(f["marked_at"] is None for f in clarify["facts"])
    data = step(body, "data")
    assert data["facts"] == [] and data["checklist"][0]["title"] == "Offline lane"
    assert [i["label"] for i in data["checklist"][0]["items"]] == problem.expectations["offline_components"]
    serving = step(body, "serving")
    titles = [group["title"] for group in serving["checklist"]]
    assert titles == ["Online lane", "Connections"]
    first = problem.expectations["connections"][0]
    assert serving["checklist"][1]["items"][0]["item"] == f"{first[0]} -> {first[1]}"
    evaluation = step(body, "evaluation")
    assert {g["title"] for g in evaluation["checklist"]} == {"Offline metrics", "Online metrics"}
    assert body["pitfalls"] == problem.expectations["pitfalls"]


def test_marking_a_fact_given_and_an_item_covered(api_for, interview, interviewer):
    api = api_for(interviewer)
    given = mark(api, interview, kind="fact", item="1", on=True)
    assert given.status_code == 200 and given.json()["marked_at"]
    component = interview.problem.expectations["offline_components"][0]
    assert mark(api, interview, kind="component", item=component, on=True).status_code == 200
    assert mark(api, interview, kind="component", item=component, on=True).status_code == 200  # idempotent
    body = panel(api, interview).json()
    assert [f["marked_at"] is not None for f in step(body, "clarify")["facts"]][:2] == [False, True]
    assert step(body, "data")["checklist"][0]["items"][0]["marked_at"] is not None
    assert GuideMark.objects.count() == 2
    cleared = mark(api, interview, kind="fact", item="1", on=False)
    assert cleared.status_code == 200 and cleared.json()["marked_at"] is None
    assert GuideMark.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "spoiler", "item": "1", "on": True}, 400, "invalid"),
        ({"kind": "fact", "item": "99", "on": True}, 404, "unknown_item"),
        ({"kind": "component", "item": "a flux capacitor", "on": True}, 404, "unknown_item"),
        ({"kind": "fact", "item": "1", "on": "sure"}, 400, "invalid"),
        ({"kind": "fact", "on": True}, 400, "invalid"),
    ],
)
def test_bad_marks_are_refused_and_change_nothing(api_for, interview, interviewer, body, status, code):
    response = mark(api_for(interviewer), interview, **body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["message"]
    assert not GuideMark.objects.exists()


def test_marks_are_final_once_the_scorecard_is_submitted(api_for, interview, interviewer):
    mark(api_for(interviewer), interview, kind="fact", item="0", on=True)
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    steps = {s.number: {"level": 3, "notes": ""} for s in interview.rubric.steps.all()}
    scorecard_update(scorecard=scorecard, steps=steps, recommendation="yes", summary="ok")
    scorecard_submit(scorecard=scorecard)
    refused = mark(api_for(interviewer), interview, kind="fact", item="0", on=False)
    assert (refused.status_code, refused.json()["code"]) == (409, "locked")
    assert GuideMark.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("candidate", 403), ("outsider", 404), (None, 403)])
def test_nobody_else_reads_or_marks_the_guide(request, api_for, interview, who, status):
    api = api_for(request.getfixturevalue(who) if who else None)
    assert panel(api, interview).status_code == status
    assert mark(api, interview, kind="fact", item="0", on=True).status_code == status
    assert not GuideMark.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_candidate_never_receives_guide_material(interview, candidate, client_for):
    from asgiref.sync import sync_to_async

    def material():
        problem = interview.problem
        return [*problem.clarifying_facts, *problem.expectations["pitfalls"]]

    secrets = await sync_to_async(material)()
    page = await sync_to_async(lambda: client_for(candidate).get(reverse("interview_room", args=[interview.pk])))()
    html = page.content.decode()
    assert page.status_code == 200 and not any(secret in html for secret in secrets)
    socket = await open_socket(f"/ws/interviews/{interview.pk}/", candidate)
    state = await receive_type(socket, "room_state")
    assert not any(secret in str(state) for secret in secrets)
    await socket.disconnect()
