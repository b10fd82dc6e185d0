"""Who may read a problem's interviewer material: its clarifying facts, the expected components,
connections and metrics, the pitfalls, the follow-up questions and hints, and the reference design.

The title, summary and prompt are for everyone signed in; the material is for the interviewer of a
session on that problem, and for a candidate once they have done it, so nobody memorises the answer
to a case they are meant to meet cold. The problem pages, the problem API and the review all ask
this module. Which sessions count lives in the interview app (this app knows nothing of
interviews): it registers a reader hook in its `AppConfig.ready`."""

from collections.abc import Callable, Iterable

from core.hooks import Hook

# user id -> the ids of the problems whose material that person may read
MaterialReaders = Callable[[int], Iterable[int]]

problem_material_readers: Hook[MaterialReaders] = Hook("problem material readers")


def problem_material_ids(*, user) -> frozenset[int]:
    """The problems whose interviewer material `user` may read (none for someone signed out)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return frozenset(problem_id for readers in problem_material_readers for problem_id in readers(user.pk))


def problem_material_visible(*, user, problem_id: int) -> bool:
    return problem_id in problem_material_ids(user=user)
