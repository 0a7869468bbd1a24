"""Fan-in: stolen funds split earlier are gathered again into one address."""

from __future__ import annotations

from heistguard.chain.rules.context import TraceContext, address_refs, transfer_evidence
from heistguard.findings import Finding, Rule, Severity

FAN_IN = Rule(
    id="chain.fan-in",
    severity=Severity.MEDIUM,
    title="Split stolen funds were gathered again into one address",
    rationale="Re-aggregation after a split (before a bridge or an OTC desk) marks the address as a collection "
    "point of the launderers, often a good place to ask for a freeze.",
    attack=("T1657",),
)
RULES = (FAN_IN,)
MIN_SENDERS = 3


def detect(ctx: TraceContext) -> list[Finding]:
    findings = []
    roles = ctx.result.nodes
    for node, received in sorted(ctx.incoming().items()):
        if roles.get(node, {}).get("role") == "endpoint":
            continue  # a service receiving from many is normal: endpoints are reported by their own rule
        senders = {e["from_address"] for e in received}
        if len(senders) >= MIN_SENDERS:
            findings.append(
                FAN_IN.finding(
                    title=f"{node} gathered stolen funds from {len(senders)} addresses",
                    evidence=[transfer_evidence(e) for e in received[:20]],
                    indicators=address_refs([node, *senders]),
                )
            )
    return findings
