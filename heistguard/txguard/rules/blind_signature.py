"""eth_sign / personal_sign of a bare 32-byte hash: the signer cannot see what the signature authorises."""

from __future__ import annotations

from heistguard.findings import Finding, Rule, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.model import Request
from heistguard.txguard.rules._shared import evidence

RULE = Rule(
    id="tx.blind-signature",
    severity=Severity.HIGH,
    title="Blind signature of a bare hash",
    rationale="A 32-byte hash could be a transaction's signing hash, a Safe transaction hash or an order: "
    "signing it blind is how signers were made to approve what they never saw. Always flagged.",
    attack=("T1565.003",),
)


def check(request: Request, ctx: Context) -> list[Finding]:
    out = []
    if request.message and request.message.blind:
        payload = request.message.payload
        why = "a bare 32-byte hash" if len(payload) == 32 else f"{len(payload)} raw bytes through eth_sign"
        severity = Severity.CRITICAL if request.message.method == "eth_sign" and len(payload) == 32 else None
        out.append(
            RULE.finding(
                f"{request.message.method} of {why}: 0x{payload.hex()[:64]}",
                evidence=[evidence("message", f"payload 0x{payload.hex()[:80]}", "payload")],
                severity=severity,
            )
        )
    typed = request.typed
    if typed and typed.kind == "safe-message":
        inner = typed.message.get("message")
        text = inner if isinstance(inner, str) else ""
        if text.startswith("0x") and len(text) == 66:
            out.append(
                RULE.finding(
                    f"SafeMessage signs a bare 32-byte hash {text}",
                    evidence=[evidence("typed", text, "message")],
                    severity=Severity.MEDIUM,
                )
            )
    return out
