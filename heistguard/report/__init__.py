"""Renderers: pure functions from verdicts (and the rule catalogue) to an output format."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping, Sequence

from rich.console import RenderableType

from heistguard.findings import Rule, Verdict


class OutputFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"


def exit_code(verdicts: Iterable[Verdict]) -> int:
    """0 nothing at high or above, 1 something high or critical, 2 a bad input and nothing found.

    A finding beats a bad input: a hit must never hide behind a usage error (the bad input is
    still reported on stderr and in the output)."""
    found = bad = False
    for verdict in verdicts:
        found = found or verdict.blocks
        bad = bad or verdict.error is not None
    return 1 if found else 2 if bad else 0


def render(verdicts: Sequence[Verdict], fmt: OutputFormat, rules: Mapping[str, Rule]) -> RenderableType | str:
    """The chosen format: a rich renderable for the table, text for JSON lines and SARIF."""
    from heistguard.report.jsonl import render_jsonl
    from heistguard.report.sarif import render_sarif
    from heistguard.report.table import render_table

    if fmt is OutputFormat.TABLE:
        return render_table(verdicts)
    if fmt is OutputFormat.JSON:
        return render_jsonl(verdicts)
    return json.dumps(render_sarif(verdicts, rules), indent=2, ensure_ascii=False) + "\n"
