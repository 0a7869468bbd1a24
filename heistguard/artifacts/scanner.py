"""The artifact scanner: walk an input safely, run every detector and the YARA rules over each file,
look file hashes and fetched URLs up in the intel store, and sum it all into one verdict per input.

Public entry points: `scan_path` / `scan_paths` for files and trees on disk, and `scan_bytes` for
bytes already in memory (the mail guard's attachments).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from heistguard.artifacts.detectors import DETECTORS
from heistguard.artifacts.detectors.base import Detector, ScanContext, Target
from heistguard.artifacts.detectors.walk_problems import UNREADABLE, finding_for
from heistguard.artifacts.walk import Limits, Member, MiB, Problem, walk, walk_bytes
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
class Scanner:
    """One configured scanner; make it once and reuse it for every input of a run."""

    config: ArtifactsConfig = field(default_factory=ArtifactsConfig)
    store: IntelStore | None = None
    rules_dirs: tuple[Path, ...] = ()
    detectors: Sequence[Detector] = DETECTORS
    use_yara: bool = True

    def __post_init__(self) -> None:
        self.limits = limits_of(self.config)
        self.context = ScanContext(config=self.config)
        self.yara = YaraRules(self.rules_dirs) if self.use_yara else None
        self.files = 0
        self.bytes = 0

    def scan_path(self, path: Path, display: str | None = None, progress: Progress | None = None) -> Verdict:
        shown = display or str(path)
        if not path.exists() and not path.is_symlink():
            return error_verdict(shown, GUARD, f"cannot scan {shown}: no such file or directory")
        return self._verdict(shown, walk(path, self.limits, display=shown), progress)

    def scan_bytes(self, name: str, data: bytes, progress: Progress | None = None) -> Verdict:
        return self._verdict(name, walk_bytes(name, data, self.limits), progress)

    def _verdict(self, shown: str, items: Iterable[Member | Problem], progress: Progress | None) -> Verdict:
        findings: list[Finding] = []
        hashes: dict[str, str] = {}
        urls: dict[str, str] = {}
        for item in items:
            if isinstance(item, Problem):
                findings.append(finding_for(item))
                continue
            file_findings = self.scan_member(item)
            findings.extend(file_findings)
            if len(item.data) == item.size:
                hashes.setdefault(hashlib.sha256(item.data).hexdigest(), item.path)
            for finding in file_findings:
                for indicator in finding.indicators:
                    if indicator.type == "url":
                        urls.setdefault(indicator.value, item.path)
            self.files += 1
            self.bytes += len(item.data)
            if progress:
                progress(self.files, self.bytes)
        findings.extend(self._intel(hashes, urls))
        return verdict_of(shown, GUARD, findings)

    def scan_member(self, member: Member) -> list[Finding]:
        """Every detector's and YARA rule's findings on one file; a detector that breaks on a hostile
        file is reported as a gap in the scan, never as a crash."""
        target = Target(member)
        out: list[Finding] = []
        for detector in self.detectors:
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
        if self.yara is not None:
            out.extend(self.yara.findings(target))
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
