"""The trace summary: where the traced value ended up, per entity, with amount and share."""

from __future__ import annotations

from fractions import Fraction

from heistguard.chain.rules.context import readable
from heistguard.chain.trace import Direction, TraceResult
from heistguard.findings import Evidence, Finding, Location, Rule, Severity

TRACE_SUMMARY = Rule(
    id="chain.trace-summary",
    severity=Severity.INFO,
    title="Where the traced value ended up, per entity",
    rationale="The summary an incident responder sends on: each endpoint entity with the amount and share "
    "attributable to the traced funds under the chosen taint model.",
)
RULES = (TRACE_SUMMARY,)


def summary_finding(result: TraceResult) -> Finding:
    evidence = []
    for total in result.by_entity():
        amounts = ", ".join(
            f"{readable(a, v, result.asset_names)} ({int(v)} base units)" for a, v in sorted(total.amounts.items())
        )
        share = sum(total.share.values(), Fraction(0))
        shown = amounts or "value"
        evidence.append(
            Evidence(
                location=Location(logical=f"{total.category} {total.entity}"),
                text=shown + (f" ({float(share):.2%})" if share else "") + f" at {', '.join(sorted(total.addresses))}",
            )
        )
    backward = result.direction is Direction.BACKWARD
    for address, left in sorted(result.unresolved.items()):
        text = ", ".join(
            readable(a, v, result.asset_names) if a != "value" else f"{float(v):.2%} of the value"
            for a, v in sorted(left.items())
        )
        if backward:
            evidence.append(Evidence(location=Location(logical="origin"), text=f"{text} came from {address}"))
        else:
            evidence.append(Evidence(location=Location(logical="unresolved"), text=f"{text} still at {address}"))
    if result.truncated_at_hop is not None:
        evidence.append(
            Evidence(
                location=Location(logical="limit"),
                text=f"stopped after hop {result.truncated_at_hop}: more than {len(result.nodes) - 1} addresses "
                "reached (raise --max-nodes, or narrow with --since/--until/--min-amount)",
            )
        )
    if backward:
        title = (
            f"backward trace ({result.hops} hops) from {result.start}: value came from "
            f"{len(result.by_entity())} known entities and {len(result.unresolved)} unlabelled origins"
        )
    else:
        stolen = ", ".join(readable(a, v, result.asset_names) for a, v in sorted(result.stolen.items())) or "nothing"
        title = (
            f"forward trace ({result.model.value}, {result.hops} hops) from {result.start}: "
            f"{stolen} traced to {len(result.by_entity())} entities"
        )
    return TRACE_SUMMARY.finding(title=title, evidence=evidence)
