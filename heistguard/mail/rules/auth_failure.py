"""mail.auth-failure: the receiving server recorded that SPF, DKIM or DMARC failed for this sender."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.authentication import arc_chain, recorded_results
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message

RULE = Rule(
    id="mail.auth-failure",
    severity=Severity.HIGH,
    title="sender authentication failed (SPF / DKIM / DMARC)",
    rationale="A DMARC failure means the From domain did not authorise this message: the classic sign of a "
    "spoofed sender. SPF or DKIM failing alone is weaker (forwarding breaks SPF) but still says the "
    "message did not come the way its sender claims.",
    attack=("T1672", "T1566"),
    references=("https://www.rfc-editor.org/rfc/rfc8601", "https://www.rfc-editor.org/rfc/rfc7489"),
)

_FAILED = {"fail", "softfail", "permerror"}


def check(message: Message, context: MailContext) -> list[Finding]:
    recorded = recorded_results(message, context.config.trusted_authserv_ids)
    if recorded is None:
        return []
    failed = [r for r in recorded.results if r.result in _FAILED and r.method in ("spf", "dkim", "dmarc", "compauth")]
    if not failed:
        return []
    methods = {r.method: r.result for r in failed}
    dkim_passed = any(r.result == "pass" for r in recorded.of("dkim"))
    chain = arc_chain(message)
    arc_vouches = any(r.result == "pass" for r in recorded.of("arc")) or (bool(chain) and chain[0].cv == "pass")
    if methods.get("dmarc") == "fail" or methods.get("compauth") == "fail":
        severity = Severity.HIGH
    elif ("dkim" in methods and not dkim_passed) or methods.get("spf") == "fail":
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW
    listed = message.header("List-Id") is not None and methods.get("dmarc") != "fail"
    if (arc_vouches or listed) and severity.rank > Severity.LOW.rank:  # lists alter bodies and envelopes
        severity = Severity.LOW  # forwarded through a list or relay that sealed a passing result (ARC)
    summary = ", ".join(f"{m}={r}" for m, r in sorted(methods.items()))
    title = f"sender authentication failed: {summary}"
    if arc_vouches:
        title += " (an ARC seal vouches for an earlier pass)"
    return [RULE.finding(title, [at(message, f"header {recorded.header_name}", failed[0].header)], severity=severity)]
