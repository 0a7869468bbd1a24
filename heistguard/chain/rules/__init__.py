"""The chain guard's rules: screening exposure, and laundering patterns found in a finished trace.

Each rule lives in its own module with its `detect`; this registry lists them explicitly.
"""

from __future__ import annotations

from collections.abc import Callable

from heistguard.chain.rules import (
    address_poisoning,
    dormant,
    endpoints,
    exposure,
    fan_in,
    fan_out,
    mixer_denominations,
    peel_chain,
    rapid_swaps,
    tainted_source,
    trace_summary,
)
from heistguard.chain.rules.context import TraceContext
from heistguard.chain.trace import Direction
from heistguard.findings import Finding, Rule

TRACE_DETECTORS: tuple[Callable[[TraceContext], list[Finding]], ...] = (
    endpoints.detect,
    mixer_denominations.detect,
    peel_chain.detect,
    fan_out.detect,
    fan_in.detect,
    rapid_swaps.detect,
    dormant.detect,
    address_poisoning.detect,
)
RULES: tuple[Rule, ...] = (
    *exposure.RULES,
    *endpoints.RULES,
    *mixer_denominations.RULES,
    *peel_chain.RULES,
    *fan_out.RULES,
    *fan_in.RULES,
    *rapid_swaps.RULES,
    *dormant.RULES,
    *address_poisoning.RULES,
    *tainted_source.RULES,
    *trace_summary.RULES,
)


def trace_findings(ctx: TraceContext) -> list[Finding]:
    """The laundering-pattern findings of a forward trace; a backward trace (where did value come from?) has
    sources, not laundering endpoints, so only its decoys are reported beside the summary."""
    if ctx.result.direction is Direction.BACKWARD:
        return [*tainted_source.detect(ctx), *address_poisoning.detect(ctx)]
    return [finding for detect in TRACE_DETECTORS for finding in detect(ctx)]
