"""The catalogue of ML system components the room's palette offers.

Each has a stable type key (what a palette shape carries in `customData.component`), the label it
is drawn with, the lane it usually belongs in, and aliases (other names people use for it; the
palette's search matches them). The board refuses an element whose `customData.component` is not
a key of this catalogue (`unknown_component`), so every typed shape on a board means one of these.
The catalogue is the only list: the room island gets it from the server with the room's config.
What each type stands for when the board is read for evidence is the rubrics app's business
(`rubrics/evidence/board.py`, `COMPONENT_CONCEPTS`).
"""

from dataclasses import asdict, dataclass

OFFLINE, ONLINE = "offline", "online"


@dataclass(frozen=True)
class ComponentType:
    key: str
    label: str
    lane: str  # the lane it usually sits in: offline or online
    aliases: tuple[str, ...] = ()


CATALOGUE: tuple[ComponentType, ...] = (
    ComponentType("data_source", "Data sources", OFFLINE, ("raw data", "events", "data lake", "warehouse", "database")),
    ComponentType("ingestion", "Ingestion / stream", OFFLINE, ("etl", "stream", "kafka", "data pipeline", "ingest")),
    ComponentType("feature_store", "Feature store", OFFLINE, ("features db", "feast", "online store", "offline store")),
    ComponentType("labeling", "Labeling", OFFLINE, ("annotation", "labelling", "human labels", "raters")),
    ComponentType("training", "Training pipeline", OFFLINE, ("trainer", "model training", "training job")),
    ComponentType("model_registry", "Model registry", OFFLINE, ("model store", "mlflow", "model artifacts")),
    ComponentType("embedding", "Embedding / index builder", OFFLINE, ("embeddings", "index builder", "indexer")),
    ComponentType("ann_index", "ANN index", ONLINE, ("vector index", "vector database", "faiss", "nearest neighbour")),
    ComponentType("candidate_generation", "Candidate generation", ONLINE, ("retrieval", "retriever", "recall")),
    ComponentType("ranking", "Ranking", ONLINE, ("ranker", "scoring", "ranking model")),
    ComponentType("reranking", "Re-ranking", ONLINE, ("reranker", "business rules", "diversity")),
    ComponentType("serving", "Serving / inference", ONLINE, ("inference service", "model server", "api", "endpoint")),
    ComponentType("cache", "Cache", ONLINE, ("redis", "key-value store", "precomputed results")),
    ComponentType("ab_testing", "A/B testing", ONLINE, ("experiment", "experimentation", "split test")),
    ComponentType("logging", "Logging", ONLINE, ("event log", "logs", "clickstream", "tracking")),
    ComponentType("monitoring", "Monitoring / drift", ONLINE, ("drift detection", "dashboards", "alerting")),
    ComponentType("feedback_loop", "Feedback loop", ONLINE, ("user feedback", "retraining trigger", "implicit labels")),
)
BY_KEY: dict[str, ComponentType] = {component.key: component for component in CATALOGUE}
MAX_KEY_LENGTH = max(len(key) for key in BY_KEY)


def component_type(key: object) -> ComponentType | None:
    """The catalogue entry for `key`, or None when it is not a known type."""
    return BY_KEY.get(key) if isinstance(key, str) else None


def component_of(element: dict) -> str | None:
    """The type key an element carries in `customData.component`, if it carries a known one."""
    custom = element.get("customData")
    if not isinstance(custom, dict):
        return None
    key = custom.get("component")
    return key if key in BY_KEY else None


def catalogue_data() -> list[dict]:
    """The catalogue as the room island reads it (JSON-ready), in palette order."""
    return [{**asdict(component), "aliases": list(component.aliases)} for component in CATALOGUE]
