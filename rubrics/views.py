"""Pages of the content: the problem bank and one problem."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .selectors import problem_list


@login_required
def problem_bank(request):
    return render(request, "rubrics/problems.html", {"problems": problem_list()})


@login_required
def problem_detail(request, slug: str):
    return render(request, "rubrics/problem.html", {"problem": get_object_or_404(problem_list(), slug=slug)})
