"""Where apps above `interview` plug into it without `interview` importing them (the import order
is core <- whiteboard <- rubrics <- interview <- review): extra sections on profile pages, and how
well a person is rated as an interviewer, which the match queue prefers. Registered in the other
app's `AppConfig.ready`."""

from collections.abc import Callable, Iterable

# user id -> {"template": ..., "context": {...}} or None: a section shown on that person's profile.
ProfileSection = Callable[[int], dict | None]
# user ids -> {user id: mean rating 1-5} for those who have one.
InterviewerScores = Callable[[Iterable[int]], dict[int, float]]

_profile_sections: list[ProfileSection] = []
_interviewer_scores: list[InterviewerScores] = []


def profile_section_register(section: ProfileSection) -> None:
    if section not in _profile_sections:
        _profile_sections.append(section)


def profile_sections_for(*, user_id: int) -> list[dict]:
    return [found for section in _profile_sections if (found := section(user_id)) is not None]


def interviewer_scores_register(scores: InterviewerScores) -> None:
    if scores not in _interviewer_scores:
        _interviewer_scores.append(scores)


def interviewer_scores_for(*, user_ids: Iterable[int]) -> dict[int, float]:
    ids = list(user_ids)
    merged: dict[int, float] = {}
    for scores in _interviewer_scores:
        merged.update(scores(ids))
    return merged
