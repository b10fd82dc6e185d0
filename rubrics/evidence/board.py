"""What the board shows: labelled components, the lane each sits in, and the arrows between them,
checked against a problem's expectations.

Elements are Excalidraw JSON. A component is a rectangle, ellipse or diamond with its label (the text
bound to it through `containerId`/`boundElements`, or free text drawn inside it), or free text drawn
on its own. A shape from the room's palette also carries its type in `customData.component` (a key
of `whiteboard.components.CATALOGUE`): it stands for its type's concepts (`COMPONENT_CONCEPTS`)
whatever its label says, and for whatever else its label names. Its lane is the element's `lane`
field when the server computed one, else `whiteboard.lanes.lane_of`. An arrow is an edge from the
component at its start to the one at its end, following `startBinding`/`endBinding`; an unbound end
snaps to the nearest component within SNAP_DISTANCE. Arrowheads give the direction (both or neither: both ways).

Labels are matched to the problem's component names with synonyms and stemming ("Features DB" is a
feature store, "Ranker" is ranking, "Inference API" is serving), so the checks below can be written
in the names the problem bank uses (rubrics/content/problems.yaml, `expectations`).
"""

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from whiteboard.components import BY_KEY as COMPONENT_TYPES
from whiteboard.components import component_of
from whiteboard.lanes import lane_of

from .text import PhraseIndex, find_mentions

OFFLINE, ONLINE = "offline", "online"
SHAPE_TYPES = frozenset({"rectangle", "ellipse", "diamond"})
SNAP_DISTANCE = 60.0  # px: how far an unbound arrow end may be from the component it points at

# Ways people label each component the problem bank names. The name itself always matches too.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "ingestion": ("etl", "data pipeline", "ingest", "data ingestion", "raw data", "data collection", "data lake"),
    "feature store": (
        "features db",
        "feature db",
        "fs",
        "feature database",
        "feature repository",
        "feature service",
        "feast",
        "online store",
        "offline store",
    ),
    "training": ("trainer", "model training", "training job", "training pipeline", "train", "fine-tuning"),
    "model registry": ("model store", "model repository", "model repo", "registry", "mlflow", "model artifacts"),
    "serving": (
        "inference service",
        "api",
        "inference",
        "model serving",
        "prediction service",
        "model server",
        "endpoint",
        "api gateway",
        "backend",
    ),
    "logging": (
        "event log",
        "feedback",
        "logs",
        "log",
        "interaction logs",
        "user feedback",
        "feedback loop",
        "clickstream",
        "tracking",
    ),
    "monitoring": ("drift detection", "dashboards", "alerting", "alerts", "observability", "monitor", "drift monitor"),
    "candidate generation": (
        "retrieval",
        "candidate gen",
        "candidate generator",
        "candidates",
        "candidate retrieval",
        "retriever",
        "recall stage",
    ),
    "candidate retrieval": ("retrieval", "candidate generation", "candidate gen", "candidates", "retriever"),
    "candidate filtering": ("filtering", "candidate generation", "candidates", "retrieval", "candidate filter"),
    "ad retrieval": ("retrieval", "ad candidates", "candidate ads", "candidate generation"),
    "ranking": ("ranker", "ranking model", "ranking service", "scoring", "scorer", "heavy ranker", "fine ranking"),
    "re-ranking": ("reranker", "re-ranker", "business rules", "diversity", "post-processing"),
    "filtering": ("filter", "filters"),
    "evaluation": ("offline evaluation", "eval", "validation", "model evaluation", "backtesting"),
    "annotation": ("labelling", "labels", "human labels", "annotators", "labelers", "labeling tool"),
    "human labelling": ("labelling", "annotation", "human review", "raters", "labelers", "labels"),
    "investigation labelling": ("labelling", "investigations", "investigators", "labels", "analyst review"),
    "nearest neighbour index": (
        "ann index",
        "ann",
        "vector index",
        "vector database",
        "vector db",
        "faiss",
        "knn index",
        "nearest neighbour search",
        "similarity search",
        "embedding index",
    ),
    "index builder": ("index build", "indexing", "build index", "indexer", "index pipeline"),
    "embedding generation": (
        "embeddings",
        "embedding job",
        "item embeddings",
        "embedder",
        "embedding pipeline",
        "batch embedding",
    ),
    "video embedding generation": ("video embeddings", "video encoder", "embedding generation", "video embedding"),
    "image encoder": ("image embedding", "query encoder", "vision encoder", "image model"),
    "text encoder": ("query encoder", "text embedding", "text model"),
    "inverted index": ("text index", "keyword index", "elasticsearch", "bm25", "lucene"),
    "fusion": ("score fusion", "blending", "blender", "merge"),
    "object detection": ("detector", "detection model", "object detector"),
    "non-max suppression": ("nms", "non-maximum suppression"),
    "blurring": ("blur", "blurrer", "image blurring"),
    "multimodal classifier": ("classifier", "harm classifier", "multimodal model"),
    "on-device filter": ("on-device", "client filter", "heuristic filter", "edge filter"),
    "enforcement": ("takedown", "removal", "moderation action", "enforce"),
    "review queue": ("human review", "moderation queue", "moderators", "manual review"),
    "calibration": ("calibrator", "calibrate"),
    "click prediction": ("ctr model", "ctr prediction", "click model", "pctr"),
    "auction": ("ad auction", "bidding"),
    "session builder": ("sessionization", "sessions", "session pipeline"),
    "graph builder": ("graph construction", "social graph", "build graph", "graph pipeline"),
    "batch prediction": ("batch scoring", "batch inference", "precompute", "offline scoring", "batch job"),
    "suggestion cache": ("cache", "precomputed suggestions", "key-value store", "kv store", "redis"),
    "signup scoring": ("signup model", "registration scoring", "sign-up scoring"),
    "behaviour scoring": ("behavior model", "activity scoring", "behaviour model"),
}

