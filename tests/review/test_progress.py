"""The progress page: per-step trends, weakest steps and most-missed criteria over a candidate's sessions."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from interview.services import interview_schedule
from review.models import CriterionCheck
from review.selectors.progress import progress_for
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from rubrics.models import Criterion

pytestmark = pytest.mark.django_db

PROGRESS = reverse("progress")


def session(hours, *, interviewer, candidate, levels=None, met=(), not_met=(), submit=True):
    """One interview `hours` from now, scored: `levels` {step number: level} (others 3), criteria
    (by key) ticked as met or not met."""
    interview = interview_schedule(
        created_by=interviewer,
        problem_id=_problem_id(),
        scheduled_at=timezone.now() + dt.timedelta(hours=hours),
        peer=candidate.username,
        my_role="interviewer",
    )
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    steps = {n: {"level": (levels or {}).get(n, 3), "notes": ""} for n in range(1, 8)}
    scorecard_update(scorecard=scorecard, steps=steps, recommendation="yes")
    criteria = {c.key: c for c in Criterion.objects.filter(step__rubric=interview.rubric)}
    CriterionCheck.objects.bulk_create(
        [CriterionCheck(scorecard=scorecard, criterion=criteria[key], met=True) for key in met]
        + [CriterionCheck(scorecard=scorecard, criterion=criteria[key], met=False) for key in not_met]
    )
    if submit:
        scorecard_submit(scorecard=scorecard)
    return interview


def _problem_id():
    from rubrics.models import Problem

    return Problem.objects.get(slug="video-recommendation").pk


def all_criteria_but(*missing):
    return [key for key in Criterion.objects.values_list("key", flat=True) if key not in missing]


@pytest.fixture
def three(content, interviewer, candidate):
    """Three scored sessions of cal's: step 1 rises, steps 5 and 7 stay low; ticks in the first two."""
    return [
        session(
            1,
            interviewer=interviewer,
            candidate=candidate,
            levels={1: 2, 5: 1, 7: 2},
            met=all_criteria_but("online-metrics", "business-objective"),
        ),
        session(
            3,
            interviewer=interviewer,
            candidate=candidate,
            levels={1: 3, 5: 2, 7: 1},
            met=all_criteria_but("online-metrics", "experimentation"),
            not_met=["online-metrics"],
        ),
        session(5, interviewer=interviewer, candidate=candidate, levels={1: 4, 5: 1, 7: 1}),
    ]


def test_trends_weakest_steps_and_missed_criteria(three, candidate):
    progress = progress_for(user=candidate)
    assert [s.interview_id for s in progress.sessions] == [i.pk for i in three]
    steps = {step.number: step for step in progress.steps}
    assert [step.key for step in progress.steps][:2] == ["clarify", "framing"]
    assert steps[1].levels == [2, 3, 4] and steps[1].recent_average == 3 and steps[1].change == 2
    assert steps[5].levels == [1, 2, 1] and steps[5].change == 0 and steps[5].direction == "flat"
    assert steps[7].levels == [2, 1, 1] and steps[7].change == -1
    assert round(steps[5].recent_average, 2) == round(steps[7].recent_average, 2) == 1.33
    # both below the candidate's own average; among equals the falling one comes first
    assert [step.number for step in progress.weakest] == [7, 5] and steps[5].weakest and not steps[1].weakest
    assert steps[7].trend_label == "falling: -1 over the last 3 sessions"
    assert progress.sessions[0].level_row == [2, 3, 3, 3, 1, 3, 2]

    assert progress.ticked_sessions == 2  # the third session has no ticks: it says nothing about criteria
    missed = [(m.title, m.missed, m.counted, [s.interview_id for s in m.sessions]) for m in progress.most_missed]
    assert missed == [
        ("Picks online metrics tied to the business", 2, 2, [three[0].pk, three[1].pk]),
        ("Names the business objective", 1, 2, [three[0].pk]),
        ("Validates in production with experiments", 1, 2, [three[1].pk]),
    ]


def test_weakest_is_judged_on_the_last_five_sessions(content, interviewer, candidate):
    for hours, level in zip(range(1, 13, 2), [1, 1, 4, 4, 4, 4], strict=True):
        session(hours, interviewer=interviewer, candidate=candidate, levels={2: level, 6: 2})
    progress = progress_for(user=candidate)
    framing = next(step for step in progress.steps if step.number == 2)
    assert framing.levels == [1, 1, 4, 4, 4, 4]
    assert framing.recent_average == pytest.approx(3.4) and framing.recent_count == 5 and framing.change == 3
    # only step 6 (2 every time) is below this candidate's own average across steps
    assert [step.number for step in progress.weakest] == [6]
    assert progress.recent_window == 5


