"""`heistguard mail triage`: one verdict per message from files, directories, mbox, Maildir, .msg or IMAP."""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from heistguard.cli_support import FORMAT_OPTION, emit, state_of
from heistguard.errors import BadInput
from heistguard.findings import Verdict
from heistguard.mail.authentication import DnsLookup
from heistguard.mail.context import MailContext
from heistguard.mail.model import load_model
from heistguard.mail.parallel import WorkerSetup, triage_in_parallel
from heistguard.mail.sources import MailItem, iter_imap, iter_paths
from heistguard.mail.triage import freeze_loaded, triage
from heistguard.report import OutputFormat

mail_app = typer.Typer(
    help="Triage spear-phishing: sender, lookalikes, links, attachments, lures.", no_args_is_help=True
)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _online_dns() -> DnsLookup:
    from dkim.dnsplug import get_txt

    return get_txt


def quarantine(item: MailItem, directory: Path) -> Path:
    """Copy the message's stored bytes, unchanged, under a name that cannot escape `directory`."""
    digest = hashlib.sha256(item.stored).hexdigest()[:16]
    stem = _UNSAFE.sub("_", Path(item.name.split(";")[0].split("#")[0]).name)[:60] or "message"
    suffix = ".msg" if item.original is not None and item.stored[:4] == bytes.fromhex("d0cf11e0") else ".eml"
    target = directory / f"{stem}-{digest}{suffix}"
    target.write_bytes(item.stored)
    return target


@mail_app.command("triage")
def triage_command(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, help=".eml / .msg files, mbox files, Maildir or other directories."),
    imap: str | None = typer.Option(
        None,
        "--imap",
        help="imaps://user@host:port/FOLDER (or imap://), read-only; password from $HEISTGUARD_IMAP_PASSWORD.",
    ),
    online: bool = typer.Option(False, "--online", help="Fetch DKIM keys from DNS and verify signatures."),
    quarantine_dir: Path | None = typer.Option(
        None, "--quarantine", help="Copy phishing and suspicious messages here, byte for byte.", file_okay=False
    ),
    no_model: bool = typer.Option(False, "--no-model", help="Rules only, without the learned model."),
    model_path: Path | None = typer.Option(None, "--model", help="Use this model artifact instead of the shipped one."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, max=64, help="Worker processes."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> int:
    """One verdict per message: phishing, suspicious or clean, with the header, link or attachment that says why.

    Exit code 1 when any message is phishing, 2 when an input could not be read."""
    if not paths and not imap:
        raise BadInput("nothing to triage", None, "give PATH... or --imap URL")
    state = state_of(ctx)
    config = state.profile().mail
    if quarantine_dir is not None:
        try:
            quarantine_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(
                "cannot create the quarantine folder", str(quarantine_dir), exc.strerror or str(exc)
            ) from None
    model = None if no_model or not config.use_model else load_model(model_path)
    store = state.store(read_only=True)
    try:
        from heistguard.intel import IntelLookup

        context = MailContext(config=config, intel=IntelLookup(store), dns=_online_dns() if online else None)
        items = _items(paths or [], imap)
        if jobs > 1:
            setup = WorkerSetup(config, state.db_path(), online, model is not None, model_path)
            pairs = triage_in_parallel(items, setup, jobs)
        else:
            freeze_loaded()
            pairs = ((item, triage(item, context, model)) for item in items)
        if fmt is OutputFormat.SARIF:  # one document: verdicts are gathered, small as they are
            gathered: list[Verdict] = []
            _run(pairs, quarantine_dir, gathered.append)
            return emit(gathered, fmt)
        # Table and JSON lines are written message by message, so memory stays flat on any mailbox size.
        codes: set[int] = set()
        _run(pairs, quarantine_dir, lambda v: codes.add(emit([v], fmt)))
        return 1 if 1 in codes else 2 if 2 in codes else 0
    finally:
        store.close()


def _items(paths: list[Path], imap: str | None) -> Iterator[MailItem]:
    yield from iter_paths(paths)
    if imap:
        yield from iter_imap(imap)


def _run(
    pairs: Iterator[tuple[MailItem, Verdict]], quarantine_dir: Path | None, sink: Callable[[Verdict], object]
) -> None:
    console = Console(stderr=True)
    show = sys.stderr.isatty()
    columns = (SpinnerColumn(), TextColumn("triaging mail"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not show) as progress:
        task = progress.add_task("mail", total=None)
        for item, verdict in pairs:
            sink(verdict)
            if quarantine_dir is not None and verdict.verdict in ("phishing", "suspicious"):
                quarantine(item, quarantine_dir)
            progress.advance(task)