# What each palette component type (whiteboard/components.py) is, in the names the problem bank uses.
COMPONENT_CONCEPTS: dict[str, tuple[str, ...]] = {
    "data_source": ("data collection",),
    "ingestion": ("ingestion",),
    "feature_store": ("feature store",),
    "labeling": (
        "annotation",
        "human labelling",
        "investigation labelling",
        "agent labelling",
        "chargeback labelling",
        "outcome labelling",
        "transcription labelling",
    ),
    "training": ("training",),
    "model_registry": ("model registry",),
    "embedding": ("embedding generation", "video embedding generation", "index builder"),
    "ann_index": ("nearest neighbour index",),
    "candidate_generation": (
        "candidate generation",
        "candidate retrieval",
        "candidate filtering",
        "ad retrieval",
        "retriever",
    ),
    "ranking": ("ranking",),
    "reranking": ("re-ranking",),
    "serving": ("serving",),
    "cache": ("cache", "suggestion cache"),
    "ab_testing": ("a/b testing",),
    "logging": ("logging",),
    "monitoring": ("monitoring",),
    "feedback_loop": ("logging", "feedback loop"),
}

# The offline chain the rubric's top levels describe, checked for whichever of these the problem expects.
OFFLINE_CHAIN = ("ingestion", "feature store", "training", "model registry")
# Components every board is read for, whatever the problem expects.
ALWAYS = ("ingestion", "feature store", "training", "model registry", "serving", "logging", "monitoring")
# A connection from one of these to one of those is the two-stage funnel (retrieval before ranking).
RETRIEVAL = frozenset(
    {"candidate generation", "candidate retrieval", "candidate filtering", "ad retrieval", "nearest neighbour index"}
)
RANKING = frozenset({"ranking", "re-ranking", "click prediction"})

# Which rubric criterion each kind of board fact is evidence for: (criterion key, step key to fall back on).
CRITERIA: dict[str, tuple[str, str]] = {
    "lane": ("offline-online-separation", "serving"),
    "chain": ("offline-online-separation", "serving"),
    "connection": ("offline-online-separation", "serving"),
    "serving": ("offline-online-separation", "serving"),
    "funnel": ("system-shape", "framing"),
    "shared-store": ("feature-store-and-skew", "data"),
    "feedback": ("retraining-and-feedback", "monitoring"),
    "monitoring": ("operational-and-ml-monitoring", "monitoring"),
}


