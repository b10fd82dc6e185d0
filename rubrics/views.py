from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .selectors import problem_list, rubric_active, rubric_steps


@login_required
def problem_bank(request):
    return render(request, "rubrics/problems.html", {"problems": problem_list()})


@login_required
def problem_detail(request, slug: str):
    return render(request, "rubrics/problem.html", {"problem": get_object_or_404(problem_list(), slug=slug)})


@login_required
def rubric_detail(request):
    rubric = rubric_active()
    steps = rubric_steps(rubric_id=rubric.pk) if rubric else []
    return render(request, "rubrics/rubric.html", {"rubric": rubric, "steps": steps})
