import pytest
from django.core.management import call_command

from core.errors import ApplicationError
from review.models import Scorecard
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from rubrics.models import Criterion, Problem, Rubric
from rubrics.services import CONTENT_DIR, content_load, problems_import, rubric_import, yaml_load

pytestmark = pytest.mark.django_db


def test_content_is_complete_and_load_is_idempotent():
    first = content_load()
    assert first["rubric_created"] and first["problems_created"] >= 8
    rubric = Rubric.objects.get()
    steps = list(rubric.steps.order_by("number"))
    assert [s.key for s in steps] == ["clarify", "framing", "data", "model", "evaluation", "serving", "monitoring"]
    for step in steps:
        criteria = list(step.criteria.all())
        assert 2 <= len(criteria) <= 4
        for criterion in criteria:
            assert sorted(criterion.levels) == ["1", "2", "3", "4"] and all(criterion.levels.values())
    for problem in Problem.objects.all():
        assert problem.prompt and {"offline_components", "online_components"} <= set(problem.expectations)
    again = content_load()
    assert not again["rubric_created"] and again["problems_created"] == 0
    assert Rubric.objects.count() == 1


def test_admin_edits_survive_reload_unless_replace():
    content_load()
    Problem.objects.filter(slug="video-recommendation").update(title="Edited in admin")
    call_command("load_content")
    assert Problem.objects.get(slug="video-recommendation").title == "Edited in admin"
    call_command("load_content", "--replace")
    assert Problem.objects.get(slug="video-recommendation").title != "Edited in admin"


def test_new_rubric_version_retires_the_old_one():
    content_load()
    data = yaml_load(CONTENT_DIR / "rubric.yaml")
    data["version"] = 2
    rubric, created = rubric_import(data=data)
    assert created and rubric.is_active
    assert list(Rubric.objects.filter(is_active=True)) == [rubric]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("steps"),
        lambda d: d["levels"].pop(4),
        lambda d: d["steps"][0]["criteria"][0]["levels"].pop(2),
        lambda d: d["steps"][3].pop("title"),
    ],
)
def test_bad_rubric_content_is_refused_whole(mutate):
    data = yaml_load(CONTENT_DIR / "rubric.yaml")
    mutate(data)
    with pytest.raises(ApplicationError):
        rubric_import(data=data)
    assert not Rubric.objects.exists() and not Criterion.objects.exists()


def test_bad_problem_content_is_refused_whole():
    with pytest.raises(ApplicationError):
        problems_import(data={"problems": [{"slug": "ok", "title": "Ok", "prompt": "p"}, {"slug": "no-title"}]})
    assert not Problem.objects.exists()


class TestScorecard:
    def test_update_and_submit(self, interview, interviewer):
        card = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
        assert card.step_scores.count() == 7
        assert scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer) == card
        scorecard_update(
            scorecard=card,
            steps={n: {"level": 2, "notes": " n "} for n in range(1, 8)},
            recommendation="no",
            summary="ok",
        )
        card = scorecard_submit(scorecard=card)
        assert card.is_submitted and card.submitted_at
        assert set(card.step_scores.values_list("notes", flat=True)) == {"n"}
        with pytest.raises(ApplicationError) as info:
            scorecard_update(scorecard=card, steps={1: {"level": 4}})
        assert info.value.code == "locked"
        with pytest.raises(ApplicationError):
            scorecard_submit(scorecard=card)

    @pytest.mark.parametrize("steps", [{1: {"level": 0}}, {1: {"level": 5}}, {1: {"level": True}}, {8: {"level": 1}}])
    def test_bad_levels(self, interview, interviewer, steps):
        card = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
        with pytest.raises(ApplicationError):
            scorecard_update(scorecard=card, steps=steps)
        assert set(card.step_scores.values_list("level", flat=True)) == {None}

    def test_submit_needs_recommendation(self, interview, interviewer):
        card = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
        scorecard_update(scorecard=card, steps={n: {"level": 3} for n in range(1, 8)})
        with pytest.raises(ApplicationError) as info:
            scorecard_submit(scorecard=card)
        assert "recommendation" in info.value.message
        assert Scorecard.objects.get().status == "draft"