class Vocabulary:
    """The component names a board is read for, and which of them a label means."""

    def __init__(self, names: Iterable[str]):
        self.names = tuple(dict.fromkeys(names))
        self._index = PhraseIndex.build(
            (phrase, name) for name in self.names for phrase in (name, *SYNONYMS.get(name, ()))
        )
        self._memo: dict[str, frozenset[str]] = {}

    @classmethod
    def for_expectations(cls, expectations: dict[str, Any]) -> "Vocabulary":
        names = [*ALWAYS, *expectations.get("offline_components", []), *expectations.get("online_components", [])]
        for pair in expectations.get("connections", []):
            names.extend(pair)
        return cls(names)

    def names_of(self, label: str, component: str | None) -> frozenset[str]:
        """What a component stands for: its palette type's concepts (when it has a type) and the
        names its label mentions."""
        named = self.names_in(label) if label else frozenset()
        return named | frozenset(COMPONENT_CONCEPTS[component]) if component else named

    def names_in(self, label: str) -> frozenset[str]:
        """The names `label` stands for. A match inside a longer one does not count ("Re-ranking" is
        re-ranking, not ranking); separate phrases all count ("Training + registry" is both)."""
        if label not in self._memo:
            mentions = find_mentions(label, self._index, longest_only=True)
            self._memo[label] = frozenset(m.payload for m in mentions if not m.negated)
        return self._memo[label]


def expected_component_types(expectations: dict[str, Any]) -> list[str]:
    """The palette types (keys of whiteboard.components.CATALOGUE) a problem's expected components
    are, in the order the problem lists them: the palette offers these first."""
    expected = [*expectations.get("offline_components", []), *expectations.get("online_components", [])]
    keys: dict[str, None] = {}
    for name in expected:
        for key, concepts in COMPONENT_CONCEPTS.items():
            if name in concepts:
                keys.setdefault(key)
    return list(keys)


@dataclass(frozen=True)
class Component:
    id: str
    label: str
    lane: str | None
    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    names: frozenset[str]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    arrow_id: str
    label: str


@dataclass
class BoardGraph:
    components: dict[str, Component]
    edges: list[Edge]
    _out: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _around: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        for edge in self.edges:
            self._out.setdefault(edge.source, set()).add(edge.target)
            self._around.setdefault(edge.source, set()).add(edge.target)
            self._around.setdefault(edge.target, set()).add(edge.source)

    def named(self, name: str) -> list[Component]:
        return [c for c in self.components.values() if name in c.names]

    def neighbours(self, component_id: str) -> set[str]:
        return self._around.get(component_id, set())

    def reaches(self, sources: Iterable[Component], targets: Iterable[Component]) -> bool:
        """Whether arrows lead (in their direction, through any components) from one of `sources`
        to one of `targets`: at least one arrow, so a component never reaches itself for free."""
        goal = {c.id for c in targets}
        queue = deque(nxt for c in sources for nxt in self._out.get(c.id, ()))
        seen: set[str] = set()
        while queue:
            current = queue.popleft()
            if current in goal:
                return True
            if current in seen:
                continue
            seen.add(current)
            queue.extend(self._out.get(current, ()))
        return False


def text_of(element: dict[str, Any]) -> str:
    return " ".join(str(element.get("originalText") or element.get("text") or "").split())


def _box(element: dict[str, Any]) -> tuple[float, float, float, float]:
    x, y = float(element.get("x", 0)), float(element.get("y", 0))
    width, height = float(element.get("width", 0)), float(element.get("height", 0))
    return min(x, x + width), min(y, y + height), max(x, x + width), max(y, y + height)


