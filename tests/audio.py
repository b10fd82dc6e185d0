"""Spoken test audio: espeak-ng says a sentence to a WAV file; PyAV encodes it as WebM/Opus, what
a browser's MediaRecorder uploads."""

import io
import shutil
import subprocess
from pathlib import Path

import av


def espeak_wav(text: str, path: Path, *, voice: str = "en-us", speed: int = 150) -> Path:
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text], check=True)
    return path


def webm_opus(wav: Path, *, start: float = 0.0, seconds: float | None = None) -> bytes:
    """The WAV's audio from `start` for `seconds` (all of it by default) as a whole WebM/Opus file."""
    out = io.BytesIO()
    with av.open(str(wav)) as source, av.open(out, "w", format="webm") as target:
        stream = target.add_stream("libopus", rate=48000, layout="mono")
        stream.bit_rate = 32000
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        for frame in source.decode(audio=0):
            t = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
            if t < start or (seconds is not None and t >= start + seconds):
                continue
            for resampled in resampler.resample(frame):
                resampled.pts = None
                for packet in stream.encode(resampled):
                    target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
    return out.getvalue()
