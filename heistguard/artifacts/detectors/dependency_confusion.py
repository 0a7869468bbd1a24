"""Dependency confusion: an unscoped dependency named like one of the firm's internal packages, which
`npm install`/`pip install` will happily fetch from the public registry instead."""

from __future__ import annotations

import re
from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target
from heistguard.artifacts.detectors.manifest import dependencies, is_manifest
from heistguard.config import ArtifactsConfig
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.dependency-confusion",
    severity=Severity.HIGH,
    title="Dependency named like an internal package resolves from the public registry",
    rationale="Internal packages live in a private registry under the firm's scope (profile "
    "`[artifacts] internal_scopes`, `internal_packages`). An unscoped dependency with such a name, or a "
    "pip `--extra-index-url` next to internal names, lets whoever registers that name publicly ship "
    "code into the build (Birsan, 2021).",
    attack=("T1195.002",),
    references=("https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610",),
)


def _internal(name: str, config: ArtifactsConfig) -> bool:
    lowered = name.lower()
    if lowered.startswith("@"):
        return False  # scoped: the scope's registry mapping decides, which is the safe way
    if lowered in {p.lower() for p in config.internal_packages}:
        return True
    for scope in config.internal_scopes:
        bare = scope.lstrip("@").lower()
        if bare and re.match(rf"^{re.escape(bare)}[-_.]", lowered):
            return True
    return False


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    if not (ctx.config.internal_scopes or ctx.config.internal_packages):
        return
    extra_index = "--extra-index-url" in target.text or "extra-index-url" in target.text
    for dep in dependencies(target):
        if dep.own or not _internal(dep.name, ctx.config):
            continue
        how = " next to --extra-index-url" if extra_index and dep.ecosystem == "pypi" else ""
        yield RULE.finding(
            f"{dep.ecosystem} dependency {dep.name!r} is named like an internal package but is unscoped{how}",
            [target.evidence(dep.offset if dep.offset >= 0 else None, f"{dep.name}")],
        )


DETECTOR = Detector(
    rule=RULE,
    applies=is_manifest,
    check=_check,
    bad=(
        Sample("package.json", b'{"name": "app", "dependencies": {"heistcorp-signer": "^1.0.0"}}'),
        Sample("requirements.txt", b"--extra-index-url https://pypi.heistcorp.internal/simple\nheistcorp_keys==2.1\n"),
    ),
    good=(
        Sample("package.json", b'{"name": "app", "dependencies": {"@heistcorp/signer": "^1.0.0", "lodash": "4"}}'),
        Sample("requirements.txt", b"requests==2.32.0\n"),
    ),
    sample_config=ArtifactsConfig(internal_scopes=("@heistcorp",)),
)
