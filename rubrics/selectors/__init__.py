"""Reads for the rubrics app: rubrics, their steps and the problem bank."""

from .core import problem_list, rubric_active, rubric_steps

__all__ = ["problem_list", "rubric_active", "rubric_steps"]
