"""Template helpers for interviews."""

from django import template

from ..access import problem_visible

register = template.Library()

HIDDEN = "Problem revealed when the room opens"


@register.filter
def problem_title(interview, user) -> str:
    """The problem's title, or a placeholder for a candidate who should meet it cold."""
    return interview.problem.title if problem_visible(interview, user) else HIDDEN


@register.filter
def shows_problem(interview, user) -> bool:
    return problem_visible(interview, user)
