"""Reads for rubric and problem-bank content as data: what `rubric_export` and `problems_export`
write, in exactly the schema of rubrics/content/rubric.yaml and problems.yaml."""

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Max, Prefetch, QuerySet

from core.hooks import Hook

from ..models import LEVELS, Criterion, Problem, Rubric, RubricStep

EXPECTATION_KEYS = (
    "offline_components",
    "online_components",
    "connections",
    "offline_metrics",
    "online_metrics",
    "pitfalls",
)
REFERENCE_LANES = ("offline", "online")
BUNDLED_RUBRIC = Path(__file__).resolve().parent.parent / "content" / "rubric.yaml"


@cache
def bundled_step_keys() -> tuple[str, ...]:
    """The step keys of the bundled rubric, in step order (read once per process)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(BUNDLED_RUBRIC, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader
    return tuple(step["key"] for step in data["steps"])


def problem_step_keys() -> tuple[str, ...]:
    """The steps a problem's follow-ups and hints may be filed under: the bundled rubric's keys in
    step order, then any other key a rubric version in the database uses."""
    bundled = bundled_step_keys()
    stored = set(RubricStep.objects.values_list("key", flat=True).distinct())
    return bundled + tuple(sorted(stored - set(bundled)))


def by_step(value: dict | None, step_keys: Iterable[str]) -> dict[str, list[str]]:
    """Per-step lists in step order (a JSON column may hand its keys back in any order); keys no
    rubric knows any more come last, alphabetically, so nothing stored is lost on export."""
    value = value or {}
    order = [key for key in step_keys if key in value]
    order += sorted(key for key in value if key not in order)
    return {key: list(value[key]) for key in order}


def reference_design_as_data(value: dict | None) -> dict[str, list]:
    value = value or {}
    return {
        **{lane: list(value.get(lane, [])) for lane in REFERENCE_LANES},
        "arrows": [list(arrow) for arrow in value.get("arrows", [])],
    }


def rubric_get(*, slug: str | None = None, version: int | None = None) -> Rubric:
    """One rubric version: by slug and version; the newest version of `slug`; or, with neither, the
    active rubric. Raises Rubric.DoesNotExist."""
    rubrics = Rubric.objects.filter(is_active=True) if slug is None else Rubric.objects.filter(slug=slug)
    if version is not None:
        rubrics = rubrics.filter(version=version)
    rubric = rubrics.order_by("slug", "-version").first()
    if rubric is None:
        raise Rubric.DoesNotExist
    return rubric


def rubric_versions(*, slug: str) -> list[int]:
    return list(Rubric.objects.filter(slug=slug).order_by("version").values_list("version", flat=True))


def rubric_next_version(*, slug: str) -> int:
    return (Rubric.objects.filter(slug=slug).aggregate(latest=Max("version"))["latest"] or 0) + 1


# Apps that score against a rubric say here how to tell whether they used a version (the review
# app registers its scorecards, evidence reports and self-assessments), so this app needs no
# knowledge of theirs.
rubric_scored_checks: Hook[Callable[[int], bool]] = Hook("rubric scored checks")


def rubric_is_scored(*, rubric_id: int) -> bool:
    """Whether anything was scored with this version. Such a version is history and stays as it is."""
    return any(check(rubric_id) for check in rubric_scored_checks)


def _levels(levels: dict) -> dict[int, Any]:
    return {level: levels[str(level)] for level in LEVELS if str(level) in levels}


def rubric_as_data(*, rubric: Rubric) -> dict[str, Any]:
    steps = (
        RubricStep.objects.filter(rubric=rubric)
        .order_by("number")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id")))
    )
    return {
        "slug": rubric.slug,
        "version": rubric.version,
        "title": rubric.title,
        "description": rubric.description,
        "levels": {
            level: {"name": value.get("name", ""), "summary": value.get("summary", "")}
            for level, value in _levels(rubric.levels).items()
        },
        "steps": [
            {
                "number": step.number,
                "key": step.key,
                "title": step.title,
                "summary": step.summary,
                "time_budget_minutes": step.time_budget_minutes,
                "interviewer_prompts": list(step.interviewer_prompts),
                "criteria": [
                    {
                        "key": criterion.key,
                        "title": criterion.title,
                        "description": criterion.description,
                        "weight": criterion.weight,
                        "concepts": list(criterion.concepts),
                        "levels": _levels(criterion.levels),
                    }
                    for criterion in step.criteria.all()
                ],
            }
            for step in steps
        ],
    }


def problem_as_data(*, problem: Problem, step_keys: Iterable[str] | None = None) -> dict[str, Any]:
    step_keys = problem_step_keys() if step_keys is None else tuple(step_keys)
    expectations = problem.expectations or {}
    return {
        "slug": problem.slug,
        "title": problem.title,
        "difficulty": problem.difficulty,
        "domain": problem.domain,
        "summary": problem.summary,
        "prompt": problem.prompt,
        "clarifying_facts": list(problem.clarifying_facts),
        "expectations": {
            key: [list(pair) if key == "connections" else pair for pair in expectations.get(key, [])]
            for key in EXPECTATION_KEYS
        },
        "follow_ups": by_step(problem.follow_ups, step_keys),
        "hints": by_step(problem.hints, step_keys),
        "reference_design": reference_design_as_data(problem.reference_design),
    }


def problems_as_data(*, problems: QuerySet[Problem] | None = None) -> dict[str, Any]:
    """The problem bank (active and retired problems alike) in the order it was loaded."""
    problems = Problem.objects.all() if problems is None else problems
    step_keys = problem_step_keys()
    return {"problems": [problem_as_data(problem=problem, step_keys=step_keys) for problem in problems.order_by("pk")]}
