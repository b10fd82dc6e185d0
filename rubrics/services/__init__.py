"""Writes for the rubrics app: content (rubrics and the problem bank) and its YAML import/export."""

from .content import CONTENT_DIR, content_load, problems_import, rubric_import, yaml_load

__all__ = ["CONTENT_DIR", "content_load", "problems_import", "rubric_import", "yaml_load"]
