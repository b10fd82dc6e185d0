"""Rubrics and problems as versioned data: YAML export and import, versions, activation, and the
admin's checks and read-only history."""

import datetime as dt
import io
import json

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from interview.models import Interview
from interview.services import interview_schedule
from review.models import CriterionCheck, Scorecard, StepScore
from review.services import scorecard_get_or_create, scorecard_submit, scorecard_update
from review.services.notes import criterion_check_set, interviewer_note_add
from rubrics.admin import CriterionForm, ProblemForm, RubricForm, RubricStepForm
from rubrics.models import Criterion, Problem, Rubric, RubricStep
from rubrics.selectors import rubric_active
from rubrics.selectors.content import problems_as_data, rubric_as_data
from rubrics.services.content import (
    CONTENT_DIR,
    content_load,
    expectations_clean,
    problems_validate,
    rubric_duplicate,
    rubric_import,
    rubric_validate,
    yaml_dump,
    yaml_load,
)

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def bundled_rubric() -> dict:
    return yaml_load(CONTENT_DIR / "rubric.yaml")


def write(tmp_path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml_dump(data), encoding="utf-8")
    return str(path)


def snapshot() -> list:
    """Every rubric row with its content, to show that a refused import changed nothing."""
    return [(r.slug, r.version, r.is_active, rubric_as_data(rubric=r)) for r in Rubric.objects.order_by("pk")]


# -- export ------------------------------------------------------------------------------------


def test_export_writes_the_schema_of_the_bundled_file(content, tmp_path):
    out, _ = run("rubric_export")
    exported = yaml.safe_load(out)
    assert exported == rubric_validate(bundled_rubric())
    assert list(exported) == ["slug", "version", "title", "description", "levels", "steps"]
    step = exported["steps"][4]
    assert list(step) == ["number", "key", "title", "summary", "time_budget_minutes", "interviewer_prompts", "criteria"]
    assert step["time_budget_minutes"] > 0
    criterion = step["criteria"][0]
    assert list(criterion) == ["key", "title", "description", "weight", "concepts", "levels"]
    assert 1 <= criterion["weight"] <= 3 and criterion["concepts"]
    assert list(criterion["levels"]) == [1, 2, 3, 4]

    target = tmp_path / "rubric.yaml"
    _, err = run("rubric_export", "--slug", content.slug, "--version", "1", "-o", str(target))
    assert target.read_text(encoding="utf-8") == out
    assert str(target) in err


def test_export_names_what_is_missing(content):
    with pytest.raises(CommandError, match="has no version 7 \\(versions: 1\\)"):
        run("rubric_export", "--slug", content.slug, "--version", "7")
    with pytest.raises(CommandError, match="There is no rubric 'nope'"):
        run("rubric_export", "--slug", "nope")
    Rubric.objects.update(is_active=False)
    with pytest.raises(CommandError, match="No rubric is active"):
        run("rubric_export")


def test_round_trip_under_a_new_version_is_identical_but_for_the_version(content, tmp_path):
    first, _ = run("rubric_export")
    data = yaml.safe_load(first)
    data["version"] = 2
    out, _ = run("rubric_import", write(tmp_path, "v2.yaml", data))
    assert "Imported" in out and "not active" in out
    second, _ = run("rubric_export", "--slug", content.slug, "--version", "2")

    assert second != first
    changed = [(a, b) for a, b in zip(first.splitlines(), second.splitlines(), strict=True) if a != b]
    assert changed == [("version: 1", "version: 2")]
    assert Rubric.objects.get(version=2).steps.count() == 7
    assert (
        Criterion.objects.filter(step__rubric__version=2).count()
        == Criterion.objects.filter(step__rubric__version=1).count()
    )


