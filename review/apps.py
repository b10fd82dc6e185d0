from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Review"

    def ready(self) -> None:
        from rubrics.selectors.content import rubric_scored_check_register

        from . import signals  # noqa: F401  (connects the receivers)
        from .selectors.scorecards import rubric_used_for_scoring

        rubric_scored_check_register(rubric_used_for_scoring)
