"""The artifact scanner: walk an input safely, run every detector and the YARA rules over each file,
look file hashes and fetched URLs up in the intel store, and sum it all into one verdict per input.

Public entry points: `scan_path` / `scan_paths` for files and trees on disk, and `scan_bytes` for
bytes already in memory (the mail guard's attachments).
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from heistguard.artifacts.detectors import DETECTORS
from heistguard.artifacts.detectors.base import Detector, ScanContext, Target
from heistguard.artifacts.detectors.triggers import Triggers
from heistguard.artifacts.detectors.walk_problems import UNREADABLE, finding_for
from heistguard.artifacts.walk import (
    FileEntry,
    Limits,
    Member,
    MiB,
    Problem,
    read_entry,
    tree_entries,
    walk,
    walk_bytes,
)
from heistguard.artifacts.yara import YaraRules
from heistguard.config import ArtifactsConfig
from heistguard.findings import Evidence, Finding, Location, Verdict, error_verdict, verdict_of
from heistguard.intel.store import IntelStore

GUARD = "artifacts"
# Called after each file with (files so far, bytes so far): the CLI's progress bar.
Progress = Callable[[int, int], None]


def limits_of(config: ArtifactsConfig) -> Limits:
    return Limits(
        max_depth=config.max_depth,
        max_members=config.max_members,
        max_file_bytes=config.max_file_mb * MiB,
        max_total_bytes=config.max_archive_mb * MiB,
    )


@dataclass
class _Tally:
    """What a scan of one input has gathered so far."""

    findings: list[Finding] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0

    def add(self, other: _Tally) -> None:
        self.findings.extend(other.findings)
        for digest, where in other.hashes.items():
            self.hashes.setdefault(digest, where)
        for url, where in other.urls.items():
            self.urls.setdefault(url, where)
        self.files += other.files
        self.bytes += other.bytes


@dataclass
class Scanner:
    """One configured scanner; make it once and reuse it for every input of a run. With `workers`
    above 1, the files of a directory are read and scanned in that many processes."""

    config: ArtifactsConfig = field(default_factory=ArtifactsConfig)
    store: IntelStore | None = None
    rules_dirs: tuple[Path, ...] = ()
    detectors: Sequence[Detector] = DETECTORS
    use_yara: bool = True
    workers: int = 1

    def __post_init__(self) -> None:
        self.limits = limits_of(self.config)
        self.context = ScanContext(config=self.config)
        self.triggers = Triggers(self.detectors)
        # One yara-x pass per file: trigger words always, bundled and user rules unless turned off.
        self.yara = YaraRules(
            self.rules_dirs if self.use_yara else (), triggers_source=self.triggers.source, bundled=self.use_yara
        )
        self.files = 0
        self.bytes = 0

    def scan_path(self, path: Path, display: str | None = None, progress: Progress | None = None) -> Verdict:
        shown = display or str(path)
        if not path.exists() and not path.is_symlink():
            return error_verdict(shown, GUARD, f"cannot scan {shown}: no such file or directory")
        if self.workers > 1 and path.is_dir():
            tally = self._scan_parallel(tree_entries(path, shown), progress)
        else:
            tally = self._scan_items(walk(path, self.limits, display=shown), progress)
        return self._finish(shown, tally)

    def scan_bytes(self, name: str, data: bytes, progress: Progress | None = None) -> Verdict:
        return self._finish(name, self._scan_items(walk_bytes(name, data, self.limits), progress))

    def _finish(self, shown: str, tally: _Tally) -> Verdict:
        return verdict_of(shown, GUARD, [*tally.findings, *self._intel(tally.hashes, tally.urls)])

    def _scan_items(self, items: Iterable[Member | Problem], progress: Progress | None) -> _Tally:
        tally = _Tally()
        for item in items:
            if isinstance(item, Problem):
                tally.findings.append(finding_for(item))
                continue
            file_findings = self.scan_member(item)
            tally.findings.extend(file_findings)
            if len(item.data) == item.size:
                tally.hashes.setdefault(hashlib.sha256(item.data).hexdigest(), item.path)
            for finding in file_findings:
                for indicator in finding.indicators:
                    if indicator.type == "url":
                        tally.urls.setdefault(indicator.value, item.path)
            tally.files += 1
            tally.bytes += len(item.data)
            self._count(1, len(item.data), progress)
        return tally

    def _count(self, files: int, nbytes: int, progress: Progress | None) -> None:
        self.files += files
        self.bytes += nbytes
        if progress and files:
            progress(self.files, self.bytes)

    def _scan_parallel(self, entries: Iterable[FileEntry | Problem], progress: Progress | None) -> _Tally:
        """Directory entries go out in batches to worker processes; results come back in order, so
        the output is the same as a single-process scan's."""
        tally = _Tally()
        batches = _batches(entries, tally)
        first = next(batches, [])
        second = next(batches, None)
        if second is None:  # a small tree: starting processes would cost more than it saves
            items = (item for entry in first for item in read_entry(entry, self.limits))
            tally.add(self._scan_items(items, progress))
            return tally
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        pending: deque[Future[_Tally]] = deque()
        with ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.config, self.rules_dirs, self.use_yara),
        ) as pool:
            for batch in itertools.chain((first, second), batches):
                pending.append(pool.submit(_scan_batch, batch))
                while len(pending) > self.workers * 4:
                    self._collect(pending.popleft(), tally, progress)
            while pending:
                self._collect(pending.popleft(), tally, progress)
        return tally

    def _collect(self, future: Future[_Tally], tally: _Tally, progress: Progress | None) -> None:
        part = future.result()
        tally.add(part)
        self._count(part.files, part.bytes, progress)

    def scan_member(self, member: Member) -> list[Finding]:
        """Every detector's and YARA rule's findings on one file; a detector that breaks on a hostile
        file is reported as a gap in the scan, never as a crash."""
        target = Target(member)
        matches = self.yara.scan(member.data)
        # A scan that did not finish runs every detector rather than none.
        everything = isinstance(matches, str)
        triggered = frozenset() if isinstance(matches, str) else self.triggers.triggered(m.identifier for m in matches)
        out: list[Finding] = []
        for detector in self.detectors:
            if detector.triggers and not everything and detector.rule.id not in triggered:
                continue
            try:
                if detector.applies(target):
                    out.extend(detector.check(target, self.context))
            except (
                ValueError,
                TypeError,
                KeyError,
                IndexError,
                AttributeError,
                RecursionError,
                MemoryError,
                OverflowError,
                UnicodeError,
                OSError,
            ) as exc:
                out.append(
                    UNREADABLE.finding(
                        f"{target.name}: {detector.rule.id} could not analyse it",
                        [Evidence(location=Location(path=member.path), text=f"{type(exc).__name__}: {exc}"[:300])],
                    )
                )
        out.extend(self.yara.findings(target, matches))
        return out

    def _intel(self, hashes: dict[str, str], urls: dict[str, str]) -> list[Finding]:
        if self.store is None or not (hashes or urls):
            return []
        from heistguard.intel import IntelLookup

        intel = IntelLookup(self.store)
        values = [*hashes, *urls]
        places = {**hashes, **urls}
        findings: list[Finding] = []
        for result in intel.lookup_many(values):
            if result.matches:
                findings.extend(intel.findings(result.matches, Location(path=places[result.input])))
        return findings


