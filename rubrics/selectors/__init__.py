"""Reads for the rubrics app."""

from .core import problem_list, rubric_active, rubric_steps, scorecard_for_interview

__all__ = ["problem_list", "rubric_active", "rubric_steps", "scorecard_for_interview"]