def test_problems_round_trip(content, tmp_path):
    first, _ = run("problems_export")
    assert yaml.safe_load(first) == {"problems": problems_validate(yaml_load(CONTENT_DIR / "problems.yaml"))}
    path = write(tmp_path, "problems.yaml", first)

    problem = Problem.objects.get(slug="video-recommendation")
    problem.expectations = {"offline_components": ["only this"]}
    problem.save()
    out, _ = run("problems_import", path)
    assert "0 created, 0 updated" in out  # existing problems are kept without --replace
    out, _ = run("problems_import", path, "--replace")
    assert "0 created, 1 updated" in out
    again, _ = run("problems_export")
    assert again == first

    one, _ = run("problems_export", "--slug", "video-recommendation")
    assert [p["slug"] for p in yaml.safe_load(one)["problems"]] == ["video-recommendation"]
    with pytest.raises(CommandError, match="no problem 'nope'"):
        run("problems_export", "--slug", "nope")


def test_problems_import_adds_new_problems(content, tmp_path):
    data = problems_as_data(problems=Problem.objects.filter(slug="video-recommendation"))
    data["problems"][0]["slug"] = "video-recommendation-2"
    out, _ = run("problems_import", write(tmp_path, "new.yaml", data))
    assert "1 created, 0 updated" in out
    assert Problem.objects.get(slug="video-recommendation-2").expectations["connections"]


# -- import: versions are immutable ------------------------------------------------------------


def test_importing_the_same_content_again_is_a_no_op(content, tmp_path):
    exported, _ = run("rubric_export")
    before = snapshot()
    out, _ = run("rubric_import", write(tmp_path, "same.yaml", exported))
    assert "already there with the same content; nothing was imported" in out
    assert snapshot() == before


def test_different_content_under_an_existing_version_is_refused(content, tmp_path):
    data = rubric_validate(bundled_rubric())
    data["steps"][0]["criteria"][0]["weight"] = 1
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run("rubric_import", write(tmp_path, "changed.yaml", data))
    message = str(refused.value)
    assert "version 1 already exists with different content" in message
    assert "set version to 2" in message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (
            lambda d: d["steps"][2]["criteria"][0]["levels"].pop(3),
            "steps[2].criteria[0].levels: needs descriptors for levels 1-4",
        ),
        (
            lambda d: d["steps"][2]["criteria"][0].update(levels="good"),
            "steps[2].criteria[0].levels: needs descriptors for levels 1-4",
        ),
        (lambda d: d["steps"][1]["criteria"][1].update(weight=5), "steps[1].criteria[1].weight: must be from 1 to 3"),
        (
            lambda d: d["steps"][0]["criteria"][0].update(concepts="ndcg"),
            "steps[0].criteria[0].concepts: must be a list",
        ),
        (lambda d: d["steps"][3].pop("time_budget_minutes"), "steps[3]: missing 'time_budget_minutes'"),
        (
            lambda d: d["steps"][3].update(time_budget_minutes="soon"),
            "steps[3].time_budget_minutes: must be a whole number",
        ),
        (lambda d: d["steps"][4].update(number=9), "steps[4].number: must be from 1 to 7"),
        (lambda d: d["steps"].reverse(), "steps[0].number: expected 1"),
        (lambda d: d["steps"][5]["criteria"][0].update(critera=[]), "steps[5].criteria[0].critera: unknown key"),
        (
            lambda d: d["steps"][6]["criteria"][1].update(key="has space"),
            "steps[6].criteria[1].key: 'has space' must use",
        ),
        (
            lambda d: d["steps"][6]["criteria"].append(dict(d["steps"][6]["criteria"][0])),
            "is used by another criterion",
        ),
        (lambda d: d["levels"].pop(4), "levels: needs a name for levels 1-4 (missing 4)"),
        (lambda d: d.update(version="two"), "version: must be a whole number"),
        (lambda d: d.update(steps=[]), "steps: needs at least one step"),
    ],
)
def test_schema_errors_name_the_place_and_change_nothing(content, tmp_path, mutate, where):
    data = bundled_rubric()
    data["version"] = 2
    mutate(data)
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        run("rubric_import", write(tmp_path, "bad.yaml", data))
    assert where in str(refused.value)
    assert str(tmp_path / "bad.yaml") in str(refused.value)
    assert "Nothing was imported" in str(refused.value)
    assert snapshot() == before


