"""GET /api/problems/: the active problems of the bank, for signed-in users only."""

from rubrics.models import Problem

FIELDS = {"id", "slug", "title", "difficulty", "domain", "summary", "prompt", "interviewer_material_visible"}


def test_the_problem_bank_lists_active_problems_by_title(api_for, problem, outsider):
    problem.is_active = False
    problem.save(update_fields=["is_active"])
    response = api_for(outsider).get("/api/problems/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["slug"] for row in rows] == list(
        Problem.objects.filter(is_active=True).order_by("title").values_list("slug", flat=True)
    )
    assert rows and problem.slug not in {row["slug"] for row in rows}
    assert set(rows[0]) == FIELDS
    assert not any(row["interviewer_material_visible"] for row in rows)  # an outsider has done none


def test_the_problem_bank_needs_a_sign_in(api_for, content):
    assert api_for(None).get("/api/problems/").status_code == 403
