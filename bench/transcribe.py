"""Speed, memory and accuracy of transcription with the default model, printed as JSON.

espeak-ng reads a few minutes of an interview answer (a fixed script of domain sentences), PyAV
encodes it as 6 s WebM/Opus chunks like the browser's recorder, and each chunk is decoded and
transcribed as the Celery task does (interview/transcription.py: faster-whisper, the bundled tiny.en,
word timestamps, the problem's hotwords). Reports the real-time factor (processing time / audio
time), the peak resident memory of this process, and the word error rate against the script,
with and without hotwords; then the whole-track pass that runs after the interview
(interview/services/speech.py: the same chunks decoded, joined with `join_track` and transcribed in
one pass, with hotwords). Needs espeak-ng and sox.

    .venv/bin/python bench/transcribe.py            # about 3 minutes of speech
    .venv/bin/python bench/transcribe.py --repeat 1 # a quick run
"""

import argparse
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SCRIPT = [
    "The business goal is to increase purchases from visual search without hurting latency.",
    "Offline, we ingest product images and compute embeddings with an image encoder.",
    "Embeddings go to an index builder that refreshes the nearest neighbour index every hour.",
    "Features such as price and popularity live in a feature store shared by training and serving.",
    "Online, the query image is encoded and we retrieve candidates from the index.",
    "A ranking model then re-ranks the candidates using the features from the feature store.",
    "Offline metrics are recall at k and normalized discounted cumulative gain.",
    "Online, we watch click-through rate and purchases in an A B test.",
    "We log impressions and clicks, and monitor drift in the embedding distribution.",
    "New listings are embedded as they arrive, so the index never goes stale.",
]
CHUNK_SECONDS = 6.0


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("-", " "))


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """Levenshtein distance over words, divided by the reference length."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1] / max(1, len(reference))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="times the script is read (3: about 3 minutes)")
    args = parser.parse_args()

    import django

    django.setup()
    from interview import transcription
    from tests.audio import webm_opus

    text = " ".join(SCRIPT * args.repeat)
    hotwords = transcription.hotwords_for(
        {
            "offline_components": ["ingestion", "feature store", "image encoder", "index builder"],
            "online_components": ["nearest neighbour index", "re-ranking", "monitoring"],
            "offline_metrics": ["recall@k", "ndcg"],
            "online_metrics": ["click-through rate"],
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        seconds = float(subprocess.run(["soxi", "-D", str(wav)], capture_output=True, text=True, check=True).stdout)
        chunks = []
        start = 0.0
        while start < seconds:
            chunks.append(webm_opus(wav, start=start, seconds=CHUNK_SECONDS))
            start += CHUNK_SECONDS

    load_started = time.perf_counter()
    transcription.whisper_model()
    load_seconds = time.perf_counter() - load_started

    results = {}
    for label, words_hot in (("hotwords", hotwords), ("no_hotwords", "")):
        started = time.perf_counter()
        heard = []
        for chunk in chunks:
            audio = transcription.decode_audio(io.BytesIO(chunk))
            heard += [segment.text for segment in transcription.transcribe(audio, hotwords=words_hot)]
        elapsed = time.perf_counter() - started
        results[label] = {
            "seconds": round(elapsed, 2),
            "real_time_factor": round(elapsed / seconds, 3),
            "word_error_rate": round(word_error_rate(words(text), words(" ".join(heard))), 3),
        }

    started = time.perf_counter()
    pieces = [(i * CHUNK_SECONDS, transcription.decode_audio(io.BytesIO(chunk))) for i, chunk in enumerate(chunks)]
    track, _offsets = transcription.join_track(pieces)
    heard = [segment.text for segment in transcription.transcribe(track, hotwords=hotwords)]
    elapsed = time.perf_counter() - started
    results["whole_track_hotwords"] = {
        "seconds": round(elapsed, 2),
        "real_time_factor": round(elapsed / seconds, 3),
        "word_error_rate": round(word_error_rate(words(text), words(" ".join(heard))), 3),
    }

    print(
        json.dumps(
            {
                "model": transcription.model_path(),
                "audio_seconds": round(seconds, 1),
                "chunks": len(chunks),
                "chunk_seconds": CHUNK_SECONDS,
                "cpu_threads": int(os.environ.get("WHISPER_CPU_THREADS", "1")),
                "model_load_seconds": round(load_seconds, 2),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                **results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
