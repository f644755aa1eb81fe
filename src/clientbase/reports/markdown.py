"""The report as Markdown, for a mail body or a wiki."""

from __future__ import annotations

from clientbase.reports.contents import build
from clientbase.reports.sections import Facts, Note, Table, header


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def render_md(data: dict, lang: str) -> str:
    """Markdown for a mail body or a wiki: a heading per section, GitHub-style tables."""
    title, meta = header(data, lang)
    lines = [f"# {title}", ""]
    lines += [f"- **{k}:** {_md_cell(v)}" for k, v in meta]
    for section in build(data, lang):
        lines += ["", f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Facts):
                lines += [f"- {_md_cell(k)}: **{_md_cell(v)}**" for k, v in block.items]
                lines.append("")
            elif isinstance(block, Table):
                lines.append(f"**{_md_cell(block.title)}**")
                lines.append("")
                lines.append("| " + " | ".join(_md_cell(c) for c in block.columns) + " |")
                aligns = [
                    "---:" if (block.numeric[i] if i < len(block.numeric) else False) else "---"
                    for i in range(len(block.columns))
                ]
                lines.append("| " + " | ".join(aligns) + " |")
                for row in block.rows:
                    lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
                lines.append("")
            elif isinstance(block, Note):
                lines += [f"_{_md_cell(block.text)}_", ""]
    return "\n".join(lines).rstrip() + "\n"
