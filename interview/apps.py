"""Scheduling and the live room; `ready` registers the interview board policy and connects signals."""

from django.apps import AppConfig


class InterviewConfig(AppConfig):
    name = "interview"
    verbose_name = "Interviews"

    def ready(self):
        from rubrics.access import problem_material_readers
        from whiteboard.access import board_policies

        from . import signals  # noqa: F401
        from .access import interview_board_policy, problem_material_problem_ids

        board_policies.register(interview_board_policy)
        problem_material_readers.register(problem_material_problem_ids)
