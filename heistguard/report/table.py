"""The terminal table: one row per finding, grouped under its input's verdict."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from heistguard.findings import Severity, Verdict

SEVERITY_STYLE = {
    Severity.INFO: "dim",
    Severity.LOW: "cyan",
    Severity.MEDIUM: "yellow",
    Severity.HIGH: "bold red",
    Severity.CRITICAL: "bold white on red",
}
VERDICT_STYLE = {"error": "bold magenta"}


def _verdict_style(verdict: Verdict) -> str:
    if verdict.verdict in VERDICT_STYLE:
        return VERDICT_STYLE[verdict.verdict]
    worst = verdict.worst
    return SEVERITY_STYLE[worst] if worst else "green"


def render_table(verdicts: Iterable[Verdict]) -> Group:
    """A rich renderable; the CLI prints it, tests render it to text. Each finding's evidence is
    listed under its title, so long evidence wraps in the widest column instead of a narrow one."""
    blocks: list[RenderableType] = []
    for verdict in verdicts:
        heading = Text.assemble(
            (verdict.input, "bold"), "  ", (f"{verdict.verdict} ({verdict.score}/100)", _verdict_style(verdict))
        )
        if verdict.error:
            blocks.append(Text.assemble(heading, "  ", (verdict.error, "magenta")))
            continue
        if not verdict.findings:
            blocks.append(Text.assemble(heading, ("  no findings", "dim")))
            continue
        table = Table(title=heading, title_justify="left", show_lines=True, expand=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("rule", no_wrap=True)
        table.add_column("finding and evidence", ratio=1)
        for finding in verdict.findings:
            body = Text(finding.title, style="bold")
            for evidence in finding.evidence:
                where = str(evidence.location)
                body.append("\n  " + (f"{where}: " if where else ""), style="dim")
                body.append(evidence.text)
            table.add_row(Text(finding.severity.value, style=SEVERITY_STYLE[finding.severity]), finding.rule_id, body)
        blocks.append(table)
    return Group(*blocks)
