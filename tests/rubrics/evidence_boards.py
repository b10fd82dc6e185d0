"""The evidence finder's boards: the interview board's layout and a strong answer drawn on it, for
the finder's tests and bench/evidence.py. The elements come from tests/elements.py.

The interview board's lanes: offline x 0-960, online x 1040-2000, both y 0-760."""

from typing import Any

from ..elements import Sketch

OFFLINE_X = (40, 260, 480, 700)
ONLINE_X = (1080, 1300, 1520, 1740)
ROWS = (60, 300, 540)


def good_board() -> tuple[Sketch, list[list[dict[str, Any]]]]:
    """A strong answer to video recommendation, drawn in batches: the offline pipeline, then the
    online path, then the arrows that tie them together (the feature store shared, logs fed back)."""
    s = Sketch()
    offline = [
        *s.box("ing", "Ingestion (ETL)", x=OFFLINE_X[0], y=ROWS[0]),
        *s.box("fs", "Feature store", x=OFFLINE_X[1], y=ROWS[0]),
        *s.box("train", "Trainer", x=OFFLINE_X[2], y=ROWS[0]),
        *s.box("reg", "Model registry", x=OFFLINE_X[3], y=ROWS[0]),
        *s.box("emb", "Embedding generation", x=OFFLINE_X[0], y=ROWS[1]),
        *s.box("idx", "Index builder", x=OFFLINE_X[1], y=ROWS[1]),
    ]
    online = [
        *s.box("api", "Inference API", x=ONLINE_X[0], y=ROWS[0]),
        *s.box("cg", "Candidate generation", x=ONLINE_X[1], y=ROWS[0]),
        *s.box("rank", "Ranker", x=ONLINE_X[2], y=ROWS[0]),
        *s.box("rerank", "Re-ranking", x=ONLINE_X[3], y=ROWS[0]),
        *s.box("filter", "Filtering", x=ONLINE_X[3], y=ROWS[1]),
        *s.box("logs", "Event logs", x=ONLINE_X[0], y=ROWS[2]),
        *s.box("mon", "Drift detection", x=ONLINE_X[1], y=ROWS[2], kind="ellipse"),
    ]
    arrows = [
        *s.arrow("a1", "ing", "fs"),
        *s.arrow("a2", "fs", "train"),
        *s.arrow("a3", "train", "reg"),
        *s.arrow("a4", "emb", "idx"),
        *s.arrow("a5", "api", "cg"),
        *s.arrow("a6", "cg", "rank"),
        *s.arrow("a7", "rank", "rerank"),
        *s.arrow("a8", "rerank", "filter"),
        *s.arrow("a9", "reg", "rank"),
        *s.arrow("a10", "fs", "rank"),
        *s.arrow("a11", "api", "logs"),
        *s.arrow("a12", "logs", "ing", label="clicks, watch time"),
    ]
    return s, [offline, online, arrows]