def test_broken_yaml_names_the_file_and_line(content, tmp_path):
    path = write(tmp_path, "broken.yaml", "slug: x\nversion: 2\nsteps: [unclosed\ntitle: t\n")
    with pytest.raises(CommandError, match=r"broken\.yaml: not valid YAML at line \d+, column \d+"):
        run("rubric_import", path)
    with pytest.raises(CommandError, match="no such file"):
        run("rubric_import", str(tmp_path / "missing.yaml"))
    with pytest.raises(CommandError, match="must be a mapping"):
        run("rubric_import", write(tmp_path, "list.yaml", "- 1\n- 2\n"))
    assert Rubric.objects.count() == 1


def test_bad_problem_expectations_are_named(content, tmp_path):
    data = problems_as_data(problems=Problem.objects.filter(slug="video-recommendation"))
    data["problems"][0]["expectations"]["connections"][1] = ["training"]
    before = list(Problem.objects.values_list("slug", "expectations"))
    with pytest.raises(
        CommandError, match=r"problems\[0\]\.expectations\.connections\[1\]: needs two component names, \[from, to\]"
    ):
        run("problems_import", write(tmp_path, "bad.yaml", data), "--replace")
    assert list(Problem.objects.values_list("slug", "expectations")) == before


# -- activation and history --------------------------------------------------------------------


def test_activate_switches_the_rubric_for_new_interviews_only(interview, interviewer, candidate, tmp_path):
    v1 = interview.rubric
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    scorecard_update(scorecard=scorecard, steps={1: {"level": 3, "notes": "clear goals"}}, recommendation="yes")
    first = v1.steps.get(number=1).criteria.first()
    criterion_check_set(interview=interview, user=interviewer, criterion_id=first.pk, met=True)
    interviewer_note_add(interview=interview, user=interviewer, step=1, text="asked about scale", client_id="n1")

    data = rubric_as_data(rubric=v1)
    data["version"] = 2
    data["steps"][0]["title"] = "Clarify the goal"
    path = write(tmp_path, "v2.yaml", data)
    run("rubric_import", path)
    assert rubric_active() == v1  # imported, not active yet
    out, _ = run("rubric_import", path, "--activate")
    assert "same content" in out and "now the active rubric" in out
    v2 = Rubric.objects.get(version=2)
    assert rubric_active() == v2
    assert list(Rubric.objects.filter(is_active=True)) == [v2]

    # Nothing already scheduled or scored moved to the new version.
    interview.refresh_from_db()
    scorecard.refresh_from_db()
    assert interview.rubric == v1 and scorecard.rubric == v1
    assert scorecard_get_or_create(interview=interview, rubric=v2, scorer=interviewer) == scorecard
    assert {s.step.rubric_id for s in StepScore.objects.filter(scorecard=scorecard)} == {v1.pk}
    assert StepScore.objects.get(scorecard=scorecard, step__number=1).level == 3
    assert CriterionCheck.objects.get(scorecard=scorecard).criterion == first
    assert scorecard.interview.rubric.steps.get(number=1).title == "Clarify requirements and business goal"

    # New interviews use the active version.
    later = interview_schedule(
        created_by=interviewer,
        problem_id=interview.problem_id,
        scheduled_at=timezone.now() + dt.timedelta(days=2),
        peer=candidate.username,
        my_role="interviewer",
    )
    assert later.rubric == v2

    # A version scored with cannot be replaced, even by load_content --replace.
    with pytest.raises(ApplicationError, match="has been used to score interviews"):
        rubric_import(data={**rubric_as_data(rubric=v1), "title": "Changed"}, if_exists="replace")


def test_submitted_scorecards_keep_their_version_through_activation(interview, interviewer):
    scorecard = scorecard_get_or_create(interview=interview, rubric=interview.rubric, scorer=interviewer)
    scorecard_update(
        scorecard=scorecard, steps={n: {"level": 2, "notes": ""} for n in range(1, 8)}, recommendation="no"
    )
    scorecard_submit(scorecard=scorecard)
    copy = rubric_duplicate(rubric=interview.rubric)
    rubric_import(data={**rubric_as_data(rubric=copy), "version": 3}, activate=True)
    scorecard = Scorecard.objects.get(pk=scorecard.pk)
    assert scorecard.rubric == interview.rubric and scorecard.is_submitted
    assert Interview.objects.get(pk=interview.pk).rubric_id == interview.rubric_id


