"""What every guard's commands share: the top-level options, the output step and error lines."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console

from heistguard.catalog import all_rules
from heistguard.config import Profile, load_profile
from heistguard.findings import Verdict
from heistguard.intel.store import IntelStore
from heistguard.report import OutputFormat, exit_code, render


@dataclass
class AppState:
    """What the top-level options say, handed to every sub-command through the Typer context."""

    db: Path | None
    config: Path | None

    def profile(self) -> Profile:
        return load_profile(self.config)

    def db_path(self) -> Path | None:
        return self.db or self.profile().intel.db

    def store(self, read_only: bool = True) -> IntelStore:
        from heistguard.intel import open_store

        return open_store(self.db_path(), read_only=read_only)


FORMAT_OPTION = typer.Option(OutputFormat.TABLE, "--format", "-f", help="Output format.", case_sensitive=False)


def state_of(ctx: typer.Context) -> AppState:
    state = ctx.find_object(AppState)
    return state if state is not None else AppState(db=None, config=None)


def emit(verdicts: Sequence[Verdict], fmt: OutputFormat) -> int:
    """Print verdicts in the chosen format, each bad input also as one line on stderr; return the exit code."""
    out = Console(soft_wrap=fmt is not OutputFormat.TABLE, highlight=False)
    rendered = render(verdicts, fmt, all_rules())
    if isinstance(rendered, str):
        sys.stdout.write(rendered)
        sys.stdout.flush()
    else:
        out.print(rendered)
    for verdict in verdicts:
        if verdict.error:
            err(verdict.error)
    return exit_code(verdicts)


def err(message: str) -> None:
    sys.stderr.write(f"heistguard: error: {message}\n")
