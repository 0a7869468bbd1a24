"""`heistguard chain ...`: ingest chain data, screen counterparties, trace stolen funds, write freeze lists."""

from __future__ import annotations

import datetime as dt
import enum
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from heistguard.chain.engine import Engine, duckdb_engine, export_parquet, spark_engine
from heistguard.chain.graph import freeze_list, freeze_list_text, write_graph
from heistguard.chain.labels import Labeller
from heistguard.chain.rules import exposure, trace_findings
from heistguard.chain.rules.context import TraceContext
from heistguard.chain.rules.trace_summary import summary_finding
from heistguard.chain.screen import ScreenResult, screen
from heistguard.chain.store import has_chain_tables
from heistguard.chain.trace import Direction, Model, TraceRequest, TraceResult, trace
from heistguard.cli_support import FORMAT_OPTION, emit, err, state_of
from heistguard.errors import BadInput
from heistguard.findings import Finding, Verdict, error_verdict, verdict_of
from heistguard.intel.store import IntelStore
from heistguard.report import OutputFormat

GUARD = "chain"
chain_app = typer.Typer(help="Chain data: ingest, screen counterparties, trace stolen funds.", no_args_is_help=True)


class EngineName(enum.StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )


@chain_app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(None, help="ethereum-etl / bitcoin-etl exports: CSV, JSON lines or Parquet."),
    chain: str = typer.Option("ethereum", "--chain", help="Chain name the rows belong to (ethereum, bitcoin, ...)."),
    rpc: str | None = typer.Option(None, "--rpc", help="Ethereum JSON-RPC URL to ingest blocks from."),
    bitcoin_rpc: str | None = typer.Option(None, "--bitcoin-rpc", help="Bitcoin Core RPC URL (with -txindex)."),
    start: int | None = typer.Option(None, "--start-block", help="First block (default: where the last run stopped)."),
    end: int | None = typer.Option(None, "--end-block", help="Last block (default: the node's head)."),
    traces: str = typer.Option("auto", "--traces", help="auto | trace_block | debug | none."),
    batch_rows: int = typer.Option(50_000, "--batch-rows", help="Rows per committed batch (file ingest)."),
) -> int:
    """Ingest files or a node's blocks into the store; safe to interrupt and rerun."""
    from heistguard.chain.ingest import ingest_file
    from heistguard.chain.rpc import JsonRpc, ingest_bitcoin_rpc, ingest_evm_rpc

    if not files and not rpc and not bitcoin_rpc:
        raise BadInput("nothing to ingest", "chain ingest", "give files, --rpc URL or --bitcoin-rpc URL")
    if traces not in ("auto", "trace_block", "debug", "none"):
        raise BadInput("bad --traces", traces, "use auto, trace_block, debug or none")
    failed = False
    with state_of(ctx).store(read_only=False) as store, _progress() as bar:
        for path in files or []:
            task = bar.add_task(path.name, total=None)
            try:

                def show(n: int, total: int | None, t: TaskID = task) -> None:
                    bar.update(t, completed=n, total=total)

                result = ingest_file(store, path, chain, batch_rows, show)
            except BadInput as exc:  # a batch carries on past a bad file
                err(exc.one_line())
                failed = True
                continue
            bar.update(task, completed=result.rows_read + result.rows_skipped_resume, total=None)
            if not result.rows_read and result.rows_skipped_resume:
                bar.console.print(f"{path}: already ingested ({result.rows_skipped_resume} rows), nothing to do")
                continue
            note = f", {len(result.reorged_blocks)} reorged block(s) replaced" if result.reorged_blocks else ""
            resumed = f" (resumed after {result.rows_skipped_resume} rows)" if result.rows_skipped_resume else ""
            bar.console.print(
                f"{path}: {result.table}, {result.rows_read} rows read{resumed}, {result.transfers} transfers{note}"
            )
        if rpc:
            task = bar.add_task(f"blocks from {rpc}", total=None)
            result, used = ingest_evm_rpc(
                store,
                JsonRpc(rpc),
                start,
                end,
                chain,
                traces,
                lambda n, total: bar.update(task, completed=n, total=total),
            )
            tracing = "no internal transfers: the node offers no tracing" if used == "none" else f"traces via {used}"
            bar.console.print(f"{rpc}: {result.blocks} blocks, {result.transfers} transfers ({tracing})")
        if bitcoin_rpc:
            if start is None or end is None:
                raise BadInput("missing block range", "--bitcoin-rpc", "give --start-block and --end-block")
            task = bar.add_task(f"blocks from {bitcoin_rpc}", total=end - start + 1)
            btc = ingest_bitcoin_rpc(
                store,
                JsonRpc(bitcoin_rpc),
                start,
                end,
                "bitcoin" if chain == "ethereum" else chain,
                lambda n, total: bar.update(task, completed=n, total=total),
            )
            bar.console.print(f"{bitcoin_rpc}: {btc.blocks} blocks, {btc.transfers} transfers")
    return 2 if failed else 0