def _contains(box: tuple[float, float, float, float], point: tuple[float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _distance(box: tuple[float, float, float, float], point: tuple[float, float]) -> float:
    dx = max(box[0] - point[0], 0.0, point[0] - box[2])
    dy = max(box[1] - point[1], 0.0, point[1] - box[3])
    return (dx * dx + dy * dy) ** 0.5


def _area(box: tuple[float, float, float, float]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _endpoints(arrow: dict[str, Any]) -> tuple[tuple[float, float], tuple[float, float]]:
    x, y = float(arrow.get("x", 0)), float(arrow.get("y", 0))
    points = arrow.get("points") or [[0, 0], [arrow.get("width", 0), arrow.get("height", 0)]]
    first, last = points[0], points[-1]
    return (x + float(first[0]), y + float(first[1])), (x + float(last[0]), y + float(last[1]))


def _lane(element: dict[str, Any], lanes: list[dict[str, Any]]) -> str | None:
    return element["lane"] if "lane" in element else lane_of(element, lanes)


def read_board(elements: Iterable[dict[str, Any]], lanes: list[dict[str, Any]], vocabulary: Vocabulary) -> BoardGraph:
    """The board's components and arrows (deleted elements and lane frames left out)."""
    live = {e["id"]: e for e in elements if not e.get("isDeleted") and e.get("type") != "frame"}
    shapes = {i: e for i, e in live.items() if e.get("type") in SHAPE_TYPES}
    texts = {i: e for i, e in live.items() if e.get("type") == "text"}
    arrows = {i: e for i, e in live.items() if e.get("type") == "arrow"}

    labels: dict[str, list[str]] = {i: [] for i in shapes}
    arrow_labels: dict[str, list[str]] = {}
    owner: dict[str, str | None] = {}  # text id -> the component it labels (None: it labels an arrow)
    free: list[str] = []
    for text_id, text in texts.items():
        container: str = text.get("containerId") or ""
        if container in shapes:
            labels[container].append(text_of(text))
            owner[text_id] = container
        elif container in arrows:
            arrow_labels.setdefault(container, []).append(text_of(text))
            owner[text_id] = None
        elif not container:
            free.append(text_id)
    for shape_id, shape in shapes.items():
        for bound in shape.get("boundElements") or []:
            if not isinstance(bound, dict):
                continue
            text_id = bound.get("id")
            if bound.get("type") == "text" and text_id in free:
                labels[shape_id].append(text_of(texts[text_id]))
                owner[text_id] = shape_id
                free.remove(text_id)

    boxes = {i: _box(e) for i, e in shapes.items()}
    standalone = []
    for text_id in free:
        centre = _centre(_box(texts[text_id]))
        around = [i for i, box in boxes.items() if _contains(box, centre)]
        if around:
            inside = min(around, key=lambda i: (_area(boxes[i]), i))
            labels[inside].append(text_of(texts[text_id]))
            owner[text_id] = inside
        else:
            standalone.append(text_id)

    components: dict[str, Component] = {}
    for shape_id, shape in shapes.items():
        component = component_of(shape)
        label = " ".join(part for part in labels[shape_id] if part)
        names = vocabulary.names_of(label, component)
        if not label and component:
            label = COMPONENT_TYPES[component].label
        components[shape_id] = Component(shape_id, label, _lane(shape, lanes), boxes[shape_id], names)
    for text_id in standalone:
        text = texts[text_id]
        label = text_of(text)
        if label:
            components[text_id] = Component(text_id, label, _lane(text, lanes), _box(text), vocabulary.names_in(label))

    def attached(binding: Any, point: tuple[float, float]) -> str | None:
        target = binding.get("elementId") if isinstance(binding, dict) else None
        if target in components:
            return target
        if target in owner:
            return owner[target]
        near = [
            (_distance(c.box, point), _area(c.box), c.id)
            for c in components.values()
            if _distance(c.box, point) <= SNAP_DISTANCE
        ]
        return min(near)[2] if near else None

    edges = []
    for arrow_id, arrow in arrows.items():
        start, end = _endpoints(arrow)
        source = attached(arrow.get("startBinding"), start)
        target = attached(arrow.get("endBinding"), end)
        if source is None or target is None or source == target:
            continue
        label = " ".join(arrow_labels.get(arrow_id, []))
        start_head, end_head = arrow.get("startArrowhead"), arrow.get("endArrowhead", "arrow")
        if end_head or not start_head:
            edges.append(Edge(source, target, arrow_id, label))
        if start_head or not end_head:
            edges.append(Edge(target, source, arrow_id, label))
    return BoardGraph(components=components, edges=edges)


@dataclass(frozen=True)
class BoardFinding:
    key: str  # stable across the op log, e.g. "lane:offline:feature store"
    kind: str  # a key of CRITERIA
    concept: str
    verdict: str  # found, missing or wrong_lane
    text: str

    @property
    def passed(self) -> bool:
        return self.verdict == "found"

    @property
    def criterion_key(self) -> str:
        return CRITERIA[self.kind][0]

    @property
    def step_key(self) -> str:
        return CRITERIA[self.kind][1]


def _quote(components: list[Component], limit: int = 60) -> str:
    label = components[0].label
    return f"“{label if len(label) <= limit else label[: limit - 1] + '…'}”"


def _lane_findings(graph: BoardGraph, lane: str, names: list[str]) -> list[BoardFinding]:
    other = ONLINE if lane == OFFLINE else OFFLINE
    findings = []
    for name in names:
        key = f"lane:{lane}:{name}"
        drawn = graph.named(name)
        in_lane = [c for c in drawn if c.lane == lane]
        if in_lane:
            findings.append(BoardFinding(key, "lane", name, "found", f"{_quote(in_lane)} is in the {lane} lane."))
        elif any(c.lane == other for c in drawn):
            misplaced = [c for c in drawn if c.lane == other]
            text = f"{_quote(misplaced)} ({name}) is in the {other} lane; it belongs in the {lane} lane."
            findings.append(BoardFinding(key, "lane", name, "wrong_lane", text))
        elif drawn:
            text = f"{_quote(drawn)} ({name}) is outside both lanes; it belongs in the {lane} lane."
            findings.append(BoardFinding(key, "lane", name, "wrong_lane", text))
        else:
            findings.append(BoardFinding(key, "lane", name, "missing", f"No {name} on the board."))
    return findings


def _path_finding(graph: BoardGraph, key: str, kind: str, names: list[str]) -> BoardFinding:
    chain = " → ".join(names)
    absent = [name for name in names if not graph.named(name)]
    if absent:
        text = f"No arrows {chain}: {', '.join(absent)} {'is' if len(absent) == 1 else 'are'} not on the board."
        return BoardFinding(key, kind, chain, "missing", text)
    for before, after in pairwise(names):
        if not graph.reaches(graph.named(before), graph.named(after)):
            text = f"Nothing leads from {before} to {after}" + (f" in {chain}." if len(names) > 2 else ".")
            return BoardFinding(key, kind, chain, "missing", text)
    return BoardFinding(key, kind, chain, "found", f"Arrows lead {chain}.")


def _serving_finding(graph: BoardGraph) -> BoardFinding:
    servers = graph.named("serving")
    if not servers:
        return BoardFinding("serving", "serving", "serving", "missing", "No serving component on the board.")
    for server in servers:
        around = sorted(graph.components[i].label or "an unlabelled shape" for i in graph.neighbours(server.id))
        if around:
            text = f"{_quote([server])} is connected to {', '.join(around[:3])}{'…' if len(around) > 3 else ''}."
            return BoardFinding("serving", "serving", "serving", "found", text)
    text = f"{_quote(servers)} is on the board, but no arrow connects it."
    return BoardFinding("serving", "serving", "serving", "missing", text)


def _shared_store_finding(graph: BoardGraph) -> BoardFinding:
    concept = "feature store"
    stores = graph.named(concept)
    if not stores:
        return BoardFinding("shared-store", "shared-store", concept, "missing", "No feature store on the board.")
    store_ids = {c.id for c in stores}
    around = {i for c in stores for i in graph.neighbours(c.id)} - store_ids
    by_lane: dict[str | None, list[Component]] = {}
    for component_id in sorted(around):
        component = graph.components[component_id]
        by_lane.setdefault(component.lane, []).append(component)
    if by_lane.get(OFFLINE) and by_lane.get(ONLINE):
        text = (
            f"The feature store is shared: it connects to {_quote(by_lane[OFFLINE])} (offline) "
            f"and {_quote(by_lane[ONLINE])} (online)."
        )
        return BoardFinding("shared-store", "shared-store", concept, "found", text)
    if by_lane.get(OFFLINE) or by_lane.get(ONLINE):
        lane = OFFLINE if by_lane.get(OFFLINE) else ONLINE
        text = f"The feature store connects only to the {lane} lane, so training and serving do not share it."
    else:
        text = "The feature store is on the board, but nothing connects to it."
    return BoardFinding("shared-store", "shared-store", concept, "missing", text)


def _feedback_finding(graph: BoardGraph, vocabulary: Vocabulary) -> BoardFinding:
    concept = "logging"
    logs = {c.id for c in graph.named(concept)}
    components = graph.components
    for edge in graph.edges:
        source, target = components[edge.source], components[edge.target]
        if source.lane != ONLINE or target.lane != OFFLINE:
            continue
        if edge.source in logs or edge.target in logs or concept in vocabulary.names_in(edge.label):
            text = (
                f"An arrow carries logs from the online lane back to the offline lane "
                f"({_quote([source])} → {_quote([target])})."
            )
            return BoardFinding("feedback", "feedback", concept, "found", text)
    offline = [c for c in components.values() if c.lane == OFFLINE]
    for log_id in sorted(logs):
        if components[log_id].lane == ONLINE and graph.reaches([components[log_id]], offline):
            text = f"Logs flow from {_quote([components[log_id]])} in the online lane back to the offline lane."
            return BoardFinding("feedback", "feedback", concept, "found", text)
    if logs:
        text = f"{_quote([components[min(logs)]])} is on the board, but no arrow takes logs back to the offline lane."
    else:
        text = "No logging or feedback arrow runs from the online lane back to the offline lane."
    return BoardFinding("feedback", "feedback", concept, "missing", text)


def _monitoring_finding(graph: BoardGraph) -> BoardFinding:
    monitors = graph.named("monitoring")
    if monitors:
        text = f"Monitoring is on the board: {_quote(monitors)}."
        return BoardFinding("monitoring", "monitoring", "monitoring", "found", text)
    return BoardFinding("monitoring", "monitoring", "monitoring", "missing", "No monitoring on the board.")


def board_check(graph: BoardGraph, expectations: dict[str, Any], vocabulary: Vocabulary) -> list[BoardFinding]:
    """Every board fact the problem's expectations call for, in a fixed order (same keys for any board):
    lane placement of each expected component, the offline chain, the expected connections, serving
    connected, the feature store shared by both lanes, logs fed back, monitoring present."""
    offline = list(expectations.get("offline_components", []))
    online = list(expectations.get("online_components", []))
    findings = _lane_findings(graph, OFFLINE, offline) + _lane_findings(graph, ONLINE, online)

    chain = [name for name in OFFLINE_CHAIN if name in offline]
    chain_links = set(pairwise(chain))
    if len(chain) >= 2:
        findings.append(_path_finding(graph, "chain:offline", "chain", chain))
    for pair in expectations.get("connections", []):
        before, after = pair[0], pair[1]
        if (before, after) in chain_links or before == "logging":  # the chain and the feedback check cover these
            continue
        kind = "funnel" if before in RETRIEVAL and after in RANKING else "connection"
        findings.append(_path_finding(graph, f"connection:{before}>{after}", kind, [before, after]))
    findings.append(_serving_finding(graph))
    findings.append(_shared_store_finding(graph))
    findings.append(_feedback_finding(graph, vocabulary))
    findings.append(_monitoring_finding(graph))
    return findings
