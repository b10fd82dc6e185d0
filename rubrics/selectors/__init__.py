"""Reads for the rubrics app."""

from .core import problem_list, rubric_active, rubric_steps, scorecard_for_interview
from .visibility import ReviewVisibility, review_visibility

__all__ = [
    "ReviewVisibility",
    "problem_list",
    "review_visibility",
    "rubric_active",
    "rubric_steps",
    "scorecard_for_interview",
]
