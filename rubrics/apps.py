"""Rubric and problem content (versioned rubrics, the problem bank, their YAML schema) and the
pure evidence finder."""

from django.apps import AppConfig


class RubricsConfig(AppConfig):
    name = "rubrics"
    verbose_name = "Rubrics and problems"
