"""Backward trace: part of the value at an address came from a sanctioned, attributed or stolen-funds address."""

from __future__ import annotations

from fractions import Fraction

from heistguard.chain.labels import BAD_CATEGORIES
from heistguard.chain.rules.context import TraceContext, address_refs
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

TAINTED_SOURCE = Rule(
    id="chain.tainted-source",
    severity=Severity.HIGH,
    title="Value at this address came from a sanctioned or attributed address",
    rationale="An exchange deciding on a deposit, or a responder checking a counterparty, needs to know which "
    "share of the funds traces back to a listed heist or sanctioned address, and along which path.",
    attack=("T1657",),
)
RULES = (TAINTED_SOURCE,)


def detect(ctx: TraceContext) -> list[Finding]:
    findings = []
    for end in sorted(ctx.result.endpoints.values(), key=lambda e: (e.entity, e.address)):
        if end.category not in BAD_CATEGORIES:
            continue
        share = sum(end.share.values(), Fraction(0))
        evidence = [
            Evidence(
                location=Location(logical=f"tx {step['tx']}"),
                text=f"{step['time']} {step['from']} -> {step['to']} {step['amount']} {step['asset']}",
            )
            for step in reversed(end.path)
        ]
        evidence.append(Evidence(location=Location(logical="intel"), text=end.statement))
        findings.append(
            TAINTED_SOURCE.finding(
                title=f"{float(share):.2%} of the value at {ctx.result.start} came from {end.entity} "
                f"({end.category}) {end.address}",
                evidence=evidence,
                indicators=address_refs([end.address]),
            )
        )
    return findings
