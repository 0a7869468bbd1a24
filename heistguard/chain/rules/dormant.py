"""Dormant then move: stolen funds sit untouched for weeks, then move (often when attention has faded)."""

from __future__ import annotations

import datetime as dt

from heistguard.chain.rules.context import TraceContext, address_refs, transfer_evidence
from heistguard.findings import Finding, Rule, Severity

DORMANT_THEN_MOVE = Rule(
    id="chain.dormant-then-move",
    severity=Severity.HIGH,
    title="Stolen funds moved after lying dormant",
    rationale="Lazarus let proceeds sit for months (Coincheck, Ronin) and moved them when monitoring had eased; "
    "the first move after dormancy is the moment to alert exchanges again.",
    attack=("T1657",),
)
RULES = (DORMANT_THEN_MOVE,)
DORMANCY = dt.timedelta(days=30)


def detect(ctx: TraceContext) -> list[Finding]:
    incoming = ctx.incoming()
    findings = []
    for node, sent in sorted(ctx.outgoing().items()):
        arrived = [e["time"] for e in incoming.get(node, [])]
        if not arrived:
            continue
        last_in = (
            max(t for t in arrived if t <= sent[0]["time"]) if any(t <= sent[0]["time"] for t in arrived) else None
        )
        if last_in is None or sent[0]["time"] - last_in < DORMANCY:
            continue
        idle = sent[0]["time"] - last_in
        findings.append(
            DORMANT_THEN_MOVE.finding(
                title=f"{node} moved stolen funds after {idle.days} days dormant",
                evidence=[transfer_evidence(e) for e in [*incoming[node][-1:], *sent[:5]]],
                indicators=address_refs([node]),
            )
        )
    return findings
