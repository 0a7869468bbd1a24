"""SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it.

Fingerprints hash the rule, the input and the evidence, never the run, so a rerun on the same
input yields the same results and code scanning tracks them across commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from heistguard import __version__
from heistguard.findings import Finding, Rule, Severity, Verdict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/heistguard/heistguard"

_LEVEL = {
    Severity.INFO: "note",
    Severity.LOW: "note",
    Severity.MEDIUM: "warning",
    Severity.HIGH: "error",
    Severity.CRITICAL: "error",
}
# GitHub reads `security-severity` (0.0-10.0) to rank security alerts.
_SECURITY_SEVERITY = {
    Severity.INFO: "0.0",
    Severity.LOW: "3.0",
    Severity.MEDIUM: "5.5",
    Severity.HIGH: "8.0",
    Severity.CRITICAL: "9.5",
}


def _rule_descriptor(rule: Rule) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.replace(".", "-").split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", *rule.attack],
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }
    if rule.references:
        descriptor["helpUri"] = rule.references[0]
    return descriptor


def _uri(path: str) -> str:
    return quote(PurePath(path).as_posix(), safe="/:")


def _locations(verdict: Verdict, finding: Finding) -> dict[str, Any]:
    physical = [e.location for e in finding.evidence if e.location.path]
    if physical:
        loc = physical[0]
        region: dict[str, Any] = {}
        if loc.line:
            region["startLine"] = loc.line
            if loc.column:
                region["startColumn"] = loc.column
        physical_location: dict[str, Any] = {"artifactLocation": {"uri": _uri(loc.path or "")}}
        if region:
            physical_location["region"] = region
        return {"locations": [{"physicalLocation": physical_location}]}
    logical = next((e.location.logical for e in finding.evidence if e.location.logical), None)
    name = f"{verdict.input} {logical}" if logical else verdict.input
    return {"locations": [{"logicalLocations": [{"name": name, "kind": "object"}]}]}


def _fingerprint(verdict: Verdict, finding: Finding) -> str:
    digest = hashlib.sha256()
    for part in (finding.rule_id, verdict.input, *(f"{e.location}|{e.text}" for e in finding.evidence)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def render_sarif(verdicts: Iterable[Verdict], rules: Mapping[str, Rule]) -> dict[str, Any]:
    """One run; every rule a result names is described in the driver, in id order."""
    verdicts = list(verdicts)
    used = sorted({f.rule_id for v in verdicts for f in v.findings})
    missing = [rid for rid in used if rid not in rules]
    if missing:
        raise KeyError(f"findings name rules missing from the catalogue: {', '.join(missing)}")
    index = {rid: i for i, rid in enumerate(used)}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for verdict in verdicts:
        if verdict.error:
            notifications.append({"level": "error", "message": {"text": f"{verdict.input}: {verdict.error}"}})
        for finding in verdict.findings:
            message = finding.title
            if finding.evidence:
                message += " — " + "; ".join(e.text for e in finding.evidence[:3])
            result: dict[str, Any] = {
                "ruleId": finding.rule_id,
                "ruleIndex": index[finding.rule_id],
                "level": _LEVEL[finding.severity],
                "message": {"text": message},
                **_locations(verdict, finding),
                "partialFingerprints": {"heistguardFinding/v1": _fingerprint(verdict, finding)},
                "properties": {
                    "severity": finding.severity.value,
                    "input": verdict.input,
                    "verdict": verdict.verdict,
                    "score": verdict.score,
                },
            }
            if finding.indicators:
                result["properties"]["indicators"] = [f"{i.type}:{i.value}" for i in finding.indicators]
            results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "HeistGuard",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rules[rid]) for rid in used],
            }
        },
        "results": results,
        "invocations": [{"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
