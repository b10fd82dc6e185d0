"""Exports of one interview's review: review.py gathers what the reader may see (by the one
visibility rule), markdown.py and pdf.py write it out. The board pictures come from
`whiteboard.render`."""

from .markdown import review_markdown
from .pdf import review_pdf
from .review import Audience, ReviewExport, export_filename_stem, review_export_for

__all__ = [
    "Audience",
    "ReviewExport",
    "export_filename_stem",
    "review_export_for",
    "review_markdown",
    "review_pdf",
]
