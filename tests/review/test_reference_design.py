"""The problem's interviewer material around a session: follow-ups and hints per step reach the
interviewer's room panel only, and the reference design shows in the review once the interview
has ended, to its interviewer and candidate, never before and never through a share link."""

import pytest
from django.urls import reverse

from interview.services import interview_end
from review.services.sharing import review_share_create

pytestmark = pytest.mark.django_db

MARKER = 'id="reference-design"'


def review_page(client, interview) -> str:
    response = client.get(reverse("interview_review", args=[interview.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["interviewer", "candidate"])
def test_the_review_shows_the_reference_design_after_the_end_and_not_before(client_for, interview, request, who):
    client = client_for(request.getfixturevalue(who))
    design = interview.problem.reference_design
    before = review_page(client, interview)
    assert MARKER not in before and "<svg" not in before and 'href="#reference-design"' not in before

    interview_end(interview=interview, user=interview.interviewer)
    after = review_page(client, interview)
    assert MARKER in after and 'href="#reference-design"' in after
    section = after[after.index(MARKER) :]
    assert section.index("<svg") < section.index("Offline lane") < section.index("Online lane")
    for name in design["offline"] + design["online"]:
        assert name in section
    first = design["arrows"][0]
    assert f"{first[0]} → {first[1]}" in section
    # The review shows the design only, never the step-by-step interviewer material.
    assert interview.problem.hints["clarify"][0] not in after
    assert interview.problem.follow_ups["clarify"][0] not in after


def test_a_shared_review_never_shows_the_reference_design(client_for, interview, interviewer, candidate):
    interview = interview_end(interview=interview, user=interviewer)
    share = review_share_create(interview=interview, user=candidate)
    page = client_for(None).get(reverse("shared_review", args=[share.token])).content.decode()
    assert "Board replay" in page and MARKER not in page


def test_the_panel_gives_the_interviewer_follow_ups_and_hints_per_step(api_for, interview, interviewer):
    problem = interview.problem
    body = api_for(interviewer).get(reverse("api_interview_panel", args=[interview.pk])).json()
    by_key = {step["key"]: step for step in body["steps"]}
    assert set(by_key) == set(problem.follow_ups) == set(problem.hints)
    for key, step in by_key.items():
        assert step["follow_ups"] == problem.follow_ups[key]
        assert step["hints"] == problem.hints[key]
        assert step["follow_ups"] and step["hints"]


@pytest.mark.parametrize("who", ["candidate", "outsider", "anonymous"])
def test_the_panel_refuses_everyone_else_and_leaks_no_hint(api_for, interview, request, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = api_for(user).get(reverse("api_interview_panel", args=[interview.pk]))
    assert response.status_code == (404 if who == "outsider" else 403)
    text = response.content.decode()
    assert "hints" not in text and interview.problem.hints["clarify"][0] not in text


def test_the_candidate_meets_no_interviewer_material_in_the_room_or_the_api(client_for, api_for, interview, candidate):
    problem = interview.problem
    secrets = [problem.hints["clarify"][0], problem.follow_ups["serving"][0], problem.reference_design["arrows"][0][2]]
    room = client_for(candidate).get(reverse("interview_room", args=[interview.pk]))
    assert room.status_code == 200 and problem.title in room.content.decode()
    listing = api_for(candidate).get(reverse("api_problems"))
    assert listing.status_code == 200 and problem.slug in listing.content.decode()
    for text in (room.content.decode(), listing.content.decode()):
        assert not any(secret in text for secret in secrets)
