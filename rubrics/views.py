"""Pages of the content: the problem bank and one problem."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .access import problem_material_ids, problem_material_visible
from .selectors import problem_list


@login_required
def problem_bank(request):
    return render(
        request,
        "rubrics/problems.html",
        {"problems": problem_list(), "material_ids": problem_material_ids(user=request.user)},
    )


@login_required
def problem_detail(request, slug: str):
    problem = get_object_or_404(problem_list(), slug=slug)
    return render(
        request,
        "rubrics/problem.html",
        {"problem": problem, "material_visible": problem_material_visible(user=request.user, problem_id=problem.pk)},
    )
