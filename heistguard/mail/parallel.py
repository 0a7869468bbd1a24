"""Triage on several processes: each worker holds its own store connection and model, and messages go
out in bounded batches so memory stays flat however large the mailbox."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from heistguard.config import MailConfig
from heistguard.findings import Verdict
from heistguard.mail.context import MailContext
from heistguard.mail.model import PhishingModel, load_model
from heistguard.mail.sources import MailItem
from heistguard.mail.triage import freeze_loaded, triage

# A batch is one round trip to a worker: big enough that pickling and queueing cost little per message,
# small enough that a few batches per worker in flight keep memory flat and every core busy.
BATCH_MESSAGES = 32
BATCH_BYTES = 2 * 1024 * 1024
IN_FLIGHT_PER_WORKER = 3


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
    freeze_loaded()


def _triage_batch(items: list[MailItem]) -> list[Verdict]:
    assert _WORKER is not None, "worker not started"
    context, model = _WORKER
    return [triage(item, context, model) for item in items]


def _ready() -> int:
    time.sleep(0.2)  # long enough that each worker takes one of the warm-up calls
    return os.getpid()


def batches(items: Iterable[MailItem]) -> Iterator[list[MailItem]]:
    """Consecutive messages in batches of at most BATCH_MESSAGES, closed early past BATCH_BYTES."""
    batch: list[MailItem] = []
    size = 0
    for item in items:
        batch.append(item)
        size += len(item.raw)
        if len(batch) >= BATCH_MESSAGES or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


class TriagePool:
    """`jobs` worker processes that triage messages in input order; use it as a context manager."""

    def __init__(self, setup: WorkerSetup, jobs: int) -> None:
        self.jobs = jobs
        # spawn, not fork: the parent holds a DuckDB connection whose threads must not be forked.
        self._pool = ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_start, initargs=(setup,)
        )

    def __enter__(self) -> TriagePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def warm_up(self) -> None:
        """Start every worker and load its store and model now rather than on the first messages."""
        for future in [self._pool.submit(_ready) for _ in range(self.jobs)]:
            future.result()

    def triage(self, items: Iterable[MailItem]) -> Iterator[tuple[MailItem, Verdict]]:
        """(item, verdict) in input order; at most IN_FLIGHT_PER_WORKER batches per worker are held at once."""
        pending: deque[tuple[list[MailItem], Future[list[Verdict]]]] = deque()
        for batch in batches(items):
            pending.append((batch, self._pool.submit(_triage_batch, batch)))
            if len(pending) >= self.jobs * IN_FLIGHT_PER_WORKER:
                done, future = pending.popleft()
                yield from zip(done, future.result(), strict=True)
        while pending:
            done, future = pending.popleft()
            yield from zip(done, future.result(), strict=True)


def triage_in_parallel(items: Iterable[MailItem], setup: WorkerSetup, jobs: int) -> Iterator[tuple[MailItem, Verdict]]:
    """(item, verdict) in input order, computed by `jobs` worker processes."""
    with TriagePool(setup, jobs) as pool:
        yield from pool.triage(items)
