"""Writes: loading rubric and problem-bank content, and filling in scorecards."""

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from config.errors import ApplicationError

from ..models import LEVELS, Criterion, Problem, Rubric, RubricStep

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


def _require(mapping: dict, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise ApplicationError(f"{where}: missing '{key}'.", code="bad_content")
    return mapping[key]


@transaction.atomic
def rubric_import(*, data: dict[str, Any], replace: bool = False) -> tuple[Rubric, bool]:
    """Create the rubric version described by `data` (the YAML schema of rubrics/content/rubric.yaml).

    An existing slug+version is left alone (admin edits survive), unless `replace` is set.
    Returns (rubric, created).
    """
    slug, version = _require(data, "slug", "rubric"), int(_require(data, "version", "rubric"))
    existing = Rubric.objects.filter(slug=slug, version=version).first()
    if existing and not replace:
        return existing, False
    if existing:
        existing.delete()
    levels = {str(level): value for level, value in _require(data, "levels", "rubric").items()}
    if sorted(levels) != [str(level) for level in LEVELS]:
        raise ApplicationError("rubric: levels must be exactly 1, 2, 3 and 4.", code="bad_content")
    rubric = Rubric.objects.create(
        slug=slug,
        version=version,
        title=_require(data, "title", "rubric"),
        description=data.get("description", "").strip(),
        levels=levels,
    )
    for step_data in _require(data, "steps", "rubric"):
        where = f"step {step_data.get('number', '?')}"
        step = RubricStep.objects.create(
            rubric=rubric,
            number=_require(step_data, "number", where),
            key=_require(step_data, "key", where),
            title=_require(step_data, "title", where),
            summary=step_data.get("summary", "").strip(),
            time_budget_minutes=_require(step_data, "time_budget_minutes", where),
            interviewer_prompts=step_data.get("interviewer_prompts", []),
        )
        for order, crit in enumerate(_require(step_data, "criteria", where), start=1):
            crit_levels = {str(level): text for level, text in _require(crit, "levels", where).items()}
            if sorted(crit_levels) != [str(level) for level in LEVELS]:
                raise ApplicationError(f"{where}: criterion {crit.get('key')} needs levels 1-4.", code="bad_content")
            Criterion.objects.create(
                step=step,
                order=order,
                key=_require(crit, "key", where),
                title=_require(crit, "title", where),
                description=crit.get("description", "").strip(),
                weight=crit.get("weight", 1),
                concepts=crit.get("concepts", []),
                levels=crit_levels,
            )
    Rubric.objects.filter(slug=slug).exclude(pk=rubric.pk).filter(version__lt=version).update(is_active=False)
    return rubric, True


@transaction.atomic
def problems_import(*, data: dict[str, Any], replace: bool = False) -> tuple[int, int]:
    """Create problems that do not exist yet (by slug); with `replace`, overwrite existing ones."""
    created = updated = 0
    for item in _require(data, "problems", "problems"):
        slug = _require(item, "slug", "problem")
        fields = {
            "title": _require(item, "title", slug),
            "difficulty": item.get("difficulty", Problem.Difficulty.MEDIUM),
            "domain": item.get("domain", ""),
            "summary": item.get("summary", "").strip(),
            "prompt": _require(item, "prompt", slug).strip(),
            "clarifying_facts": item.get("clarifying_facts", []),
            "expectations": item.get("expectations", {}),
        }
        problem = Problem.objects.filter(slug=slug).first()
        if problem is None:
            Problem.objects.create(slug=slug, **fields)
            created += 1
        elif replace:
            for name, value in fields.items():
                setattr(problem, name, value)
            problem.save()
            updated += 1
    return created, updated


def yaml_load(path: Path) -> Any:
    """Parse YAML safely, with libyaml's C loader when PyYAML was built with it (25x faster)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader


def content_load(*, directory: Path = CONTENT_DIR, replace: bool = False) -> dict[str, Any]:
    rubric, rubric_created = rubric_import(data=yaml_load(directory / "rubric.yaml"), replace=replace)
    created, updated = problems_import(data=yaml_load(directory / "problems.yaml"), replace=replace)
    return {
        "rubric": str(rubric),
        "rubric_created": rubric_created,
        "problems_created": created,
        "problems_updated": updated,
    }


# -- scorecards --------------------------------------------------------------------------------
