"""Fan-out: one address splits stolen funds across many fresh addresses within a day."""

from __future__ import annotations

import datetime as dt

from heistguard.chain.rules.context import TraceContext, address_refs, transfer_evidence
from heistguard.findings import Finding, Rule, Severity

FAN_OUT = Rule(
    id="chain.fan-out",
    severity=Severity.MEDIUM,
    title="Stolen funds were split across many addresses",
    rationale="Splitting proceeds over dozens of fresh addresses (Ronin, Harmony, Bybit) defeats per-address limits "
    "and spreads the trail before mixers and exchanges.",
    attack=("T1657",),
)
RULES = (FAN_OUT,)
MIN_BRANCHES = 5
WINDOW = dt.timedelta(hours=24)


def detect(ctx: TraceContext) -> list[Finding]:
    findings = []
    for node, sent in sorted(ctx.outgoing().items()):
        first = sent[0]["time"]
        within = [e for e in sent if e["time"] - first <= WINDOW]
        receivers = {e["to_address"] for e in within}
        if len(receivers) >= MIN_BRANCHES:
            findings.append(
                FAN_OUT.finding(
                    title=f"{node} split stolen funds over {len(receivers)} addresses within 24 hours",
                    evidence=[transfer_evidence(e) for e in within[:20]],
                    indicators=address_refs([node, *receivers]),
                )
            )
    return findings
