"""One pass over an interview: the candidate's messages, then the board's op log replayed once,
giving evidence items and a suggested level per step. Plain data in, plain data out.

Transcript: every concept of every criterion is looked for in each of the candidate's chat messages
(the interviewer's words are not the candidate's evidence). When one phrase belongs to criteria of
several steps ("latency", "model registry"), the step that was current when it was said decides;
if none of them is the current step, it counts for all of them.

Board: the op log is replayed in order, once. After each op the board's structure is read
(board.read_board) and checked (board.board_check); each check remembers the op since which its
verdict has held, so a finding carries the seq and time of the op that made it true. Text the
candidate wrote on the board is searched for concepts as well, dated by the op that wrote it.
"""

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from whiteboard.lanes import lane_of
from whiteboard.reconcile import wins_over

from .board import BoardFinding, Vocabulary, board_check, read_board, text_of
from .levels import CriterionCoverage, suggest_level
from .text import Mention, PhraseIndex, find_mentions

TRANSCRIPT, BOARD = "transcript", "board"
FOUND, NEGATED, MISSING = "found", "negated", "missing"
WRITTEN_ON_BOARD = "On the board: "  # starts the text of a concept the candidate wrote on the board


@dataclass(frozen=True)
class StepSpec:
    number: int
    key: str
    title: str


@dataclass(frozen=True)
class CriterionSpec:
    key: str
    step: int  # number of the step it belongs to
    title: str
    weight: int
    concepts: tuple[str, ...]


@dataclass(frozen=True)
class Message:
    """One line from the candidate: a chat message, or a transcribed segment of their speech."""

    event_id: int
    step: int  # the step that was current when it was sent
    at: dt.datetime
    text: str
    role: str = "candidate"
    source: str = "chat"  # chat or speech


@dataclass(frozen=True)
class StepStart:
    step: int
    at: dt.datetime


@dataclass(frozen=True)
class Op:
    """One accepted batch from the board's op log."""

    seq: int
    at: dt.datetime
    author_id: int | None
    elements: list[dict[str, Any]]


@dataclass
class Finding:
    step: int  # the step whose score it is evidence for
    criterion: str | None
    source: str  # transcript or board
    verdict: str  # found, negated, missing or wrong_lane
    concept: str
    text: str
    at: dt.datetime | None = None
    transcript_event_id: int | None = None
    board_seq: int | None = None


@dataclass
class StepResult:
    step: int
    level: int
    score: float
    summary: str
    findings: list[Finding] = field(default_factory=list)


def _attribute(mentions: Iterable[Mention], step: int, step_of: dict[str, int]) -> list[Mention]:
    """Overlapping mentions that belong to several criteria go to the current step's criteria when
    any of them is the current step's, else to all of them."""
    chosen: list[Mention] = []
    cluster: list[Mention] = []
    cluster_end = -1

    def close():
        here = [m for m in cluster if step_of[m.payload] == step]
        chosen.extend(here or cluster)

    for mention in sorted(mentions, key=lambda m: (m.start, m.end)):
        if cluster and mention.start >= cluster_end:
            close()
            cluster = []
        cluster_end = max(cluster_end, mention.end) if cluster else mention.end
        cluster.append(mention)
    if cluster:
        close()
    return chosen


class _Mentions:
    """The earliest finding per (criterion, concept, verdict, source)."""

    def __init__(self):
        self.first: dict[tuple[str, str, str, str], Finding] = {}

    def add(self, finding: Finding) -> None:
        key = (finding.criterion or "", finding.concept, finding.verdict, finding.source)
        known = self.first.get(key)
        if known is None or (finding.at, finding.board_seq or 0) < (known.at, known.board_seq or 0):
            self.first[key] = finding

    def for_criterion(self, criterion: str) -> list[Finding]:
        return [f for (key, *_), f in self.first.items() if key == criterion]