def test_load_content_keeps_existing_versions_and_replaces_only_unscored_ones(content):
    RubricStep.objects.filter(rubric=content, number=1).update(title="Edited in the admin")
    result = content_load()
    assert not result["rubric_created"]
    assert content.steps.get(number=1).title == "Edited in the admin"
    content_load(replace=True)
    assert content.steps.get(number=1).title == "Clarify requirements and business goal"
    assert Rubric.objects.get() == content and content.steps.count() == 7


def test_load_content_names_the_file_and_loads_nothing_when_one_is_bad(db, tmp_path):
    (tmp_path / "rubric.yaml").write_text((CONTENT_DIR / "rubric.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    problems = yaml_load(CONTENT_DIR / "problems.yaml")
    problems["problems"][2]["difficulty"] = "brutal"
    (tmp_path / "problems.yaml").write_text(yaml_dump(problems), encoding="utf-8")
    with pytest.raises(ApplicationError, match=r"problems\.yaml: problems\[2\]\.difficulty: must be one of easy"):
        content_load(directory=tmp_path)
    assert not Rubric.objects.exists() and not Problem.objects.exists()


def test_duplicate_makes_an_inactive_next_version(content):
    copy = rubric_duplicate(rubric=content)
    assert (copy.slug, copy.version, copy.is_active) == (content.slug, 2, False)
    assert {**rubric_as_data(rubric=copy), "version": 1} == rubric_as_data(rubric=content)
    assert rubric_active() == content


def test_yaml_dump_round_trips_every_text(content):
    data = rubric_as_data(rubric=content)
    assert yaml.safe_load(yaml_dump(data)) == data
    tricky = {"a": "line one\nline two", "b": "colon: inside", "c": "  spaced  ", "d": "- dash", "e": ["x: y", "[z]"]}
    assert yaml.safe_load(yaml_dump(tricky)) == tricky


# -- admin -------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_forms_check_structured_fields():
    form = RubricForm(
        data={"slug": "r", "version": 1, "title": "R", "levels": '{"1": {"name": "a"}, "2": {"name": "b"}}'}
    )
    assert not form.is_valid()
    assert form.errors["levels"] == ["levels: needs a name for levels 1-4 (missing 3, 4)"]

    form = CriterionForm(
        data={"order": 1, "key": "k", "title": "T", "weight": 2, "concepts": '["ndcg", "NDCG"]', "levels": "{}"}
    )
    assert not form.is_valid()
    assert form.errors["levels"] == ["This field is required."]
    assert form.errors["concepts"] == ["concepts[1]: 'NDCG' is listed twice"]
    form = CriterionForm(
        data={
            "order": 1,
            "key": "k",
            "title": "T",
            "weight": 2,
            "concepts": '["ndcg"]',
            "levels": '{"1": "a", "2": "b", "3": "", "4": "d"}',
        }
    )
    assert not form.is_valid() and form.errors["levels"] == ["levels[3]: must not be empty"]

    form = ProblemForm(
        data={
            "slug": "p",
            "title": "P",
            "difficulty": "easy",
            "prompt": "Design it.",
            "expectations": '{"connections": [["a", "b", "c"]]}',
        }
    )
    assert not form.is_valid()
    assert form.errors["expectations"] == ["expectations.connections[0]: needs two component names, [from, to]"]
    form = ProblemForm(
        data={
            "slug": "p",
            "title": "P",
            "difficulty": "easy",
            "prompt": "Design it.",
            "expectations": '{"offline": []}',
        }
    )
    assert not form.is_valid() and "expectations.offline: unknown key" in form.errors["expectations"][0]
    form = ProblemForm(
        data={
            "slug": "p",
            "title": "P",
            "difficulty": "easy",
            "prompt": "Design it.",
            "expectations": '{"offline_components": ["feature store "], "connections": [["a", "b"]]}',
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["expectations"] == expectations_clean(
        {"offline_components": ["feature store"], "connections": [["a", "b"]]}
    )


def test_admin_rubric_form_keeps_one_rubric_active(content):
    fields = {
        "slug": content.slug,
        "version": content.version,
        "title": content.title,
        "levels": json.dumps(content.levels),
    }
    form = RubricForm(data=fields, instance=content)
    assert not form.is_valid() and "need an active rubric" in form.errors["is_active"][0]
    assert RubricForm(data={**fields, "is_active": "on"}, instance=content).is_valid()


def test_admin_saves_a_problem_with_checked_expectations(admin_client, content):
    problem = Problem.objects.get(slug="video-recommendation")
    url = reverse("admin:rubrics_problem_change", args=[problem.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and b"offline_components" in page.content
    fields = {
        "slug": problem.slug,
        "title": problem.title,
        "difficulty": problem.difficulty,
        "domain": problem.domain,
        "summary": problem.summary,
        "prompt": problem.prompt,
        "clarifying_facts": "[]",
        "is_active": "on",
    }
    refused = admin_client.post(url, {**fields, "expectations": '{"pitfalls": "one"}'})
    assert refused.status_code == 200
    assert "expectations.pitfalls: must be a list of texts" in refused.content.decode()
    saved = admin_client.post(url, {**fields, "expectations": '{"online_components": ["serving"]}'})
    assert saved.status_code == 302
    problem.refresh_from_db()
    assert problem.expectations["online_components"] == ["serving"] and problem.expectations["pitfalls"] == []


def test_admin_step_form_refuses_a_scored_rubric(content, interview, interviewer):
    scorecard_get_or_create(interview=interview, rubric=content, scorer=interviewer)
    form = RubricStepForm(
        data={"rubric": content.pk, "number": 8, "key": "extra", "title": "Extra", "time_budget_minutes": 5}
    )
    assert not form.is_valid() and "read-only" in form.errors["rubric"][0]


def test_admin_scored_rubric_is_read_only(admin_client, interview, interviewer):
    rubric = interview.rubric
    step = rubric.steps.get(number=1)
    rubric_url = reverse("admin:rubrics_rubric_change", args=[rubric.pk])
    step_url = reverse("admin:rubrics_rubricstep_change", args=[step.pk])
    # Not scored yet: editable.
    assert b'name="_save"' in admin_client.get(rubric_url).content
    before_step = admin_client.get(step_url).content
    assert b'name="_save"' in before_step

    scorecard_get_or_create(interview=interview, rubric=rubric, scorer=interviewer)
    page = admin_client.get(rubric_url)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert "read-only" in page.content.decode()
    step_page = admin_client.get(step_url)
    assert step_page.status_code == 200 and b'name="_save"' not in step_page.content
    assert b'name="criteria-0-title"' in before_step and b'name="criteria-0-title"' not in step_page.content

    assert admin_client.post(rubric_url, {"title": "Rewritten"}).status_code == 403
    assert admin_client.post(step_url, {"title": "Rewritten"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:rubrics_rubric_delete", args=[rubric.pk]), {"post": "yes"}).status_code == 403
    )
    assert Rubric.objects.get(pk=rubric.pk).title == rubric.title
    assert RubricStep.objects.get(pk=step.pk).title == step.title


def test_admin_duplicate_and_activate_actions(admin_client, content):
    changelist = reverse("admin:rubrics_rubric_changelist")
    response = admin_client.post(
        changelist, {"action": "duplicate_as_new_version", "_selected_action": [content.pk]}, follow=True
    )
    assert response.status_code == 200 and "not active yet" in response.content.decode()
    copy = Rubric.objects.get(version=2)
    assert not copy.is_active and copy.steps.count() == 7

    admin_client.post(changelist, {"action": "make_active", "_selected_action": [copy.pk]})
    assert rubric_active() == copy and not Rubric.objects.get(pk=content.pk).is_active
    response = admin_client.post(
        changelist, {"action": "make_active", "_selected_action": [copy.pk, content.pk]}, follow=True
    )
    assert "exactly one" in response.content.decode() and rubric_active() == copy