@chain_app.command("export")
def export_command(ctx: typer.Context, folder: Path = typer.Argument(..., help="Folder for the Parquet files.")) -> int:
    """Write the chain tables as Parquet (the exchange format; what `--engine spark` reads)."""
    with state_of(ctx).store(read_only=True) as store:
        duckdb_engine(store)
        export_parquet(store, folder)
    typer.echo(f"wrote {folder}")
    return 0


@contextmanager
def _engine(store: IntelStore, name: EngineName, master: str, parquet: str | None) -> Iterator[Engine]:
    if name is EngineName.DUCKDB:
        yield duckdb_engine(store)
        return
    if parquet is not None:
        yield spark_engine(parquet, master)
        return
    duckdb_engine(store)
    with tempfile.TemporaryDirectory(prefix="heistguard-parquet-") as tmp:
        yield spark_engine(export_parquet(store, Path(tmp)), master)


ENGINE_OPTION = typer.Option(
    None, "--engine", help="duckdb (default) or spark [profile chain.engine].", case_sensitive=False
)
MASTER_OPTION = typer.Option(None, "--master", help="Spark master URL [profile chain.spark_master, local[*]].")
PARQUET_OPTION = typer.Option(
    None, "--parquet", help="Folder or URL (hdfs://, s3a://) of the Parquet chain tables for Spark (default: export)."
)
MODEL_OPTION = typer.Option(None, "--model", help="poison | haircut | fifo [profile chain.model, haircut].")
HOPS_OPTION = typer.Option(None, "--hops", help="How many hops to follow [profile chain.trace_hops, 6].")
MAX_NODES_OPTION = typer.Option(None, "--max-nodes", help="Stop expanding past this many addresses [20000].")


@dataclass
class _Settings:
    engine: EngineName
    master: str
    parquet: str | None


def _settings(ctx: typer.Context, engine: EngineName | None, master: str | None, parquet: str | None) -> _Settings:
    """Options as given, else the profile's [chain] section."""
    profile = state_of(ctx).profile().chain
    return _Settings(engine or EngineName(profile.engine), master or profile.spark_master, parquet or profile.parquet)


