"""A review as Markdown: header, problem, scores per step, self-assessment, then the transcript."""

import re

from .review import ReviewExport, StepSection, TranscriptLine, long_date

_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")


def escape(text: str) -> str:
    """Make user text read as plain text: no emphasis, links, HTML or headings of its own."""
    lines = []
    for line in text.splitlines() or [""]:
        line = _INLINE.sub(r"\\\1", line.rstrip())
        lines.append(_BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line, count=1))
    return "\n".join(lines)


def _indented(text: str, indent: str) -> str:
    """User text inside a list item: each line kept, continuation lines indented under the item."""
    return f"  \n{indent}".join(escape(text).splitlines())


def _level(level: int | None, name: str) -> str:
    return f"{level} · {name}" if level is not None else "no level"


def _time(line_at) -> str:
    return f"{line_at:%H:%M:%S}"


def _step_block(section: StepSection, export: ReviewExport) -> list[str]:
    heading = f"### {section.number}. {escape(section.title)}"
    if export.scores_visible:
        heading += f": {_level(section.level, section.level_name)}"
    out = [heading, ""]
    items = []
    if export.has_ticks:
        items.append(f"- **Criteria met:** {escape('; '.join(section.criteria_met)) or 'none'}")
        if section.criteria_missed:
            items.append(f"- **Not met:** {escape('; '.join(section.criteria_missed))}")
        if section.criteria_unticked:
            items.append(f"- **Not ticked:** {escape('; '.join(section.criteria_unticked))}")
    if section.notes:
        items.append(f"- **Notes:** {_indented(section.notes, '  ')}")
    if section.suggested_level is not None:
        suggestion = f"- **Suggested level:** {_level(section.suggested_level, section.suggested_level_name)}"
        if section.suggestion_summary:
            suggestion += f" ({escape(section.suggestion_summary)})"
        items.append(suggestion)
    if section.evidence:
        items.append("- **Evidence:**")
        for item in section.evidence:
            when = f", {_time(item.at)}" if item.at else ""
            about = f" ({escape(item.concept)})" if item.concept else ""
            line = f"  - {item.source}{when}, {item.verdict.lower()}{about}: {_indented(item.text, '    ')}"
            if item.link:
                line += f" [jump to it]({item.link})"
            items.append(line)
    if section.self_level is not None and export.scores_visible:
        items.append(f"- **Candidate's own level:** {_level(section.self_level, section.self_level_name)}")
    out.extend(items or ["No notes for this step."])
    if section.private_notes:
        out += ["", "**Private notes (interviewer only, never shown to the candidate):**", ""]
        out += [f"- {_time(note.at)} {_indented(note.text, '  ')}" for note in section.private_notes]
    out.append("")
    return out


def _transcript_line(line: TranscriptLine) -> str:
    if line.kind == "chat":
        return f"- {_time(line.at)} **{escape(line.author)}:** {_indented(line.text, '  ')}"
    if line.kind == "speech":  # said aloud, transcribed from the recording (the audio is never exported)
        return f"- {_time(line.at)} **{escape(line.author)}** (said): {_indented(line.text, '  ')}"
    return f"- {_time(line.at)} _{escape(line.text)}_"


def review_markdown(export: ReviewExport) -> str:
    out = [
        f"# {escape(export.title)}",
        "",
        f"- **Date:** {long_date(export.scheduled_at)} (times in {export.time_zone})",
        f"- **Interviewer:** {escape(export.interviewer)}",
        f"- **Candidate:** {escape(export.candidate)}",
        f"- **Status:** {export.status}",
        f"- **Rubric:** {escape(export.rubric)}",
        "",
    ]
    if export.includes_private_notes:
        out += [
            "> **This is the interviewer's copy.** It carries the private notes taken during the interview, "
            "marked *Private notes*; the candidate's export does not.",
            "",
        ]
    out += ["## Problem", "", f"**{escape(export.problem_title)}**", "", escape(export.problem_prompt), ""]

    out += ["## Scores", ""]
    if export.scores_visible:
        draft = " (draft: not submitted yet)" if export.scores_draft else ""
        out += [f"**Overall recommendation:** {export.recommendation or 'not chosen yet'}{draft}", ""]
        if export.summary:
            out += [escape(export.summary), ""]
    else:
        out += [f"_{escape(export.scores_hidden_reason)}_", ""]
    if export.scores_visible or export.has_suggestions or export.includes_private_notes:
        for section in export.steps:
            out += _step_block(section, export)

    if export.self_assessment:
        out += ["## Self-assessment", ""]
        if export.self_summary:
            out += [escape(export.self_summary), ""]
        for section in export.steps:
            level = _level(section.self_level, section.self_level_name)
            line = f"- **{section.number}. {escape(section.title)}:** {level}"
            if section.self_notes:
                line += f". {_indented(section.self_notes, '  ')}"
            out.append(line)
        out.append("")

    out += ["## Transcript", ""]
    if not any(section.transcript for section in export.steps) and not export.extra_transcript:
        out += ["Nothing was said.", ""]
    for section in export.steps:
        if section.transcript:
            out += [f"### {section.number}. {escape(section.title)}", ""]
            out += [_transcript_line(line) for line in section.transcript]
            out.append("")
    if export.extra_transcript:
        out += ["### Other", ""] + [_transcript_line(line) for line in export.extra_transcript] + [""]
    return "\n".join(out).rstrip() + "\n"
