from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Review"

    def ready(self) -> None:
        from interview.hooks import interviewer_scores_register, profile_section_register
        from rubrics.selectors.content import rubric_scored_check_register

        from . import signals  # noqa: F401  (connects the receivers)
        from .selectors.feedback import interviewer_scores_for
        from .selectors.scorecards import rubric_used_for_scoring
        from .views.feedback import interviewer_record_section

        rubric_scored_check_register(rubric_used_for_scoring)
        profile_section_register(interviewer_record_section)
        interviewer_scores_register(lambda user_ids: interviewer_scores_for(user_ids=user_ids))
