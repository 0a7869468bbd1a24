"""`heistguard scan PATH...`: check an untrusted repo, package, archive or file before anyone runs it."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from contextlib import ExitStack
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from heistguard.artifacts.scanner import Scanner, scan_paths
from heistguard.artifacts.walk import FileEntry, tree_entries
from heistguard.catalog import all_rules
from heistguard.cli_support import FORMAT_OPTION, emit, state_of
from heistguard.errors import BadInput
from heistguard.findings import Verdict
from heistguard.report import OutputFormat


def scan_command(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(
        None, help="Directories, git checkouts, archives (.zip .tgz .whl .jar .crx .vsix ...) or single files."
    ),
    rules: list[Path] = typer.Option(
        [], "--rules", help="A folder of your own YARA rules (.yar), run next to the bundled ones; repeatable."
    ),
    explain: str | None = typer.Option(None, "--explain", help="Print what a rule looks for and why, then exit."),
    intel: bool = typer.Option(True, "--intel/--no-intel", help="Look file hashes and URLs up in the intel store."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on a terminal."),
    max_file_mb: int | None = typer.Option(None, "--max-file-mb", help="Read at most this much of one file."),
    workers: int = typer.Option(
        min(os.cpu_count() or 1, 8), "--workers", "-j", help="Processes that read and scan a large tree's files."
    ),
    fmt: OutputFormat = FORMAT_OPTION,
) -> int:
    """Scan without executing anything. Exit 1 when something is high or critical, 2 on bad input."""
    if explain is not None:
        sys.stdout.write(explain_rule(explain))
        return 0
    if not paths:
        raise BadInput("nothing to scan", "scan", "give one or more paths, or --explain RULE")
    state = state_of(ctx)
    config = state.profile().artifacts
    if max_file_mb is not None:
        if max_file_mb < 1:
            raise BadInput("bad size limit", "--max-file-mb", "must be at least 1")
        config = config.model_copy(update={"max_file_mb": max_file_mb})
    with ExitStack() as stack:
        store = stack.enter_context(state.store(read_only=True)) if intel else None
        if workers < 1:
            raise BadInput("bad worker count", "--workers", "must be at least 1")
        scanner = Scanner(config=config, store=store, rules_dirs=tuple(rules), workers=workers)
        show = progress and sys.stderr.isatty()
        verdicts = _with_progress(paths, scanner) if show else scan_paths(paths, scanner)
    return emit(verdicts, fmt)


def _with_progress(paths: list[Path], scanner: Scanner) -> list[Verdict]:
    """A progress bar on stderr: files on disk are counted first (a listing, no reads), so the bar
    has an end; members of archives add to the count as they are found."""
    console = Console(stderr=True)
    total = sum(1 for path in paths for item in tree_entries(path) if isinstance(item, FileEntry))
    started = time.perf_counter()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("scanning", total=total or None)

        def tick(files: int, nbytes: int) -> None:
            rate = nbytes / max(time.perf_counter() - started, 1e-6) / 1e6
            bar.update(
                task,
                completed=files,
                total=max(total, files),
                description=f"scanning {nbytes / 1e6:,.0f} MB ({rate:,.0f} MB/s)",
            )

        return scan_paths(paths, scanner, tick)


def explain_rule(rule_id: str) -> str:
    """A rule's id, severity, ATT&CK ids, title, rationale and references, and for artifact rules the
    inert samples it is tested on."""
    from heistguard.artifacts.detectors import DETECTORS

    rules = all_rules()
    wanted = rule_id if rule_id in rules else f"artifacts.{rule_id}"
    rule = rules.get(wanted)
    if rule is None:
        near = [r for r in rules if rule_id.split(".")[-1] in r]
        hint = f"; did you mean {', '.join(near[:3])}?" if near else "; see the rule list in docs/artifacts.md"
        raise BadInput("unknown rule", "--explain", f"{rule_id!r}{hint}")
    lines = [
        f"{rule.id}  ({rule.severity.value})",
        rule.title,
        "",
        *textwrap.wrap(rule.rationale, 100),
        "",
    ]
    if rule.attack:
        lines.append("ATT&CK: " + ", ".join(rule.attack))
    lines.extend(f"reference: {ref}" for ref in rule.references)
    detector = next((d for d in DETECTORS if d.rule.id == rule.id), None)
    if detector is not None and detector.bad:
        sample = detector.bad[0]
        lines += ["", f"fires on (inert sample, {sample.name}):"]
        if b"\x00" in sample.content:  # a binary sample (LNK, ISO, PE header): describe, do not print
            lines.append(f"  ({len(sample.content):,} bytes of binary{': ' + sample.note if sample.note else ''})")
        else:
            lines += ["  " + line for line in sample.content.decode("utf-8", "replace").splitlines()[:8]]
    return "\n".join(lines).rstrip() + "\n"
