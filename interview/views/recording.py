"""Recorded audio, to the two participants only: never a public or static URL."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from ..selectors.interviews import audio_chunk_get
from .common import interview_or_404


def audio_response(chunk) -> FileResponse:
    """One chunk as a private, uncached response from our own origin."""
    try:
        handle = chunk.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This audio was deleted.") from exc
    response = FileResponse(handle, content_type=chunk.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def interview_audio(request, pk: int, chunk_id: int):
    interview = interview_or_404(request, pk)
    chunk = audio_chunk_get(interview_id=interview.pk, chunk_id=chunk_id)
    if chunk is None:
        raise Http404("No such audio.")
    return audio_response(chunk)