_WORKER: Scanner | None = None
_BATCH_FILES = 256
_BATCH_BYTES = 16 * MiB


def _start_worker(config: ArtifactsConfig, rules_dirs: tuple[Path, ...], use_yara: bool) -> None:
    global _WORKER
    _WORKER = Scanner(config=config, rules_dirs=rules_dirs, use_yara=use_yara)


def _scan_batch(entries: list[FileEntry]) -> _Tally:
    scanner = _WORKER
    assert scanner is not None, "worker not started"
    items = (item for entry in entries for item in read_entry(entry, scanner.limits))
    return scanner._scan_items(items, None)


def _batches(entries: Iterable[FileEntry | Problem], tally: _Tally) -> Iterator[list[FileEntry]]:
    """Group entries into batches of a few hundred files or a few MiB; walk problems go straight to
    the tally."""
    batch: list[FileEntry] = []
    size = 0
    for entry in entries:
        if isinstance(entry, Problem):
            tally.findings.append(finding_for(entry))
            continue
        batch.append(entry)
        size += entry.size
        if len(batch) >= _BATCH_FILES or size >= _BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def scan_bytes(
    name: str,
    data: bytes,
    *,
    config: ArtifactsConfig | None = None,
    store: IntelStore | None = None,
    scanner: Scanner | None = None,
) -> Verdict:
    """Scan a file held in memory, such as a mail attachment: `name` is its file name (it decides which
    rules apply and is how findings name it), `data` its bytes. Archives are opened in memory under
    the same limits as on disk. Returns one Verdict (malicious / suspicious / clean, score 0-100).
    Pass a `scanner` to reuse compiled rules across many attachments."""
    scanner = scanner or Scanner(config=config or ArtifactsConfig(), store=store)
    return scanner.scan_bytes(name, data)


def scan_paths(paths: Sequence[Path], scanner: Scanner, progress: Progress | None = None) -> list[Verdict]:
    """One verdict per input path; a missing path is an error verdict and the rest carry on."""
    return [scanner.scan_path(path, str(path), progress) for path in paths]
