"""mail.arc-broken: the ARC chain of custody is broken (a seal says the chain failed validation)."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.authentication import arc_chain, recorded_results
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.arc-broken",
    severity=Severity.MEDIUM,
    title="ARC chain failed validation",
    rationale="An intermediary that seals a message with cv=fail (or a receiver recording arc=fail) saw the "
    "authentication chain broken: the message was altered or its earlier results were forged.",
    attack=("T1672",),
    references=("https://www.rfc-editor.org/rfc/rfc8617",),
)


def check(message: Message, context: MailContext) -> list[Finding]:
    # Lists that rewrite subjects and footers break earlier seals as a matter of course.
    severity = Severity.LOW if message.header("List-Id") is not None else None
    chain = arc_chain(message)
    if chain and chain[0].cv == "fail":
        return [
            RULE.finding(
                f"ARC seal i={chain[0].instance} records cv=fail",
                [at(message, "header ARC-Seal", chain[0].header)],
                severity=severity,
            )
        ]
    recorded = recorded_results(message, context.config.trusted_authserv_ids)
    if recorded is not None:
        failed = [r for r in recorded.of("arc") if r.result == "fail"]
        if failed:
            evidence = [at(message, f"header {recorded.header_name}", failed[0].header)]
            return [RULE.finding("receiver recorded arc=fail", evidence, severity=severity)]
    return []