def _time(text: str | None, option: str) -> dt.datetime | None:
    if text is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"bad {option}", text, "use an ISO date or time, e.g. 2024-05-01 or 2024-05-01T12:00") from None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _screen_inputs(values: list[str]) -> list[str]:
    """Addresses as arguments; a file of them (one per line, or the first CSV column); `-` for stdin."""
    out: list[str] = []
    for value in values:
        lines: list[str]
        if value == "-":
            lines = sys.stdin.read().splitlines()
        elif Path(value).is_file():
            try:
                lines = Path(value).read_text("utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise BadInput("cannot read the address list", value, str(exc)) from None
        else:
            out.append(value)
            continue
        for line in lines:
            item = line.split(",")[0].strip()
            if item and not item.startswith("#") and item.lower() != "address":
                out.append(item)
    return out


@chain_app.command("screen")
def screen_command(
    ctx: typer.Context,
    values: list[str] = typer.Argument(..., help="Addresses, files of addresses (one per line), or - for stdin."),
    hops: int | None = typer.Option(None, "--hops", help="Exposure within this many hops [chain.screen_hops, 2]."),
    since: str | None = typer.Option(None, "--since", help="Only transfers at or after this time (ISO)."),
    until: str | None = typer.Option(None, "--until", help="Only transfers at or before this time (ISO)."),
    engine: EngineName | None = ENGINE_OPTION,
    master: str | None = MASTER_OPTION,
    parquet: str | None = PARQUET_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> int:
    """Is this counterparty listed, or within N hops of a sanctioned or attributed address? Exit 1 on exposure."""
    items = _screen_inputs(values)
    if not items:
        raise BadInput("nothing to screen", "arguments", "no addresses were given")
    settings = _settings(ctx, engine, master, parquet)
    hops = hops if hops is not None else state_of(ctx).profile().chain.screen_hops
    with state_of(ctx).store(read_only=True) as store:
        if hops and not has_chain_tables(store):
            Console(stderr=True).print(
                "note: the store holds no chain data, so only direct intel hits are screened "
                "(run `heistguard chain ingest` for exposure within hops)"
            )
            hops = 0
        results = _screen_with(store, settings, items, hops, _time(since, "--since"), _time(until, "--until"))
        intel = Labeller(store).intel
        verdicts = []
        for result in results:
            if result.error or result.address is None:
                verdicts.append(error_verdict(result.input, GUARD, result.error or "not screened"))
                continue
            findings: list[Finding] = intel.findings([label.match for label in result.direct])
            findings += exposure.detect(result)
            verdicts.append(verdict_of(result.input, GUARD, findings, ("exposed", "review", "clean")))
    return emit(verdicts, fmt)


def _run_trace(
    ctx: typer.Context,
    start: str,
    backward: bool,
    hops: int | None,
    since: str | None,
    until: str | None,
    min_amount: int,
    model: Model | None,
    engine: EngineName | None,
    master: str | None,
    parquet: str | None,
    max_nodes: int | None = None,
) -> tuple[TraceResult, list[Finding]]:
    profile = state_of(ctx).profile().chain
    settings = _settings(ctx, engine, master, parquet)
    request = TraceRequest(
        start=start,
        direction=Direction.BACKWARD if backward else Direction.FORWARD,
        hops=hops if hops is not None else profile.trace_hops,
        since=_time(since, "--since"),
        until=_time(until, "--until"),
        min_amount=min_amount,
        model=model or Model(profile.model),
        max_nodes=max_nodes if max_nodes is not None else profile.max_nodes,
    )
    with (
        state_of(ctx).store(read_only=True) as store,
        _engine(store, settings.engine, settings.master, settings.parquet) as eng,
    ):
        if not eng.has_transfers():
            raise BadInput("no chain data in the store", str(store.path), "run `heistguard chain ingest` first")
        clusters = None
        if not start.startswith(("0x", "0X")):  # Bitcoin: follow entities (clusters), not single addresses
            from heistguard.chain.clustering import build_clusters

            clusters = build_clusters(eng, "bitcoin")
        result = trace(eng, Labeller(store), request, clusters)
        findings = [summary_finding(result), *trace_findings(TraceContext(result, eng))]
    return result, findings


def _screen_with(
    store: IntelStore,
    settings: _Settings,
    items: list[str],
    hops: int,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[ScreenResult]:
    if not hops:
        return screen(None, store, items, 0)
    with _engine(store, settings.engine, settings.master, settings.parquet) as eng:
        return screen(eng, store, items, hops, since, until)


FROM_OPTION = typer.Option(..., "--from", help="Start: an address or a transaction hash.")


@chain_app.command("trace")
def trace_command(
    ctx: typer.Context,
    start: str = FROM_OPTION,
    backward: bool = typer.Option(False, "--backward/--forward", help="Follow value back to where it came from."),
    hops: int | None = HOPS_OPTION,
    since: str | None = typer.Option(None, "--since", help="Only transfers at or after this time (ISO)."),
    until: str | None = typer.Option(None, "--until", help="Only transfers at or before this time (ISO)."),
    min_amount: int = typer.Option(0, "--min-amount", help="Do not follow transfers below this (base units)."),
    model: Model | None = MODEL_OPTION,
    graph: list[Path] = typer.Option([], "--graph", help="Write the trace graph: .json, .csv, .graphml or .html."),
    max_nodes: int | None = MAX_NODES_OPTION,
    engine: EngineName | None = ENGINE_OPTION,
    master: str | None = MASTER_OPTION,
    parquet: str | None = PARQUET_OPTION,
    fmt: OutputFormat = FORMAT_OPTION,
) -> int:
    """Follow stolen value to the exchanges, mixers and bridges it reached. Exit 1 when it reached any."""
    result, findings = _run_trace(
        ctx, start, backward, hops, since, until, min_amount, model, engine, master, parquet, max_nodes
    )
    for path in graph:
        write_graph(result, path)
    verdict: Verdict = verdict_of(start, GUARD, findings, ("laundering", "review", "no-endpoints"))
    return emit([verdict], fmt)


@chain_app.command("freeze-list")
def freeze_list_command(
    ctx: typer.Context,
    start: str = FROM_OPTION,
    hops: int | None = HOPS_OPTION,
    since: str | None = typer.Option(None, "--since", help="Only transfers at or after this time (ISO)."),
    until: str | None = typer.Option(None, "--until", help="Only transfers at or before this time (ISO)."),
    min_amount: int = typer.Option(0, "--min-amount", help="Do not follow transfers below this (base units)."),
    model: Model | None = MODEL_OPTION,
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this .csv or .json file (default: stdout)."),
    engine: EngineName | None = ENGINE_OPTION,
    master: str | None = MASTER_OPTION,
    parquet: str | None = PARQUET_OPTION,
) -> int:
    """Per exchange: the deposit addresses, amounts and times to ask it to freeze (CSV or JSON)."""
    result, _ = _run_trace(ctx, start, False, hops, since, until, min_amount, model, engine, master, parquet)
    fmt = "json" if out is not None and out.suffix.lower() == ".json" else "csv"
    text = freeze_list_text(freeze_list(result), fmt)
    if out is None:
        sys.stdout.write(text)
    else:
        try:
            out.write_text(text)
        except OSError as exc:
            raise BadInput("cannot write the freeze list", str(out), exc.strerror or str(exc)) from None
    return 0
