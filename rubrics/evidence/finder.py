"""One pass over an interview: the candidate's messages, then the board's op log replayed once,
giving evidence items and a suggested level per step. Plain data in, plain data out.

Transcript: both parties' messages come in, each with its role and source (chat, or speech
segments); every concept of every criterion is looked for in each of the candidate's messages (the
interviewer's words are never the candidate's evidence, but they tell which of the candidate's
concepts were prompted). Each message is also cut into units read for depth (depth.py) and, where
words fall short, matched by meaning (semantic.py); judge.py turns that into a level with the
signals that set it. When one phrase belongs to criteria of
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

from whiteboard.components import component_of
from whiteboard.lanes import lane_of
from whiteboard.reconcile import wins_over

from . import depth
from .board import BoardFinding, Vocabulary, board_check, read_board, text_of
from .judge import LIST_CREDIT, PROMPTED_CREDIT, SEMANTIC_CREDIT, SEMANTIC_MATCH, Signal, UnitEvidence, judge_step
from .levels import CriterionCoverage, suggest_level
from .semantic import embedder
from .text import Mention, PhraseIndex, find_mentions

TRANSCRIPT, BOARD = "transcript", "board"
FOUND, NEGATED, MISSING = "found", "negated", "missing"
CANDIDATE, INTERVIEWER = "candidate", "interviewer"
BOARD_CREDIT = 0.7  # a criterion's board checks all passing, or its concepts only written on the board
OTHER_STEP_CREDIT = 0.8  # a concept of the step named while another step was current
DEPTH_KINDS = frozenset(depth.KINDS)
SETTLE = dt.timedelta(seconds=5)  # a label unchanged this long has settled: it is no longer being typed
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
    description: str = ""
    levels: tuple[str, ...] = ()  # the descriptors of levels 1-4, in order


@dataclass(frozen=True)
class Message:
    """One message of the interview: a chat message or a speech segment, by either party."""

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
    signals: list[Signal] = field(default_factory=list)


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

    def __init__(self) -> None:
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
        self.structure: dict[str, tuple] = {}  # element id -> _structure_key of its state
        self.loose: set[str] = set()
        self.since: dict[str, tuple[str, int, dt.datetime | None]] = {}
        self.latest: list[BoardFinding] = []
        # text element id -> the label as last written, and the concepts cited from its settled versions
        self.written: dict[str, _Label] = {}
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
            component_of(element),
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
                structure = self._structure_key(element)
                changed = changed or known is None or self.structure[element["id"]] != structure
                self.state[element["id"]] = element
                self.structure[element["id"]] = structure
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
        label = self.written.get(element["id"])
        if label is not None and text == label.text:
            return  # moved or restyled, not rewritten
        cited: dict[tuple[str, str], tuple] = {}
        if label is not None:
            if op.at - label.at >= SETTLE:
                label.settle()
            if op.author_id == label.author:
                cited = label.cited  # the same hand going on writing keeps what it had written
        mentions: dict[tuple[str, str], tuple[str, frozenset]] = {}
        for mention in _attribute(self._mentions(text), self.step_at(op.at), self.step_of):
            key = (mention.phrase, mention.verdict)
            sentence, criteria = mentions.get(key, (mention.sentence, frozenset()))
            mentions[key] = (sentence, criteria | {mention.payload})
        self.written[element["id"]] = _Label(text, op.author_id, op.seq, op.at, mentions, cited)

    def findings(self) -> list[tuple[BoardFinding, int | None, dt.datetime | None]]:
        out = []
        for finding in self.latest:
            _, seq, at = self.since[finding.key]
            out.append((finding, seq or None, at))
        return out

    def written_by(self, author_id: int | None) -> Iterable[tuple[str, str, int, dt.datetime, str, frozenset]]:
        """The concepts each label of `author_id` still shows, each cited once, as the label settled."""
        for element_id in sorted(self.written):
            label = self.written[element_id]
            if label.author != author_id or element_id not in self.state or self.state[element_id].get("isDeleted"):
                continue
            label.settle()  # the label as it stands at the end has settled too
            for (phrase, verdict), (seq, at, sentence, criteria) in sorted(label.cited.items()):
                yield phrase, verdict, seq, at, sentence, criteria


@dataclass
class _Label:
    """One text element as last written, and the concepts cited from its settled versions.

    Typing sends an op per keystroke or so, so most versions of a label are half-typed ("Feature
    pip"). A version has settled when it stayed unchanged for SETTLE, or is the last one; a concept
    is cited once, with the first settled version that showed it (its quote, op and time), for as
    long as the settled versions keep showing it."""

    text: str
    author: int | None
    seq: int
    at: dt.datetime
    mentions: dict[tuple[str, str], tuple[str, frozenset]]  # (phrase, verdict) -> (sentence, criteria)
    cited: dict[tuple[str, str], tuple] = field(default_factory=dict)  # -> (seq, at, sentence, criteria)

    def settle(self) -> None:
        cited = {}
        for key, (sentence, criteria) in self.mentions.items():
            known = self.cited.get(key)
            cited[key] = (
                (known[0], known[1], known[2], known[3] | criteria)
                if known
                else (
                    self.seq,
                    self.at,
                    sentence,
                    criteria,
                )
            )
        self.cited = cited


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
    index = PhraseIndex.build(((concept, c.key) for c in criteria for concept in c.concepts), fuzzy=True)
    step_of = {c.key: c.step for c in criteria}
    mentions = _Mentions()
    messages = sorted(messages, key=lambda m: (m.at, m.event_id))
    units = _transcript(messages, criteria, index, step_of, mentions)

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
    for finding, found_seq, found_at in replay.findings():
        if finding.criterion_key in step_of:
            step, criterion = step_of[finding.criterion_key], finding.criterion_key
        elif finding.step_key in step_numbers:
            step, criterion = step_numbers[finding.step_key], None
        else:
            continue
        item = Finding(
            step, criterion, BOARD, finding.verdict, finding.concept, finding.text, at=found_at, board_seq=found_seq
        )
        if criterion:
            board_by_criterion.setdefault(criterion, []).append(item)
        else:
            board_by_step.setdefault(step, []).append(item)

    return [_step_result(step, criteria, mentions, board_by_criterion, board_by_step, units) for step in steps]


def _transcript(messages, criteria, index: PhraseIndex, step_of, mentions: "_Mentions") -> list[UnitEvidence]:
    """The candidate's mentions (into `mentions`) and units, each unit with what it is evidence for.

    A concept counts as prompted when the interviewer said it earlier in the same step and the
    candidate had not said it before that."""
    interviewer_said: dict[tuple[int, str], dt.datetime] = {}  # (step, phrase) -> first time
    candidate_said: dict[str, dt.datetime] = {}
    recent: dict[int, list[frozenset[str]]] = {}  # step -> content words of the interviewer's messages
    units: list[UnitEvidence] = []
    for message in messages:
        if message.role != CANDIDATE:
            if not _asks(message.text):
                continue  # the interviewer giving facts that were asked for is no hint
            for mention in find_mentions(message.text, index, longest_only=True):
                interviewer_said.setdefault((message.step, mention.phrase), message.at)
            words = depth.content_words(depth.words_of(message.text))
            recent.setdefault(message.step, []).append(words)
            continue
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
        said_before = frozenset().union(*recent.get(message.step, [])[-2:])
        for text in depth.split_units(message.text):
            found = [
                m
                for m in _attribute(find_mentions(text, index, longest_only=True), message.step, step_of)
                if not m.negated
            ]
            term_words = sum(len(m.quote.split()) for m in found)
            unit = depth.read_unit(text, term_words=term_words, said_before=said_before)
            evidence = UnitEvidence(
                step=message.step,
                at=message.at,
                event_id=message.event_id,
                text=text,
                words=unit.words,
                content=len(unit.content),
                signals=unit.signals,
                is_list=unit.is_list,
                is_echo=unit.is_echo,
            )
            for mention in found:
                hinted = interviewer_said.get((message.step, mention.phrase))
                first = candidate_said.setdefault(mention.phrase, message.at)
                prompted = hinted is not None and hinted <= first
                credit = LIST_CREDIT if unit.is_list else PROMPTED_CREDIT if prompted or unit.is_echo else 1.0
                if prompted:
                    evidence.prompted.add(mention.phrase)
                key = mention.payload
                evidence.criteria[key] = max(evidence.criteria.get(key, 0.0), credit)
            units.append(evidence)
    _semantic(units, criteria)
    return units


def _asks(text: str) -> bool:
    """Whether an interviewer's message asks or suggests something (a question), rather than answering."""
    return "?" in text


def _prototypes(criterion: CriterionSpec) -> list[str]:
    texts = [criterion.description] + [d for d in criterion.levels[2:] if d]
    return [t for t in texts if t] or [criterion.title]


def _semantic(units: list[UnitEvidence], criteria: Sequence[CriterionSpec]) -> None:
    """Credit for the current step's criteria a unit matches by meaning, when no word matched. Units
    of a step whose criteria all have full credit from words already are not embedded."""
    by_step: dict[int, list[CriterionSpec]] = {}
    for criterion in criteria:
        by_step.setdefault(criterion.step, []).append(criterion)
    # Only criteria that words left short of what a match by meaning would give need the model.
    best: dict[str, float] = {}
    for unit in units:
        for key, credit in unit.criteria.items():
            best[key] = max(best.get(key, 0.0), credit)
    open_steps = {step for step, specs in by_step.items() if any(best.get(c.key, 0.0) < SEMANTIC_CREDIT for c in specs)}
    candidates = [u for u in units if not u.is_list and u.words >= 6 and u.step in open_steps]
    model = embedder() if candidates else None
    if model is None:
        return
    texts = [t for c in criteria for t in _prototypes(c)]
    vectors = dict(zip(texts, model.embed_rubric(texts), strict=True))
    unit_vectors = model.embed([u.text for u in candidates])
    for unit, vector in zip(candidates, unit_vectors, strict=True):
        for criterion in by_step.get(unit.step, []):
            similarity = max(float(vectors[t] @ vector) for t in _prototypes(criterion))
            if similarity >= SEMANTIC_MATCH and unit.criteria.get(criterion.key, 0.0) < SEMANTIC_CREDIT:
                credit = SEMANTIC_CREDIT * (PROMPTED_CREDIT if unit.is_echo else 1.0)
                unit.criteria[criterion.key] = max(unit.criteria.get(criterion.key, 0.0), credit)
                unit.semantic.add(criterion.key)


def _step_result(
    step: StepSpec, criteria, mentions: _Mentions, board_by_criterion, board_by_step, units: list[UnitEvidence]
) -> StepResult:
    items: list[Finding] = []
    carried: dict[str, float] = {}
    coverage: list[CriterionCoverage] = []
    for criterion in (c for c in criteria if c.step == step.number):
        said = mentions.for_criterion(criterion.key)
        found = [f for f in said if f.verdict == FOUND]
        found_concepts = {f.concept for f in found}
        negated = [f for f in said if f.verdict == NEGATED and f.concept not in found_concepts]
        negated_concepts = {f.concept for f in negated}
        checks = board_by_criterion.get(criterion.key, [])
        passed = sum(1 for f in checks if f.verdict == FOUND)
        if found:
            carried[criterion.key] = BOARD_CREDIT if all(f.source == BOARD for f in found) else OTHER_STEP_CREDIT
        if checks:
            carried[criterion.key] = max(carried.get(criterion.key, 0.0), BOARD_CREDIT * passed / len(checks))
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
    weights = {c.key: c.weight for c in criteria if c.step == step.number}
    judgement = judge_step(
        step=step.number, weights=weights, units=[u for u in units if u.step == step.number], carried=carried
    )
    summary = suggestion.summary
    if judgement.substance or judgement.signals:
        summary = summary.rstrip(".") + "; " + _depth_summary(judgement) + "."
    # Moments first, in the order they happened; then what never happened, in rubric order.
    timed = sorted(
        (f for f in items if f.at is not None),
        key=lambda f: (f.at, f.transcript_event_id or 0, f.board_seq or 0, f.source, f.concept),
    )
    untimed = [f for f in items if f.at is None]
    return StepResult(step.number, judgement.level, judgement.score, summary, timed + untimed, judgement.signals)


def _depth_summary(judgement) -> str:
    kinds = [s.label for s in judgement.signals if s.kind in DEPTH_KINDS]
    prompted = sum(1 for s in judgement.signals if s.kind == "prompted" and s.at)
    parts = [", ".join(kinds) if kinds else "no depth shown (no choice, trade-off, numbers or risks)"]
    if prompted:
        parts.append(f"{prompted} answer{'s' if prompted > 1 else ''} prompted by the interviewer")
    return "; ".join(parts)
