"""The guard's one pipeline: input -> `Request` -> checks -> policy decision -> `Verdict`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from heistguard.errors import BadInput
from heistguard.findings import Evidence, Finding, Location, Severity, Verdict, error_verdict, score_of
from heistguard.txguard import decode
from heistguard.txguard.context import Context
from heistguard.txguard.decode import Options
from heistguard.txguard.describe import summary
from heistguard.txguard.hexdata import hex_bytes
from heistguard.txguard.model import Request
from heistguard.txguard.policy import Decision, Policy, SpendLedger, default_policy
from heistguard.txguard.policy_rule import POLICY_RULE
from heistguard.txguard.rules import CHECKS, safe_nonce_conflict
from heistguard.txguard.safe import load_safe_json
from heistguard.txguard.txbuilder import is_batch_file
from heistguard.txguard.typed_data import load_request, parse_message

GUARD = "tx"

_DECISION_SEVERITY = {"block": Severity.HIGH, "require-approvals": Severity.MEDIUM, "allow": Severity.INFO}


@dataclass
class TxCheck:
    """One checked input: what it is, what was found, what the policy decided."""

    request: Request
    findings: list[Finding]
    decision: Decision
    verdict: Verdict

    @property
    def blocked(self) -> bool:
        return self.decision.action == "block"

    @property
    def error(self) -> str | None:
        return self.verdict.error

    @classmethod
    def failed(cls, label: str, exc: BadInput) -> TxCheck:
        """A bad item of a batch, reported in place."""
        verdict = error_verdict(label, GUARD, exc.one_line())
        return cls(Request("error", label), [], Decision("error", 0, "unreadable input", label), verdict)


def _hashes_of(request: Request) -> set[str]:
    tx = request.safe
    return {"0x" + h.safe_tx_hash.hex() for h in tx.hashes} if tx else set()


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TxGuard:
    """Checks transactions and signature requests; build once, check many."""

    def __init__(
        self,
        ctx: Context | None = None,
        policy: Policy | None = None,
        ledger: SpendLedger | None = None,
        record: bool = False,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self.ctx = ctx or Context.build()
        self.policy = policy or default_policy()
        self.ledger = ledger
        self.record = record
        self.now = now

    # --- inputs ---------------------------------------------------------------------------------

    def check_raw(self, raw_hex: str, opts: Options | None = None, label: str = "--raw") -> TxCheck:
        raw = hex_bytes(raw_hex, label, "raw transaction hex")
        return self.check_request(decode.from_raw(raw, self.ctx, opts or Options(), label))

    def check_safe_json(self, text: str, opts: Options | None = None, label: str = "--safe-json") -> list[TxCheck]:
        """Every Safe transaction in the JSON (one, a list, or the API's {"results": [...]}).

        A single transaction that cannot be read raises `BadInput`; in a list, the bad one is reported in
        place (`TxCheck.error`) and the others are checked."""
        items = load_safe_json(text, label)
        opts = opts or Options()
        if len(items) == 1 and is_batch_file(items[0]):
            return [self.check_request(decode.from_batch_file(items[0], self.ctx, opts, label))]
        if len(items) == 1:
            request = decode.from_safe_object(items[0], self.ctx, opts, label)
            return [self.check_request(request, safe_nonce_conflict.check_batch([request], self.ctx).get(0, []))]
        decoded: list[Request | BadInput] = []
        for n, item in enumerate(items):
            try:
                decoded.append(decode.from_safe_object(item, self.ctx, opts, f"{label}[{n}]"))
            except BadInput as exc:
                decoded.append(exc)
        good = [r for r in decoded if isinstance(r, Request)]
        extra = safe_nonce_conflict.check_batch(good, self.ctx)
        out = []
        position = 0  # index of the next good request in `good`
        for n, entry in enumerate(decoded):
            if isinstance(entry, BadInput):
                out.append(TxCheck.failed(f"{label}[{n}]", entry))
            else:
                out.append(self.check_request(entry, extra.get(position, [])))
                position += 1
        return out

    def check_typed_data(self, text: str, opts: Options | None = None, label: str = "--typed-data") -> TxCheck:
        parsed = load_request(text, label)
        return self.check_request(decode.from_typed(parsed, self.ctx, opts or Options(), label))

    def check_message(self, payload: str, method: str = "personal_sign", label: str = "--message") -> TxCheck:
        return self.check_request(decode.from_typed(parse_message(method, payload, label), self.ctx, Options(), label))

    # --- the pipeline ---------------------------------------------------------------------------

    def _earlier_proposals(self, request: Request) -> list[Finding]:
        """A different proposal for the same Safe and nonce recorded by an earlier check (`--record`)."""
        tx = request.safe
        if self.ledger is None or tx is None or tx.nonce is None or not tx.hashes:
            return []
        earlier = self.ledger.proposals(tx.safe, tx.chain_id, tx.nonce)
        if not earlier or earlier & _hashes_of(request):
            return []
        return [
            safe_nonce_conflict.RULE.finding(
                f"Safe {tx.safe} nonce {tx.nonce}: a different proposal was recorded before ({sorted(earlier)[0]})",
                evidence=[Evidence(location=Location(logical="safe nonce"), text=", ".join(sorted(earlier)))],
            )
        ]

    def check_request(self, request: Request, extra: list[Finding] | None = None) -> TxCheck:
        request.summary = summary(request, self.ctx)
        findings: list[Finding] = []
        for check in CHECKS:
            findings.extend(check(request, self.ctx))
        findings.extend(extra or [])
        findings.extend(self._earlier_proposals(request))
        now = self.now()
        decision = self.policy.decide(request, findings, self.ctx, self.ledger, now)
        findings.append(
            POLICY_RULE.finding(
                f"policy: {decision.word.upper()} by rule {decision.rule!r}",
                evidence=[Evidence(location=Location(logical=decision.where), text=decision.rule)],
                severity=_DECISION_SEVERITY[decision.action],
            )
        )
        if self.record and self.ledger:
            self.ledger.record_proposal(request, now)
            if decision.action != "block":
                self.ledger.record(request, now)
        ordered = tuple(sorted(findings, key=Finding.sort_key))
        verdict = Verdict(
            input=request.label, guard=GUARD, verdict=decision.word, score=score_of(ordered), findings=ordered
        )
        return TxCheck(request, findings, decision, verdict)
