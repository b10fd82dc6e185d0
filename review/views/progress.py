"""Pages that read many reviews: the rubric with how often interviewers agree with the evidence
finder, and one person's progress as a candidate."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from rubrics.selectors import rubric_active, rubric_steps

from ..charts import trend_chart
from ..selectors.evidence import agreement_stats
from ..selectors.progress import progress_for


@login_required
def rubric_detail(request):
    rubric = rubric_active()
    steps = rubric_steps(rubric_id=rubric.pk) if rubric else []
    return render(request, "rubrics/rubric.html", {"rubric": rubric, "steps": steps, "agreement": agreement_stats()})


@login_required
def progress(request):
    """The signed-in person's scores as a candidate over their sessions: trends, weakest steps, missed criteria."""
    data = progress_for(user=request.user)
    rubric = rubric_active()
    level_names = {level: rubric.level_name(level) for level in (1, 2, 3, 4)} if rubric else {}
    return render(
        request,
        "review/progress.html",
        {"progress": data, "chart": trend_chart(data, level_names=level_names)},
    )
