from django.apps import AppConfig


class InterviewConfig(AppConfig):
    name = "interview"
    verbose_name = "Interviews"

    def ready(self):
        from rubrics.access import problem_material_readers_register
        from whiteboard.access import register_board_policy

        from . import signals  # noqa: F401
        from .access import interview_board_policy, problem_material_problem_ids

        register_board_policy(interview_board_policy)
        problem_material_readers_register(problem_material_problem_ids)