class _BoardReplay:
    """Replays the op log once, tracking since when each check's verdict and each written concept hold."""

    def __init__(self, *, criteria: Sequence[CriterionSpec], index: PhraseIndex, expectations, lanes, step_starts):
        self.expectations = expectations
        self.lanes = lanes
        self.vocabulary = Vocabulary.for_expectations(expectations)
        self.index = index
        self.step_of = {c.key: c.step for c in criteria}
        self.step_times = [s.at for s in step_starts]
        self.step_numbers = [s.step for s in step_starts]
        self.state: dict[str, dict[str, Any]] = {}
        self.loose: set[str] = set()
        self.since: dict[str, tuple[str, int, dt.datetime | None]] = {}
        self.latest: list[BoardFinding] = []
        # text element id -> (its text, who wrote it, {(phrase, verdict): (seq, at, sentence, criteria)})
        self.written: dict[str, tuple[str, int | None, dict[tuple[str, str], tuple]]] = {}
        self._text_memo: dict[str, list[Mention]] = {}
        self._check(0, None)

    def step_at(self, at: dt.datetime) -> int:
        position = bisect.bisect_right(self.step_times, at)
        return self.step_numbers[position - 1] if position else 1

    def _check(self, seq: int, at: dt.datetime | None) -> None:
        graph = read_board(self.state.values(), self.lanes, self.vocabulary)
        self.latest = board_check(graph, self.expectations, self.vocabulary)
        for finding in self.latest:
            known = self.since.get(finding.key)
            if known is None or known[0] != finding.verdict:
                self.since[finding.key] = (finding.verdict, seq, at)

    def _structure_key(self, element: dict[str, Any]) -> tuple:
        """What of an element the board's structure depends on, position aside."""
        bindings = [element.get("startBinding"), element.get("endBinding")]
        return (
            element.get("type"),
            bool(element.get("isDeleted")),
            text_of(element),
            element.get("containerId"),
            tuple(sorted(str(b.get("id")) for b in element.get("boundElements") or [] if isinstance(b, dict))),
            tuple(b.get("elementId") if isinstance(b, dict) else None for b in bindings),
            element.get("startArrowhead"),
            element.get("endArrowhead", "arrow"),
            lane_of(element, self.lanes),
        )

    def _is_loose(self, element: dict[str, Any]) -> bool:
        """Free text and half-bound arrows: where they sit decides what they label or connect."""
        if element.get("isDeleted"):
            return False
        if element.get("type") == "text":
            return not element.get("containerId")
        return element.get("type") == "arrow" and not (element.get("startBinding") and element.get("endBinding"))

    def apply(self, op: Op) -> None:
        texts = []
        changed = False
        for element in op.elements:
            known = self.state.get(element["id"])
            if wins_over(element, known):
                # A move within a lane changes nothing unless loose elements depend on positions.
                changed = changed or known is None or self._structure_key(known) != self._structure_key(element)
                self.state[element["id"]] = element
                if self._is_loose(element):
                    self.loose.add(element["id"])
                else:
                    self.loose.discard(element["id"])
                if element.get("type") == "text":
                    texts.append(element)
        if changed or self.loose:
            self._check(op.seq, op.at)
        for element in texts:
            self._written(element, op)

    def _mentions(self, text: str) -> list[Mention]:
        if text not in self._text_memo:
            self._text_memo[text] = find_mentions(text, self.index, longest_only=True)
        return self._text_memo[text]

    def _written(self, element: dict[str, Any], op: Op) -> None:
        text = "" if element.get("isDeleted") else text_of(element)
        before_text, author, before = self.written.get(element["id"], ("", None, {}))
        if text == before_text:
            return  # moved or restyled, not rewritten
        now: dict[tuple[str, str], tuple] = {}
        chosen = _attribute(self._mentions(text), self.step_at(op.at), self.step_of)
        for mention in chosen:
            key = (mention.phrase, mention.verdict)
            if key in before and op.author_id == author:
                now[key] = before[key]
            elif key in now:
                seq, at, sentence, criteria = now[key]
                now[key] = (seq, at, sentence, criteria | {mention.payload})
            else:
                now[key] = (op.seq, op.at, mention.sentence, frozenset({mention.payload}))
        self.written[element["id"]] = (text, op.author_id, now)

    def findings(self) -> list[tuple[BoardFinding, int | None, dt.datetime | None]]:
        out = []
        for finding in self.latest:
            _, seq, at = self.since[finding.key]
            out.append((finding, seq or None, at))
        return out

    def written_by(self, author_id: int | None) -> Iterable[tuple[str, str, int, dt.datetime, str, frozenset]]:
        for element_id in sorted(self.written):
            _, author, keys = self.written[element_id]
            if author != author_id or element_id not in self.state or self.state[element_id].get("isDeleted"):
                continue
            for (phrase, verdict), (seq, at, sentence, criteria) in sorted(keys.items()):
                yield phrase, verdict, seq, at, sentence, criteria


