"""The rule every policy decision is reported under (kept apart so the catalogue loads without the engine)."""

from __future__ import annotations

from heistguard.findings import Rule, Severity

POLICY_RULE = Rule(
    id="tx.policy-decision",
    severity=Severity.INFO,
    title="What the signing policy decided",
    rationale="The policy's first matching rule decides: BLOCK stops the signature, REQUIRE-APPROVALS asks for "
    "more people, ALLOW lets it through; the finding names the rule and its line.",
)
