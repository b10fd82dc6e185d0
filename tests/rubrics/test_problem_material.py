"""No spoilers: a problem's interviewer material reaches the interviewer of a session on it and a
candidate who has done it; everyone signed in reads titles, summaries and prompts."""

from html import escape

import pytest
from django.urls import reverse

from interview.models import Interview
from interview.services import booking_cancel
from rubrics.access import problem_material_ids, problem_material_visible


def _secrets(problem) -> list[str]:
    return [
        problem.clarifying_facts[0],
        problem.expectations["pitfalls"][0],
        problem.follow_ups["serving"][0],
        problem.hints["clarify"][0],
        problem.reference_design["arrows"][0][1],
    ]


def _page(client_for, user, problem) -> str:
    response = client_for(user).get(reverse("problem_detail", args=[problem.slug]))
    assert response.status_code == 200
    return response.content.decode()


def _api(api_for, user, problem):
    return api_for(user).get(reverse("api_problem", args=[problem.slug]))


def _shows_material(client_for, api_for, user, problem) -> bool:
    page, api = _page(client_for, user, problem), _api(api_for, user, problem)
    assert api.status_code == 200 and api.json()["title"] == problem.title
    on_page = [escape(secret) in page for secret in _secrets(problem)]
    material = api.json()["interviewer_material"]
    assert all(on_page) or not any(on_page)  # all of it or none of it
    assert (material is not None) == on_page[0] == api.json()["interviewer_material_visible"]
    if material is not None:
        assert material["clarifying_facts"] == problem.clarifying_facts
        assert material["hints"]["clarify"] == problem.hints["clarify"]
    else:
        assert not any(secret in api.content.decode() for secret in _secrets(problem))
        assert 'id="interviewer-material-closed"' in page
    return on_page[0]


def test_the_interviewer_reads_the_material_from_the_invitation_on(client_for, api_for, invited_interview, interviewer):
    problem = invited_interview.problem
    assert _shows_material(client_for, api_for, interviewer, problem)
    assert problem_material_ids(user=interviewer) == {problem.pk}


def test_the_candidate_reads_it_only_after_doing_the_problem(client_for, api_for, interview, candidate):
    problem = interview.problem
    assert not _shows_material(client_for, api_for, candidate, problem)
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.COMPLETED)
    assert _shows_material(client_for, api_for, candidate, problem)


def test_an_outsider_never_reads_it(client_for, api_for, interview, outsider):
    assert not _shows_material(client_for, api_for, outsider, interview.problem)
    assert not problem_material_visible(user=outsider, problem_id=interview.problem_id)


def test_a_cancelled_session_opens_nothing(client_for, api_for, interview, interviewer):
    booking_cancel(booking=interview.booking, user=interviewer, reason="Something came up")
    assert not _shows_material(client_for, api_for, interviewer, interview.problem)


def test_the_list_shows_titles_and_summaries_to_everyone_and_no_material(api_for, client_for, interview, outsider):
    problem = interview.problem
    listing = api_for(outsider).get(reverse("api_problems"))
    assert listing.status_code == 200
    row = next(item for item in listing.json() if item["slug"] == problem.slug)
    assert row["summary"] == problem.summary and row["interviewer_material_visible"] is False
    page = client_for(outsider).get(reverse("problem_bank")).content.decode()
    assert problem.title in page and escape(problem.summary) in page
    for text in (listing.content.decode(), page):
        assert not any(escape(secret) in text or secret in text for secret in _secrets(problem))


@pytest.mark.parametrize("name", ["api_problems", "api_problem"])
def test_signed_out_readers_are_refused(api_for, problem, name):
    args = [problem.slug] if name == "api_problem" else []
    assert api_for(None).get(reverse(name, args=args)).status_code == 403


def test_an_unknown_problem_is_404(api_for, outsider, content):
    assert api_for(outsider).get(reverse("api_problem", args=["no-such-problem"])).status_code == 404


def test_a_candidate_who_chose_the_problem_still_meets_it_without_the_notes(
    client_for, api_for, problem, interviewer, candidate
):
    from django.utils import timezone

    from interview.services import interview_accept, interview_schedule

    invitation = interview_schedule(
        created_by=candidate,
        problem_id=problem.pk,
        scheduled_at=timezone.now() + timezone.timedelta(minutes=5),
        peer=interviewer.username,
        my_role="candidate",
    )
    interview_accept(interview=invitation, user=interviewer)
    assert not _shows_material(client_for, api_for, candidate, problem)
    assert _shows_material(client_for, api_for, interviewer, problem)
