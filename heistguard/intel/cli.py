"""`heistguard intel ...`: look indicators up, list and update sources, import and export intel."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from heistguard.cli_support import FORMAT_OPTION, emit, err, state_of
from heistguard.errors import BadInput
from heistguard.intel.bundled import read_feed
from heistguard.intel.exchange import (
    ExportFormat,
    export_data,
    export_feed,
    export_text,
    import_batch,
    read_intel_file,
)
from heistguard.intel.indicators import IndicatorType
from heistguard.intel.matching import IntelLookup
from heistguard.intel.store import Source
from heistguard.report import OutputFormat

intel_app = typer.Typer(help="The intelligence store: lookups, sources, imports and exports.", no_args_is_help=True)


def read_values(values: list[str]) -> list[str]:
    """Arguments as given; `-` stands for one value per line on stdin (blank and # lines skipped)."""
    out: list[str] = []
    for value in values:
        if value == "-":
            out.extend(line.strip() for line in sys.stdin if line.strip() and not line.lstrip().startswith("#"))
        else:
            out.append(value)
    return out


@intel_app.command("lookup")
def lookup_command(
    ctx: typer.Context,
    values: list[str] = typer.Argument(
        ..., help="Addresses, domains, URLs, IPs, e-mail addresses, hashes; - for stdin."
    ),
    kind: IndicatorType | None = typer.Option(None, "--type", "-t", help="Treat every value as this type."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> int:
    """Is this value known bad, and who says so? Exit 1 when a match is high or critical."""
    items = read_values(values)
    if not items:
        raise BadInput("nothing to look up", "stdin", "no values were given")
    with state_of(ctx).store(read_only=True) as store:
        intel = IntelLookup(store)
        verdicts = [intel.verdict(result) for result in intel.lookup_many(items, kind)]
    return emit(verdicts, fmt)


@intel_app.command("sources")
def sources_command(ctx: typer.Context, fmt: OutputFormat = FORMAT_OPTION) -> int:
    """Every source in the store with its as-of date, record count and licence."""
    _refuse_sarif(fmt, "a source list")
    with state_of(ctx).store(read_only=True) as store:
        sources = store.sources()
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "as_of": s.as_of.isoformat() if s.as_of else None,
            "records": s.records,
            "bundled": s.bundled,
            "url": s.url,
            "licence": s.licence,
            "notes": s.notes,
        }
        for s in sources
    ]
    table = Table(title="intel sources", title_justify="left")
    for column in ("source", "as of", "records", "name", "origin", "licence"):
        table.add_column(column, no_wrap=column in ("source", "as of", "records"))
    for s in sources:
        origin = (s.url or "") + ("" if s.bundled else " (imported)")
        table.add_row(s.id, str(s.as_of or "unknown"), str(s.records), s.name, origin, s.licence or "")
    return _print_list(fmt, rows, table)


@intel_app.command("update")
def update_command(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(
        ..., help="Feed files: OFAC SDN CSV, DPRK attribution CSV, Etherscan label CSV, GraphSense tag pack."
    ),
    source: str | None = typer.Option(
        None,
        "--source",
        help="Source id to replace (default: the bundled source of the same file name, else the file's stem).",
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="As-of date YYYY-MM-DD (default: newest date in the file, else the file's date)."
    ),
) -> int:
    """Re-import public feeds; each file replaces its source's records in one transaction."""
    from heistguard.intel.bundled import manifest

    by_file = {Path(item.file).name: item for item in manifest()}
    day = _parse_day(as_of) if as_of else None
    status = 0
    with state_of(ctx).store(read_only=False) as store:
        for path in files:
            try:
                text = _read_text(path)
                bundled = by_file.get(path.name)
                source_id = source or (bundled.source.id if bundled else path.stem.lower().replace("_", "-"))
                result = read_feed(path, text, source_id)
                when = day or result.newest or dt.date.fromtimestamp(path.stat().st_mtime)
                src = Source(
                    id=source_id,
                    name=bundled.source.name if bundled else f"imported feed {path.name}",
                    url=bundled.source.url if bundled else str(path.resolve()),
                    as_of=when,
                    licence=bundled.source.licence if bundled else None,
                    bundled=False,
                    notes=f"updated from {path.name}",
                )
                with store.transaction():
                    count = store.replace_source(src, result.records)
            except BadInput as exc:
                err(exc.one_line())
                status = 2
                continue
            sys.stdout.write(f"{source_id}: {count} records from {path} (as of {when})\n")
            _report_skipped(result.skipped, path, "rows")
    return status


@intel_app.command("import")
def import_command(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(
        ..., help="STIX 2.1 bundles, MISP event JSON, MISP feed manifests or directories, HeistGuard CSV."
    ),
    source: str | None = typer.Option(
        None, "--source", help="Put every record under this source id (default: the source each file names)."
    ),
    replace: bool = typer.Option(
        False, "--replace", help="Replace each source's records instead of merging (a feed that dropped some)."
    ),
) -> int:
    """Import intel files; each is read completely and written in one transaction, or not at all."""
    status = 0
    with state_of(ctx).store(read_only=False) as store:
        for path in files:
            try:
                fmt, batch = read_intel_file(path, store, source)
                count = import_batch(store, batch, replace=replace)
            except BadInput as exc:
                err(exc.one_line())
                status = 2
                continue
            into = ", ".join(sorted(batch.sources)) or "no source"
            sys.stdout.write(f"{path}: {fmt}, {count} records into {into}\n")
            _report_skipped(batch.skipped, path, "items")
    return status


@intel_app.command("export")
def export_command(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(..., "--format", "-f", help="stix, misp or csv.", case_sensitive=False),
    output: str | None = typer.Option(
        None,
        "--output",
        "-o",
        help="File to write (default stdout); with misp, a directory (or a path ending in /) gets a MISP feed.",
    ),
    sources: list[str] | None = typer.Option(None, "--source", help="Only this source id (repeatable)."),
    categories: list[str] | None = typer.Option(
        None, "--category", help="Only this category, e.g. sanctioned, attributed-theft, phishing (repeatable)."
    ),
    current: bool = typer.Option(False, "--current", help="Only current records: no delisted or withdrawn ones."),
) -> int:
    """Export the store (or some sources) as a STIX 2.1 bundle, MISP events or a MISP feed, or CSV."""
    with state_of(ctx).store(read_only=True) as store:
        data = export_data(store, sources or None, categories=categories or None, current_only=current)
    if output is None or output == "-":
        sys.stdout.write(export_text(data, fmt))
        return 0
    target = Path(output)
    if fmt is ExportFormat.MISP and (target.is_dir() or output.endswith(("/", os.sep))):
        try:
            events = export_feed(data, target)
        except OSError as exc:
            raise BadInput("cannot write MISP feed", output, exc.strerror or str(exc)) from None
        sys.stdout.write(f"{target}: MISP feed, {events} events, {len(data.records)} records\n")
        return 0
    text = export_text(data, fmt)
    partial = target.with_name(target.name + ".partial")
    try:
        partial.write_text(text, "utf-8")
        partial.replace(target)  # readers never see half a file
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BadInput("cannot write export", output, exc.strerror or str(exc)) from None
    plural = "" if len(data.sources) == 1 else "s"
    sys.stdout.write(f"{target}: {fmt.value}, {len(data.records)} records from {len(data.sources)} source{plural}\n")
    return 0


@intel_app.command("actors")
def actors_command(ctx: typer.Context, fmt: OutputFormat = FORMAT_OPTION) -> int:
    """The intrusion sets indicators are attributed to, with their ATT&CK ids."""
    _refuse_sarif(fmt, "an actor list")
    with state_of(ctx).store(read_only=True) as store:
        actors = store.actors()
    rows = [
        {
            "id": a.id,
            "name": a.name,
            "attack_id": a.attack_id,
            "aliases": list(a.aliases),
            "description": a.description,
            "parent": a.parent,
            "references": list(a.refs),
        }
        for a in actors
    ]
    table = Table(title="actors", title_justify="left")
    for column in ("name", "ATT&CK", "aliases", "description"):
        table.add_column(column)
    for a in actors:
        table.add_row(a.name, a.attack_id or "(ours)", ", ".join(a.aliases), a.description)
    return _print_list(fmt, rows, table)


def _refuse_sarif(fmt: OutputFormat, what: str) -> None:
    if fmt is OutputFormat.SARIF:
        raise BadInput(f"no SARIF form for {what}", "--format", "use table or json")


def _print_list(fmt: OutputFormat, rows: Sequence[Mapping[str, object]], table: Table) -> int:
    """A listing command's output: one JSON object per row, or the table."""
    if fmt is OutputFormat.JSON:
        sys.stdout.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    else:
        Console().print(table)
    return 0


def _report_skipped(problems: list[str], path: Path, what: str, shown: int = 10) -> None:
    """The first few unusable rows of a file, one line each, then how many more."""
    for problem in problems[:shown]:
        err(f"skipped {problem}")
    if len(problems) > shown:
        err(f"skipped {len(problems) - shown} more {what} in {path}")


def _parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput("malformed date", "--as-of", f"{text!r} is not YYYY-MM-DD") from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput("not UTF-8 text", str(path), f"byte {exc.start}") from None
    except OSError as exc:
        raise BadInput("cannot read file", str(path), exc.strerror or str(exc)) from None
