"""The candidate's self-assessment: the service's rules (only the candidate, once the interview has
started, levels 1-4 or empty, notes up to 2000 characters, only this rubric's steps, nothing
changed on error) and the page."""

import pytest
from django.urls import reverse

from core.errors import ApplicationError
from interview.lifecycle import interview_has_started
from interview.services import interview_start_clock
from review.models import SelfAssessment, SelfStepScore
from review.services.self_assessment import MAX_NOTES, self_assessment_save
from rubrics.models import RubricStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(interview):
    """The room has been entered: the interview is under way."""
    return interview_start_clock(interview=interview)


@pytest.fixture
def steps(interview):
    return {step.number: step for step in RubricStep.objects.filter(rubric=interview.rubric)}


def saved(interview) -> dict[int, tuple[int | None, str]]:
    return {
        row.step.number: (row.level, row.notes)
        for row in SelfStepScore.objects.filter(assessment__interview=interview).select_related("step")
    }


def refused(code, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        self_assessment_save(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# -- service -------------------------------------------------------------------------------------


def test_candidate_saves_and_edits(started, candidate, steps):
    assessment = self_assessment_save(
        interview=started,
        user=candidate,
        steps={steps[1].pk: {"level": 2, "notes": "  Forgot scale  "}, str(steps[5].pk): {"level": "4", "notes": ""}},
        summary=" Nervous start ",
    )
    assert assessment.author == candidate and assessment.rubric == started.rubric
    assert assessment.summary == "Nervous start"
    rows = saved(started)
    assert len(rows) == 7  # one row per step of the rubric
    assert rows[1] == (2, "Forgot scale") and rows[5] == (4, "") and rows[3] == (None, "")
    # Editable: steps left out keep what they had, an empty level clears one.
    self_assessment_save(interview=started, user=candidate, steps={steps[5].pk: {"level": "", "notes": "unsure"}})
    rows = saved(started)
    assert rows[1] == (2, "Forgot scale") and rows[5] == (None, "unsure")
    assert SelfAssessment.objects.count() == 1
    assert SelfAssessment.objects.get().summary == ""


@pytest.mark.parametrize("who", ["interviewer", "outsider"])
def test_only_the_candidate(request, started, steps, who):
    error = refused(
        "forbidden",
        interview=started,
        user=request.getfixturevalue(who),
        steps={steps[1].pk: {"level": 3, "notes": ""}},
    )
    assert error.status == 403
    assert not SelfAssessment.objects.exists()


def test_not_before_the_interview_starts(invited_interview, interview, candidate, steps):
    for not_yet in (invited_interview, interview):  # invited; accepted but nobody has entered the room
        assert not interview_has_started(not_yet)
        refused("not_started", interview=not_yet, user=candidate, steps={steps[1].pk: {"level": 3}})
    assert not SelfAssessment.objects.exists()


@pytest.mark.parametrize("level", [0, 5, "five", True, 2.5, "-1"])
def test_levels_are_1_to_4_or_empty(started, candidate, steps, level):
    refused("invalid", interview=started, user=candidate, steps={steps[2].pk: {"level": level, "notes": ""}})


def test_notes_are_limited(started, candidate, steps):
    self_assessment_save(interview=started, user=candidate, steps={steps[2].pk: {"level": 1, "notes": "x" * MAX_NOTES}})
    refused(
        "invalid", interview=started, user=candidate, steps={steps[2].pk: {"level": 1, "notes": "x" * (MAX_NOTES + 1)}}
    )
    refused("invalid", interview=started, user=candidate, steps={}, summary="y" * 4001)


@pytest.mark.parametrize("step_id", [424242, "abc", "", None, 1.5, "1; DROP"])
def test_tampered_step_ids_are_refused_and_nothing_changes(started, candidate, steps, step_id):
    self_assessment_save(
        interview=started, user=candidate, steps={steps[1].pk: {"level": 2, "notes": "kept"}}, summary="kept"
    )
    before = saved(started)
    refused(
        "invalid",
        interview=started,
        user=candidate,
        steps={steps[1].pk: {"level": 4, "notes": "changed"}, step_id: {"level": 3, "notes": ""}},
        summary="changed",
    )
    assert saved(started) == before
    assert SelfAssessment.objects.get().summary == "kept"


def test_a_step_of_another_rubric_is_refused(started, candidate, steps):
    other = steps[1].rubric
    other.pk = None
    other.version += 1
    other.save()
    foreign = RubricStep.objects.create(rubric=other, number=1, key="clarify", title="Another rubric's step")
    refused("invalid", interview=started, user=candidate, steps={foreign.pk: {"level": 3, "notes": ""}})
    assert not SelfAssessment.objects.exists()


# -- page ----------------------------------------------------------------------------------------


def url(interview):
    return reverse("interview_self_assessment", args=[interview.pk])


def test_the_candidate_opens_the_page(client_for, started, candidate):
    assert client_for(candidate).get(url(started)).status_code == 200


@pytest.mark.parametrize(("who", "status"), [("interviewer", 403), ("outsider", 404)])
def test_nobody_else_opens_or_posts_it(request, client_for, started, steps, who, status):
    client = client_for(request.getfixturevalue(who))
    assert client.get(url(started)).status_code == status
    assert client.post(url(started), form(steps, **{f"level_{steps[1].pk}": "4"})).status_code == status
    assert not SelfAssessment.objects.exists()


def test_anonymous_goes_to_login(client, started):
    response = client.get(url(started))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_before_the_start_the_page_sends_the_candidate_back(client_for, interview, candidate):
    response = client_for(candidate).get(url(interview))
    assert response.status_code == 302 and response["Location"] == reverse("interview_detail", args=[interview.pk])


def form(steps, **overrides):
    data = {f"level_{step.pk}": "" for step in steps.values()}
    data.update({f"notes_{step.pk}": "" for step in steps.values()})
    data["summary"] = "Good pace, weak on metrics."
    data.update(overrides)
    return data


def test_candidate_fills_it_in_and_lands_on_the_review(client_for, started, candidate, steps):
    page = client_for(candidate).get(url(started)).content.decode()
    assert f'name="level_{steps[1].pk}"' in page and f'name="notes_{steps[7].pk}"' in page
    response = client_for(candidate).post(
        url(started), form(steps, **{f"level_{steps[5].pk}": "2", f"notes_{steps[5].pk}": "Named only accuracy"})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("interview_review", args=[started.pk]) + "#self-assessment"
    assert saved(started)[5] == (2, "Named only accuracy")
    review = client_for(candidate).get(response["Location"]).content.decode()
    assert "Named only accuracy" in review and "Good pace, weak on metrics." in review
    assert "Edit your self-assessment" in review
    # The form shows what was saved.
    page = client_for(candidate).get(url(started)).content.decode()
    assert f'name="level_{steps[5].pk}" value="2" checked' in page and "Named only accuracy" in page


def test_a_tampered_form_changes_nothing_and_keeps_the_input(client_for, started, candidate, steps):
    client_for(candidate).post(url(started), form(steps, **{f"level_{steps[1].pk}": "3"}))
    before = saved(started)
    response = client_for(candidate).post(
        url(started), form(steps, level_424242="4", **{f"notes_{steps[2].pk}": "typed before the error"})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "not in this interview" in body and "typed before the error" in body
    assert saved(started) == before


def test_a_bad_level_is_explained(client_for, started, candidate, steps):
    response = client_for(candidate).post(url(started), form(steps, **{f"level_{steps[4].pk}": "9"}))
    assert response.status_code == 200 and "pick a level from 1 to 4" in response.content.decode()
    assert not SelfAssessment.objects.exists()