def test_only_my_submitted_sessions_as_candidate(content, interviewer, candidate, outsider):
    mine = session(1, interviewer=interviewer, candidate=candidate)
    session(3, interviewer=interviewer, candidate=candidate, submit=False)  # a draft
    session(5, interviewer=candidate, candidate=interviewer)  # cal interviewed ivy
    session(7, interviewer=interviewer, candidate=outsider)  # someone else's
    assert [s.interview_id for s in progress_for(user=candidate).sessions] == [mine.pk]
    assert progress_for(user=outsider).sessions[0].interview_id != mine.pk


def test_page(client_for, three, candidate):
    page = client_for(candidate).get(PROGRESS).content.decode()
    chart = page.split('<svg class="trend-chart"')[1].split("</svg>")[0]
    assert '<title id="trend-title">Levels per step over your sessions</title>' in chart
    assert chart.count('<g class="series') == 7 and chart.count("<polyline") == 7
    assert chart.count("<circle") == 21
    assert 'class="series weakest" data-step="evaluation"' in chart
    assert 'class="series weakest" data-step="monitoring"' in chart
    assert "5. Evaluation (offline and online metrics): level 1 (Not yet) on" in chart
    assert '<li class="weakest"><span class="swatch"' in page  # the legend marks them too
    weakest = page.split('id="weakest"')[1].split("</section>")[0]
    assert "5. Evaluation (offline and online metrics)</strong>: average 1.3" in weakest
    assert "falling: -1 over the last 3 sessions" in weakest
    missed = page.split('id="most-missed"')[1].split("</section>")[0]
    assert "over the 2 sessions where they ticked criteria" in missed
    assert re.search(r"Picks online metrics tied to the business</strong>.*?missed in <span", missed, re.S)
    for interview in three[:2]:
        assert f'href="/interviews/{interview.pk}/review/#step-5"' in missed
    sessions = page.split('id="sessions"')[1]
    for interview in three:
        assert f'href="/interviews/{interview.pk}/review/"' in sessions
    assert "Ivy Interviewer" in sessions and "@example.com" not in page
    assert 'href="/progress/" title="Your scores over your sessions as a candidate" aria-current="page"' in page


def test_one_session_draws_points_only(client_for, content, interviewer, candidate):
    session(1, interviewer=interviewer, candidate=candidate, levels={4: 2})
    page = client_for(candidate).get(PROGRESS).content.decode()
    chart = page.split('<svg class="trend-chart"')[1].split("</svg>")[0]
    assert "<polyline" not in chart and chart.count("<circle") == 7
    assert "One session so far" in page and "one session so far" in page
    assert "None of your interviewers ticked criteria yet" in page


def test_empty_state(client_for, content, outsider):
    response = client_for(outsider).get(PROGRESS)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="progress-empty"' in page and "trend-chart" not in page


def test_anonymous_is_sent_to_login(client):
    response = client.get(PROGRESS)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_people_see_only_their_own(client_for, three, interviewer, outsider):
    # ivy was the interviewer in all three: as a candidate she has nothing yet
    for user in (interviewer, outsider):
        assert 'id="progress-empty"' in client_for(user).get(PROGRESS).content.decode()


def test_query_count_does_not_grow_with_sessions(
    client_for, content, interviewer, candidate, django_assert_num_queries
):
    ticks = {"met": ["offline-metrics"], "not_met": ["online-metrics"]}
    for hours in (1, 3):
        session(hours, interviewer=interviewer, candidate=candidate, **ticks)
    # scorecards with interview, problem, interviewer and rubric; step scores; ticks; criteria
    with django_assert_num_queries(4):
        progress_for(user=candidate)
    c = client_for(candidate)
    # the page adds the session, the user, the profile (time zone) and the active rubric (level names)
    with django_assert_num_queries(8):
        assert c.get(PROGRESS).status_code == 200
    for hours in (5, 7, 9, 11):
        session(hours, interviewer=interviewer, candidate=candidate, **ticks)
    with django_assert_num_queries(4):
        assert len(progress_for(user=candidate).sessions) == 6
    with django_assert_num_queries(8):
        assert c.get(PROGRESS).status_code == 200
