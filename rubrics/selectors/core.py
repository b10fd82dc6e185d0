"""Reads: the active rubric and its steps, the problem bank, scorecards."""

from django.db.models import Prefetch, QuerySet

from ..models import Criterion, Problem, Rubric, RubricStep


def rubric_active() -> Rubric | None:
    return Rubric.objects.filter(is_active=True).order_by("slug", "-version").first()


def rubric_steps(*, rubric_id: int) -> QuerySet[RubricStep]:
    return (
        RubricStep.objects.filter(rubric_id=rubric_id)
        .order_by("number")
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order")))
    )


def problem_list() -> QuerySet[Problem]:
    return Problem.objects.filter(is_active=True).order_by("title")
