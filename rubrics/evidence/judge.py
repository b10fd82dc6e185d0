"""A suggested level for each step from what the candidate said, read the way the rubric's level
descriptors read it: what was covered, how deeply, and who brought it up.

For each step, from the candidate's units (depth.py) said while the step was current, plus the
concepts named for the step's criteria at any time:

- coverage: per criterion, the strongest unit that is evidence for it, weighted by the criterion's
  weight. A unit is evidence for a criterion when it names one of its concepts (stemmed, synonyms,
  typos folded) or when its sentence embedding is close to the criterion's description and
  descriptors (SEMANTIC_MATCH). A bare list counts LIST_CREDIT, a prompted mention PROMPTED_CREDIT.
- depth: the kinds of depth signal in the step's own units that are neither lists nor echoes.
- substance: the content words of those units, up to SUBSTANCE_FULL.

    score = 0.4 * coverage + 0.4 * min(depth kinds, 5) / 5 + 0.2 * min(substance, 60) / 60

mapped to a level (>= 0.62: 4, >= 0.4: 3, >= 0.16: 2, else 1). When most of the step's evidence
came only after the interviewer used the same words, the level is one lower (the rubric: after a
heavy hint, score one level lower); a step whose only evidence is bare lists is at most 2.
"""

import datetime as dt
from dataclasses import dataclass, field

LIST_CREDIT = 0.35
PROMPTED_CREDIT = 0.5
SEMANTIC_MATCH = 0.42  # cosine between a unit and a criterion's description/descriptors
SEMANTIC_CREDIT = 0.8
SUBSTANCE_FULL = 60
DEPTH_FULL = 5
LEVEL_FLOORS = ((0.62, 4), (0.4, 3), (0.16, 2))
PROMPTED_SHARE = 0.5
PROMPTED_FLOOR = 0.3  # coverage at which a prompted answer still shows the topic came up (level 2)

SIGNAL_TEXT = {
    "choice": "concrete choice",
    "trade-off": "trade-off stated",
    "alternatives": "alternatives weighed",
    "numbers": "numbers given",
    "business": "tied to the business goal",
    "failure": "failure mode anticipated",
}


@dataclass(frozen=True)
class Signal:
    """One reason behind a suggested level, with the moment it happened and the words that showed it."""

    kind: str  # a depth kind (depth.KINDS), or prompted, list, semantic
    label: str  # "trade-off stated", "prompted by the interviewer: repeats PR-AUC"
    quote: str = ""
    at: dt.datetime | None = None
    transcript_event_id: int | None = None

    @property
    def text(self) -> str:
        """ "trade-off stated at 14:02: “…”" (the clock in the datetime's own zone)."""
        when = f" at {clock(self.at)}" if self.at else ""
        return f"{self.label}{when}" + (f": “{self.quote}”" if self.quote else "")

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "quote": self.quote,
            "at": self.at.isoformat() if self.at else None,
            "transcript_event_id": self.transcript_event_id,
        }


@dataclass
class UnitEvidence:
    """A unit of the step with what it is evidence for."""

    step: int
    at: dt.datetime
    event_id: int
    text: str
    words: int
    content: int
    signals: dict[str, str]
    is_list: bool
    is_echo: bool
    criteria: dict[str, float] = field(default_factory=dict)  # criterion key -> credit
    prompted: set[str] = field(default_factory=set)  # concepts the interviewer said first
    semantic: set[str] = field(default_factory=set)  # criteria it matches by meaning only


@dataclass(frozen=True)
class StepJudgement:
    level: int
    score: float
    coverage: float
    depth: int
    substance: int
    signals: list[Signal]


def clock(at: dt.datetime | None) -> str:
    return at.strftime("%H:%M") if at else ""


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def level_for(score: float) -> int:
    for floor, level in LEVEL_FLOORS:
        if score >= floor:
            return level
    return 1


def judge_step(
    *, step: int, weights: dict[str, int], units: list[UnitEvidence], carried: dict[str, float]
) -> StepJudgement:
    """`weights`: the step's criteria; `units`: the candidate's units said during the step;
    `carried`: credit for the step's criteria from mentions made during other steps."""
    total = sum(weights.values()) or 1
    best = dict.fromkeys(weights, 0.0)
    for key, credit in carried.items():
        if key in best:
            best[key] = max(best[key], credit)
    for unit in units:
        for key, credit in unit.criteria.items():
            if key in best:
                best[key] = max(best[key], credit)
    coverage = sum(weights[k] * best[k] for k in weights) / total

    own = [u for u in units if not u.is_list and u.words >= 4]
    kinds: dict[str, UnitEvidence] = {}
    for unit in own:
        for kind in unit.signals:
            kinds.setdefault(kind, unit)
    substance = sum(u.content for u in own)
    score = 0.4 * coverage + 0.4 * min(len(kinds), DEPTH_FULL) / DEPTH_FULL
    score += 0.2 * min(substance, SUBSTANCE_FULL) / SUBSTANCE_FULL
    level = level_for(score)

    signals: list[Signal] = []
    for kind, unit in sorted(kinds.items(), key=lambda item: (item[1].at, item[0])):
        signals.append(Signal(kind, SIGNAL_TEXT[kind], _short(unit.text), unit.at, unit.event_id))
    for unit in units:
        if unit.semantic:
            label = "close in meaning to the rubric's descriptors"
            signals.append(Signal("semantic", label, _short(unit.text), unit.at, unit.event_id))

    evidence_units = [u for u in units if u.criteria]
    prompted_units = [u for u in evidence_units if u.is_echo or (u.prompted and not u.signals)]
    for unit in (u for u in evidence_units if u.is_echo or u.prompted):
        said = ", ".join(sorted(unit.prompted)) or "the interviewer's words"
        label = f"prompted by the interviewer (repeats {said})"
        signals.append(Signal("prompted", label, _short(unit.text), unit.at, unit.event_id))
    lists = [u for u in units if u.is_list]
    for unit in lists:
        label = "a bare list of terms, nothing weighed"
        signals.append(Signal("list", label, _short(unit.text), unit.at, unit.event_id))

    if evidence_units and len(prompted_units) / len(evidence_units) > PROMPTED_SHARE and level > 1:
        # After a heavy hint, one level lower; the topic did come up, so 2 when the answer covers it.
        lowered = max(level - 1, 2 if coverage >= PROMPTED_FLOOR else 1)
        if lowered < level:
            level = lowered
            signals.append(Signal("prompted", "one level lower: most of this step came after the interviewer's hint"))
    if lists and not own and level > 2:
        level = 2
        signals.append(Signal("list", "at most 2: the step has only lists of terms"))
    signals.sort(key=lambda s: (s.at is None, s.at or dt.datetime.min.replace(tzinfo=dt.UTC), s.kind))
    return StepJudgement(level, round(score, 3), round(coverage, 3), len(kinds), substance, signals)
