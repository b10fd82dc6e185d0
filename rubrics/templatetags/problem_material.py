"""Interviewer material of a problem, as template tags:
`{% interviewer_guide problem %}` (follow-up questions and hints per step) and
`{% reference_design problem %}` (the drawing, lanes and arrows of one strong design).

The page that uses them decides who may see them, with its own visibility rule."""

from django import template

from ..selectors.content import by_step, problem_step_keys
from ..selectors.core import rubric_active
from ..selectors.design import reference_design_for

register = template.Library()


@register.inclusion_tag("rubrics/_reference_design.html")
def reference_design(problem, heading: str = "h2"):
    heading = "h3" if heading == "h3" else "h2"
    subheading = "h4" if heading == "h3" else "h3"
    return {"design": reference_design_for(problem), "problem": problem, "heading": heading, "subheading": subheading}


@register.inclusion_tag("rubrics/_interviewer_guide.html")
def interviewer_guide(problem):
    """The problem's follow-ups and hints, in step order under the titles of the active rubric's steps."""
    follow_ups, hints = problem.follow_ups or {}, problem.hints or {}
    keys = by_step({key: [] for key in [*follow_ups, *hints]}, problem_step_keys())
    rubric = rubric_active()
    titles = {step.key: f"{step.number}. {step.title}" for step in rubric.steps.all()} if rubric else {}
    return {
        "steps": [
            {
                "key": key,
                "title": titles.get(key, key),
                "follow_ups": follow_ups.get(key, []),
                "hints": hints.get(key, []),
            }
            for key in keys
        ]
    }
