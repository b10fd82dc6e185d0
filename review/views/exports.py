"""Downloads of one interview's review (Markdown, PDF) and of its final board (SVG, PNG).

The two people in the interview may download them once the review is open to them, each with
what the review page shows them (review.selectors.visibility): the candidate never gets the
private notes, nor scores before the scorecard is submitted; share readers get no exports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header

from interview.access import problem_visible
from interview.models import Interview
from interview.views.common import interview_or_404
from whiteboard.render import board_png, board_svg
from whiteboard.selectors import board_get_state

from ..exports import export_filename_stem, review_export_for, review_markdown, review_pdf
from ..selectors import review_visibility

# An SVG opened on its own is a document: let it draw, never run anything.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _readable(request, pk: int) -> Interview:
    interview = interview_or_404(request, pk)
    if not problem_visible(interview, request.user):
        raise PermissionDenied("The review opens with the room: you meet the problem there first.")
    if not review_visibility(interview=interview, audience=interview.role_of(request.user)).exports:
        raise PermissionDenied("Only the two people in the interview can download its review.")
    return interview


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


def _review_export(request, interview: Interview):
    audience = interview.role_of(request.user)
    if audience is None:  # _readable lets only the two participants through
        raise PermissionDenied("Only the two people in the interview can download its review.")
    return review_export_for(
        interview=interview,
        audience=audience,
        review_url=request.build_absolute_uri(reverse("interview_review", args=[interview.pk])),
    )


@login_required
def interview_export_md(request, pk: int):
    interview = _readable(request, pk)
    export = _review_export(request, interview)
    return _download(
        review_markdown(export).encode(),
        content_type="text/markdown; charset=utf-8",
        filename=f"{export.filename_stem}-review.md",
    )


@login_required
def interview_export_pdf(request, pk: int):
    interview = _readable(request, pk)
    export = _review_export(request, interview)
    return _download(review_pdf(export), content_type="application/pdf", filename=f"{export.filename_stem}-review.pdf")


def _final_board(interview: Interview) -> list[dict]:
    return board_get_state(board_id=interview.board_id, include_deleted=False).elements


@login_required
def interview_board_svg(request, pk: int):
    interview = _readable(request, pk)
    content = board_svg(_final_board(interview), title=f"Board: {interview.problem.title}")
    response = _download(content, content_type="image/svg+xml", filename=f"{export_filename_stem(interview)}-board.svg")
    response["Content-Security-Policy"] = SVG_POLICY
    return response


@login_required
def interview_board_png(request, pk: int):
    interview = _readable(request, pk)
    return _download(
        board_png(_final_board(interview)),
        content_type="image/png",
        filename=f"{export_filename_stem(interview)}-board.png",
    )
