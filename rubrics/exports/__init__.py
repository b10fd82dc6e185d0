"""Exports of one interview's review: Markdown and PDF (review.py gathers what the reader may see),
and the final board as SVG and PNG (board.py turns elements into primitives both draw)."""

from .board_png import board_png
from .board_svg import board_svg
from .markdown import review_markdown
from .pdf import review_pdf
from .review import Audience, ReviewExport, export_filename_stem, review_export_for

__all__ = [
    "Audience",
    "ReviewExport",
    "board_png",
    "board_svg",
    "export_filename_stem",
    "review_export_for",
    "review_markdown",
    "review_pdf",
]
