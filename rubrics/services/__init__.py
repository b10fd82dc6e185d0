"""Writes for the rubrics app: content (rubrics and the problem bank), scorecards."""

from .content import CONTENT_DIR, content_load, problems_import, rubric_import, yaml_load
from .scorecards import scorecard_get_or_create, scorecard_submit, scorecard_update

__all__ = [
    "CONTENT_DIR",
    "content_load",
    "problems_import",
    "rubric_import",
    "scorecard_get_or_create",
    "scorecard_submit",
    "scorecard_update",
    "yaml_load",
]
