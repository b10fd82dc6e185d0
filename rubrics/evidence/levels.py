"""How much evidence each criterion of a step has, and the one-line coverage summary of a step.

Per criterion:
    talk  = distinct concepts the candidate named (not in negation), up to TALK_FULL, as a fraction
    board = the share of the criterion's board checks that pass, when it has any
    score = talk, or (talk + board) / 2 for a criterion with board checks

`suggest_level` gives the summary line ("Evidence for 3 of 4 criteria; 2 of 5 board checks pass;
nothing for ...") and the count-based level the finder used before reading depth. The suggested
level itself now comes from judge.py, which weighs coverage against depth and prompting.

Naming concepts is not the same as weighing them, so this is a suggestion to check against the
level descriptors, never a score: the interviewer's level is the one that counts.
"""

from collections.abc import Sequence
from dataclasses import dataclass

TALK_FULL = 3  # distinct concepts that give a criterion full credit for what was said
LEVEL_FLOORS = ((0.75, 4), (0.5, 3), (0.2, 2))


@dataclass(frozen=True)
class CriterionCoverage:
    key: str
    title: str
    weight: int
    concepts_found: int = 0
    concepts_negated: int = 0  # named only in negation: shown, never counted
    checks_passed: int = 0
    checks_total: int = 0

    @property
    def score(self) -> float:
        talk = min(self.concepts_found, TALK_FULL) / TALK_FULL
        if not self.checks_total:
            return talk
        return (talk + self.checks_passed / self.checks_total) / 2

    @property
    def has_evidence(self) -> bool:
        return self.concepts_found > 0 or self.checks_passed > 0


@dataclass(frozen=True)
class StepLevel:
    level: int
    score: float
    summary: str


def level_for(score: float) -> int:
    for floor, level in LEVEL_FLOORS:
        if score >= floor:
            return level
    return 1


def _titles(criteria: Sequence[CriterionCoverage], limit: int = 2) -> str:
    names = [f"“{c.title}”" for c in criteria[:limit]]
    more = len(criteria) - limit
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def suggest_level(criteria: Sequence[CriterionCoverage]) -> StepLevel:
    """The level the evidence suggests for a step, with a one-line summary of why."""
    total_weight = sum(c.weight for c in criteria)
    if not criteria or total_weight <= 0:
        return StepLevel(1, 0.0, "This step has no criteria to find evidence for.")
    score = round(sum(c.weight * c.score for c in criteria) / total_weight, 3)
    covered = [c for c in criteria if c.has_evidence]
    if not covered:
        negated = [c for c in criteria if c.concepts_negated]
        summary = "No evidence for any criterion"
        if negated:
            summary += f"; {_titles(negated)} came up only in negation"
        return StepLevel(level_for(score), score, summary + ".")
    parts = [f"Evidence for {len(covered)} of {len(criteria)} criteria"]
    passed = sum(c.checks_passed for c in criteria)
    checks = sum(c.checks_total for c in criteria)
    if checks:
        parts.append(f"{passed} of {checks} board checks pass")
    uncovered = [c for c in criteria if not c.has_evidence]
    if uncovered:
        parts.append(f"nothing for {_titles(uncovered)}")
    return StepLevel(level_for(score), score, "; ".join(parts) + ".")