def find_evidence(
    *,
    steps: Sequence[StepSpec],
    criteria: Sequence[CriterionSpec],
    expectations: dict[str, Any],
    messages: Iterable[Message],
    step_starts: Sequence[StepStart],
    ops: Iterable[Op],
    lanes: list[dict[str, Any]],
    candidate_id: int | None,
) -> list[StepResult]:
    """Evidence and a suggested level for every step. `messages` are the candidate's chat messages
    and `ops` the board's op log, both in order; `step_starts` the step changes, in order."""
    index = PhraseIndex.build((concept, c.key) for c in criteria for concept in c.concepts)
    step_of = {c.key: c.step for c in criteria}
    mentions = _Mentions()

    for message in messages:
        for mention in _attribute(find_mentions(message.text, index, longest_only=True), message.step, step_of):
            mentions.add(
                Finding(
                    step=step_of[mention.payload],
                    criterion=mention.payload,
                    source=TRANSCRIPT,
                    verdict=mention.verdict,
                    concept=mention.phrase,
                    text=mention.sentence,
                    at=message.at,
                    transcript_event_id=message.event_id,
                )
            )

    replay = _BoardReplay(
        criteria=criteria, index=index, expectations=expectations, lanes=lanes, step_starts=step_starts
    )
    for op in ops:
        replay.apply(op)
    for phrase, verdict, seq, at, sentence, criterion_keys in replay.written_by(candidate_id):
        for key in sorted(criterion_keys):
            text = f"{WRITTEN_ON_BOARD}“{sentence}”"
            mentions.add(Finding(step_of[key], key, BOARD, verdict, phrase, text, at=at, board_seq=seq))

    step_numbers = {s.key: s.number for s in steps}
    board_by_criterion: dict[str | None, list[Finding]] = {}
    board_by_step: dict[int, list[Finding]] = {}
    for finding, seq, at in replay.findings():
        if finding.criterion_key in step_of:
            step, criterion = step_of[finding.criterion_key], finding.criterion_key
        elif finding.step_key in step_numbers:
            step, criterion = step_numbers[finding.step_key], None
        else:
            continue
        item = Finding(step, criterion, BOARD, finding.verdict, finding.concept, finding.text, at=at, board_seq=seq)
        if criterion:
            board_by_criterion.setdefault(criterion, []).append(item)
        else:
            board_by_step.setdefault(step, []).append(item)

    return [_step_result(step, criteria, mentions, board_by_criterion, board_by_step) for step in steps]


def _step_result(step: StepSpec, criteria, mentions: _Mentions, board_by_criterion, board_by_step) -> StepResult:
    items: list[Finding] = []
    coverage: list[CriterionCoverage] = []
    for criterion in (c for c in criteria if c.step == step.number):
        said = mentions.for_criterion(criterion.key)
        found = [f for f in said if f.verdict == FOUND]
        found_concepts = {f.concept for f in found}
        negated = [f for f in said if f.verdict == NEGATED and f.concept not in found_concepts]
        negated_concepts = {f.concept for f in negated}
        checks = board_by_criterion.get(criterion.key, [])
        passed = sum(1 for f in checks if f.verdict == FOUND)
        coverage.append(
            CriterionCoverage(
                key=criterion.key,
                title=criterion.title,
                weight=criterion.weight,
                concepts_found=len(found_concepts),
                concepts_negated=len(negated_concepts),
                checks_passed=passed,
                checks_total=len(checks),
            )
        )
        items.extend(found + negated + checks)
        if not found and not negated and not passed:
            examples = ", ".join(criterion.concepts[:3])
            text = f"Nothing found for “{criterion.title}”" + (f": no mention of {examples}." if examples else ".")
            items.append(Finding(step.number, criterion.key, TRANSCRIPT, MISSING, criterion.title, text))
    loose = board_by_step.get(step.number, [])
    if loose:
        passed = sum(1 for f in loose if f.verdict == FOUND)
        coverage.append(CriterionCoverage("board", "The board", 1, checks_passed=passed, checks_total=len(loose)))
        items.extend(loose)
    suggestion = suggest_level(coverage)
    # Moments first, in the order they happened; then what never happened, in rubric order.
    timed = sorted(
        (f for f in items if f.at is not None),
        key=lambda f: (f.at, f.transcript_event_id or 0, f.board_seq or 0, f.source, f.concept),
    )
    untimed = [f for f in items if f.at is None]
    return StepResult(step.number, suggestion.level, suggestion.score, suggestion.summary, timed + untimed)
