"""Everything after an interview: scorecards, evidence, self-assessment, sharing, exports and
progress; `ready` plugs them into the lower apps' hooks."""

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Review"

    def ready(self) -> None:
        from interview.hooks import interviewer_scores, profile_sections
        from rubrics.selectors.content import rubric_scored_checks

        from . import signals  # noqa: F401  (connects the receivers)
        from .selectors.feedback import interviewer_scores_for
        from .selectors.scorecards import rubric_used_for_scoring
        from .views.feedback import interviewer_record_section

        rubric_scored_checks.register(rubric_used_for_scoring)
        profile_sections.register(interviewer_record_section)
        interviewer_scores.register(interviewer_scores_for)
