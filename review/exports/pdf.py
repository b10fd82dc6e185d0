"""A review as PDF: the same content as the Markdown export, laid out for printing.

fpdf2 is pure Python; the bundled DejaVu Sans covers the text people type (accents, Greek
letters, arrows, maths symbols), which the PDF core fonts cannot."""

import re

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from whiteboard.render.fonts import FONT_BOLD, FONT_REGULAR

from .review import ReviewExport, StepSection, TranscriptLine, long_date

FAMILY = "DejaVu"
INK = (29, 36, 51)
MUTED = (93, 102, 121)
PRIVATE_FILL = (255, 243, 205)
LEVEL_COLOURS: dict[int | None, tuple[int, int, int]] = {
    1: (201, 42, 42),
    2: (230, 119, 0),
    3: (25, 113, 194),
    4: (43, 138, 62),
}


class _Document(FPDF):
    def __init__(self, export: ReviewExport):
        super().__init__(format="A4")
        self.export = export
        self.add_font(FAMILY, "", str(FONT_REGULAR))
        self.add_font(FAMILY, "B", str(FONT_BOLD))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(export.title)
        self.set_creator("Mocklane")
        self.set_text_color(*INK)

    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.export.title} · page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(*INK)

    # -- building blocks -----------------------------------------------------------------------

    def block(self, text: str, *, size: float = 10, bold: bool = False, colour=INK, fill=None, gap: float = 1.5):
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(*colour)
        if fill is not None:
            self.set_fill_color(*fill)
        self.multi_cell(
            0,
            size * 0.5,
            _printable(text),
            align="L",
            fill=fill is not None,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            padding=(1 if fill is not None else 0),
        )
        self.set_text_color(*INK)
        self.ln(gap)

    def heading(self, text: str, *, level: int):
        size = {1: 18, 2: 14, 3: 11.5}[level]
        if level < 3:
            self.ln(2)
        self.block(text, size=size, bold=True, gap=2 if level < 3 else 1)

    def runs(self, parts: list[tuple[str, bool, tuple[int, int, int]]], *, size: float = 10):
        """One paragraph of runs (text, bold, colour) that wrap together."""
        height = size * 0.5
        self.set_x(self.l_margin)
        for text, bold, colour in parts:
            self.set_font(FAMILY, "B" if bold else "", size)
            self.set_text_color(*colour)
            self.write(height, _printable(text))
        self.set_text_color(*INK)
        self.ln(height + 1.2)

    def field(self, label: str, value: str, *, size: float = 10):
        self.runs([(f"{label}: ", True, INK), (value, False, INK)], size=size)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _printable(text: str) -> str:
    """Tabs as spaces, other control characters dropped: the font has no glyph for them."""
    return _CONTROL.sub("", text.replace("\t", "    ").replace("\r\n", "\n"))


def _reflow(text: str) -> str:
    """Join the lines of each paragraph: the problem bank wraps its prose by hand."""
    paragraphs = [" ".join(line.strip() for line in part.splitlines()) for part in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join(paragraphs)


def _level(level: int | None, name: str) -> str:
    return f"{level} · {name}" if level is not None else "no level"


def _step(pdf: _Document, section: StepSection, export: ReviewExport) -> None:
    title = f"{section.number}. {section.title}"
    pdf.heading(title, level=3)
    if export.scores_visible:
        level = _level(section.level, section.level_name)
        pdf.runs([("Level: ", True, INK), (level, True, LEVEL_COLOURS.get(section.level, MUTED))])
    if export.has_ticks:
        pdf.field("Criteria met", "; ".join(section.criteria_met) or "none")
        if section.criteria_missed:
            pdf.field("Not met", "; ".join(section.criteria_missed))
        if section.criteria_unticked:
            pdf.field("Not ticked", "; ".join(section.criteria_unticked))
    if section.notes:
        pdf.field("Notes", section.notes)
    if section.suggested_level is not None:
        suggestion = _level(section.suggested_level, section.suggested_level_name)
        if section.suggestion_summary:
            suggestion += f" ({section.suggestion_summary})"
        pdf.field("Suggested level", suggestion)
    for item in section.evidence:
        when = f", {item.at:%H:%M:%S}" if item.at else ""
        about = f" ({item.concept})" if item.concept else ""
        where = f"  • {item.source}{when}, {item.verdict.lower()}{about}: "
        pdf.runs([(where, False, MUTED), (item.text, False, INK)], size=9)
    if section.self_level is not None and export.scores_visible:
        pdf.field("Candidate's own level", _level(section.self_level, section.self_level_name))
    for note in section.private_notes:
        pdf.block(f"Private note (interviewer only), {note.at:%H:%M}: {note.text}", size=9, fill=PRIVATE_FILL)
    pdf.ln(1.5)


def _transcript_line(pdf: _Document, line: TranscriptLine) -> None:
    time = (f"{line.at:%H:%M:%S}  ", False, MUTED)
    if line.kind == "chat":
        pdf.runs([time, (f"{line.author}: ", True, INK), (line.text, False, INK)], size=9.5)
    elif line.kind == "speech":
        pdf.runs([time, (f"{line.author} (said): ", True, INK), (line.text, False, INK)], size=9.5)
    else:
        pdf.runs([time, (line.text, False, MUTED)], size=9.5)


def review_pdf(export: ReviewExport) -> bytes:
    pdf = _Document(export)
    pdf.add_page()
    pdf.heading(export.title, level=1)
    pdf.field("Date", f"{long_date(export.scheduled_at)} (times in {export.time_zone})")
    pdf.field("Interviewer", export.interviewer)
    pdf.field("Candidate", export.candidate)
    pdf.field("Status", export.status)
    pdf.field("Rubric", export.rubric)
    if export.includes_private_notes:
        pdf.ln(1)
        pdf.block(
            "This is the interviewer's copy: it carries the private notes taken during the interview, "
            "marked 'Private note'. The candidate's export does not.",
            size=9,
            fill=PRIVATE_FILL,
        )

    pdf.heading("Problem", level=2)
    pdf.block(export.problem_title, bold=True)
    pdf.block(_reflow(export.problem_prompt))

    pdf.heading("Scores", level=2)
    if export.scores_visible:
        draft = " (draft: not submitted yet)" if export.scores_draft else ""
        pdf.field("Overall recommendation", f"{export.recommendation or 'not chosen yet'}{draft}")
        if export.summary:
            pdf.block(export.summary)
    else:
        pdf.block(export.scores_hidden_reason, colour=MUTED)
    if export.scores_visible or export.has_suggestions or export.includes_private_notes:
        for section in export.steps:
            _step(pdf, section, export)

    if export.self_assessment:
        pdf.heading("Self-assessment", level=2)
        if export.self_summary:
            pdf.block(export.self_summary)
        for section in export.steps:
            value = _level(section.self_level, section.self_level_name)
            if section.self_notes:
                value += f". {section.self_notes}"
            pdf.field(f"{section.number}. {section.title}", value)

    pdf.heading("Transcript", level=2)
    if not any(section.transcript for section in export.steps) and not export.extra_transcript:
        pdf.block("Nothing was said.", colour=MUTED)
    for section in export.steps:
        if section.transcript:
            pdf.heading(f"{section.number}. {section.title}", level=3)
            for line in section.transcript:
                _transcript_line(pdf, line)
    if export.extra_transcript:
        pdf.heading("Other", level=3)
        for line in export.extra_transcript:
            _transcript_line(pdf, line)
    return bytes(pdf.output())
