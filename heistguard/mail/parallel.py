"""Triage on several processes: each worker holds its own store connection and model, and messages go
out in bounded batches so memory stays flat however large the mailbox."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from heistguard.config import MailConfig
from heistguard.findings import Verdict
from heistguard.mail.context import MailContext
from heistguard.mail.model import PhishingModel, load_model
from heistguard.mail.sources import MailItem
from heistguard.mail.triage import triage

BATCH_PER_WORKER = 32


@dataclass(frozen=True)
class WorkerSetup:
    """What a worker needs to build the same context as the parent (all of it picklable)."""

    config: MailConfig
    db: Path | None
    online: bool
    use_model: bool
    model_path: Path | None


_WORKER: tuple[MailContext, PhishingModel | None] | None = None


def _start(setup: WorkerSetup) -> None:
    global _WORKER
    from heistguard.intel import IntelLookup, open_store

    store = open_store(setup.db, read_only=True)  # closed when the worker exits
    dns = None
    if setup.online:
        from dkim.dnsplug import get_txt

        dns = get_txt
    model = load_model(setup.model_path) if setup.use_model else None
    _WORKER = (MailContext(setup.config, intel=IntelLookup(store), dns=dns), model)


def _triage_one(item: MailItem) -> Verdict:
    assert _WORKER is not None, "worker not started"
    context, model = _WORKER
    return triage(item, context, model)


def triage_in_parallel(items: Iterable[MailItem], setup: WorkerSetup, jobs: int) -> Iterator[tuple[MailItem, Verdict]]:
    """(item, verdict) in input order, computed by `jobs` worker processes."""
    # spawn, not fork: the parent holds a DuckDB connection whose threads must not be forked.
    context = multiprocessing.get_context("spawn")
    iterator = iter(items)
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start, initargs=(setup,)) as pool:
        while batch := list(islice(iterator, BATCH_PER_WORKER * jobs)):
            yield from zip(batch, pool.map(_triage_one, batch, chunksize=4), strict=True)
