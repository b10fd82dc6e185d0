"""Where apps above `interview` plug into it without `interview` importing them (the import order
is core <- whiteboard <- rubrics <- interview <- review): extra sections on profile pages, and how
well a person is rated as an interviewer, which the match queue prefers. Implementations are
registered in the other app's `AppConfig.ready` (`profile_sections.register(...)`)."""

from collections.abc import Callable, Iterable

from core.hooks import Hook

# user id -> {"template": ..., "context": {...}} or None: a section shown on that person's profile.
ProfileSection = Callable[[int], dict | None]
# user_ids=... -> {user id: mean rating 1-5} for those who have one.
InterviewerScores = Callable[..., dict[int, float]]

profile_sections: Hook[ProfileSection] = Hook("profile sections")
interviewer_scores: Hook[InterviewerScores] = Hook("interviewer scores")


def profile_sections_for(*, user_id: int) -> list[dict]:
    return [found for section in profile_sections if (found := section(user_id)) is not None]


def interviewer_scores_for(*, user_ids: Iterable[int]) -> dict[int, float]:
    ids = list(user_ids)
    merged: dict[int, float] = {}
    for scores in interviewer_scores:
        merged.update(scores(user_ids=ids))
    return merged
