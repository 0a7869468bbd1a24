"""The signing policy: ordered rules in a TOML file, first match wins, ALLOW / REQUIRE-APPROVALS n / BLOCK.

Rules match on chain, wallet, destinations (allowlist, address book, explicit list), asset, amount per
transaction and per rolling window (state in the DuckDB store), time window, operation type, findings and
severity. Every error names the file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import duckdb

from heistguard.config import parse_toml
from heistguard.errors import BadInput
from heistguard.findings import Finding, Severity
from heistguard.txguard.context import Context
from heistguard.txguard.hexdata import address, integer
from heistguard.txguard.model import EffectKind, Operation, Request

ACTIONS = ("allow", "block", "require-approvals")
OPERATIONS = (
    "call", "delegatecall", "create", "transfer", "approve", "swap", "order",
    "typed-data", "message", "safe", "set-code",
)  # fmt: skip
_EFFECT_OPERATION = {
    EffectKind.TRANSFER: "transfer",
    EffectKind.APPROVE: "approve",
    EffectKind.APPROVE_ALL: "approve",
    EffectKind.SWAP: "swap",
    EffectKind.ORDER: "order",
}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_KEYS = {
    "name", "action", "approvals", "chain", "wallet", "destination", "asset", "amount_over", "amount_at_most",
    "window", "hours_utc", "weekdays", "operation", "finding", "severity_at_least",
}  # fmt: skip
_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_HUGEINT_MAX = 2**127 - 1


@dataclass(frozen=True)
class Window:
    hours: int
    amount_over: int | None
    amount_at_most: int | None


@dataclass(frozen=True)
class PolicyRule:
    name: str
    action: str
    line: int
    approvals: int = 0
    chain: frozenset[int] | None = None
    wallet: str | frozenset[str] | None = None  # "own" or addresses (lower case)
    destination: str | frozenset[str] | None = None  # "allowlist" | "address-book" | addresses
    asset: frozenset[str] | None = None  # "eth" or addresses (lower case)
    amount_over: int | None = None
    amount_at_most: int | None = None
    window: Window | None = None
    hours_utc: tuple[int, int] | None = None  # minutes from midnight, start and end
    weekdays: frozenset[int] | None = None
    operation: frozenset[str] | None = None
    finding: frozenset[str] | None = None
    severity_at_least: Severity | None = None


@dataclass(frozen=True)
class Decision:
    action: str
    approvals: int
    rule: str
    where: str

    @property
    def word(self) -> str:
        return f"require-approvals {self.approvals}" if self.action == "require-approvals" else self.action


@dataclass
class Policy:
    rules: list[PolicyRule]
    source: str
    notes: list[str] = field(default_factory=list)

    def decide(
        self, request: Request, findings: list[Finding], ctx: Context, ledger: SpendLedger | None, now: dt.datetime
    ) -> Decision:
        for rule in self.rules:
            if _matches(rule, request, findings, ctx, ledger, now):
                return Decision(rule.action, rule.approvals, rule.name, f"{self.source}:{rule.line}")
        return Decision("block", 0, "no rule matched (a policy must end with a catch-all rule)", self.source)


# --- loading ------------------------------------------------------------------------------------


def _rule_lines(text: str) -> list[int]:
    return [n + 1 for n, line in enumerate(text.splitlines()) if re.match(r"^\s*\[\[\s*rule\s*\]\]", line)]


def _key_line(text: str, start: int, key: str) -> int:
    """The line of `key` inside the [[rule]] table whose header is on line `start` (1-based)."""
    lines = text.splitlines()
    for n in range(start, len(lines)):
        if re.match(r"^\s*\[", lines[n]):
            break
        if re.match(rf"^\s*{re.escape(key)}\s*=", lines[n]):
            return n + 1
    return start


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise BadInput("cannot read the policy", str(path), exc.strerror or str(exc)) from None
    return parse_policy(text, str(path))


def default_policy() -> Policy:
    text = resources.files("heistguard.txguard").joinpath("data/default_policy.toml").read_text("utf-8")
    return parse_policy(text, "built-in default policy")


def parse_policy(text: str, source: str) -> Policy:
    data = parse_toml(text, source, "policy TOML")
    unknown = set(data) - {"rule"}
    if unknown:
        raise BadInput("unknown policy key", source, f"{sorted(unknown)[0]!r}; a policy is a list of [[rule]] tables")
    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise BadInput("empty policy", source, "no [[rule]] tables")
    starts = _rule_lines(text)
    rules = []
    for n, raw in enumerate(raw_rules):
        start = starts[n] if n < len(starts) else 1
        rules.append(_parse_rule(raw, n, start, text, source))
    return Policy(rules, source)


def _parse_rule(raw: dict[str, object], n: int, start: int, text: str, source: str) -> PolicyRule:
    def where(key: str) -> str:
        return f"{source}:{_key_line(text, start, key)}"

    for key in raw:
        if key not in _KEYS:
            raise BadInput("unknown policy key", where(key), f"{key!r} (known: {', '.join(sorted(_KEYS))})")
    action = raw.get("action")
    if action not in ACTIONS:
        raise BadInput("bad policy action", where("action"), f"{action!r} is not one of {', '.join(ACTIONS)}")
    approvals = 0
    if action == "require-approvals":
        approvals = integer(raw.get("approvals", 1), where("approvals"), 8)
        if approvals < 1:
            raise BadInput("bad policy value", where("approvals"), "approvals must be at least 1")

    def addresses(key: str, specials: tuple[str, ...]) -> str | frozenset[str] | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value in specials:
            return value
        if not isinstance(value, list):
            raise BadInput(
                "bad policy value", where(key), f"expected {' or '.join(repr(s) for s in specials)} or a list"
            )
        return frozenset(address(v, where(key)).lower() for v in value)

    def strings(key: str, allowed: tuple[str, ...] | None = None) -> frozenset[str] | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadInput("bad policy value", where(key), "expected a list of strings")
        for v in value:
            if allowed and v not in allowed:
                raise BadInput("bad policy value", where(key), f"{v!r} is not one of {', '.join(allowed)}")
        return frozenset(value)

    chain = raw.get("chain")
    if chain is not None and (not isinstance(chain, list) or not all(isinstance(c, int) for c in chain)):
        raise BadInput("bad policy value", where("chain"), "expected a list of chain ids")
    assets = raw.get("asset")
    asset_set = None
    if assets is not None:
        if not isinstance(assets, list):
            raise BadInput("bad policy value", where("asset"), 'expected a list like ["ETH", "0x…"]')
        asset_set = frozenset("eth" if str(a).upper() == "ETH" else address(a, where("asset")).lower() for a in assets)
    window = None
    if raw.get("window") is not None:
        w = raw["window"]
        if not isinstance(w, dict) or set(w) - {"hours", "amount_over", "amount_at_most"} or "hours" not in w:
            raise BadInput(
                "bad policy value", where("window"), "expected { hours = N, amount_over = X } or amount_at_most"
            )
        window = Window(
            integer(w["hours"], where("window"), 32),
            integer(w["amount_over"], where("window")) if "amount_over" in w else None,
            integer(w["amount_at_most"], where("window")) if "amount_at_most" in w else None,
        )
    hours = None
    if raw.get("hours_utc") is not None:
        m = _HOURS.match(str(raw["hours_utc"]))
        if not m or int(m[1]) > 23 or int(m[3]) > 24 or int(m[2]) > 59 or int(m[4]) > 59:
            raise BadInput("bad policy value", where("hours_utc"), 'expected "HH:MM-HH:MM" in UTC')
        hours = (int(m[1]) * 60 + int(m[2]), int(m[3]) * 60 + int(m[4]))
    days = strings("weekdays", _DAYS)
    severity = raw.get("severity_at_least")
    if severity is not None and severity not in [s.value for s in Severity]:
        raise BadInput("bad policy value", where("severity_at_least"), f"{severity!r} is not a severity")
    name = raw.get("name", f"rule {n + 1}")
    return PolicyRule(
        name=str(name),
        action=str(action),
        line=start,
        approvals=approvals,
        chain=frozenset(chain) if chain is not None else None,
        wallet=addresses("wallet", ("own",)),
        destination=addresses("destination", ("allowlist", "address-book")),
        asset=asset_set,
        amount_over=integer(raw["amount_over"], where("amount_over")) if "amount_over" in raw else None,
        amount_at_most=integer(raw["amount_at_most"], where("amount_at_most")) if "amount_at_most" in raw else None,
        window=window,
        hours_utc=hours,
        weekdays=frozenset(_DAYS.index(d) for d in days) if days else None,
        operation=strings("operation", OPERATIONS),
        finding=strings("finding"),
        severity_at_least=Severity(severity) if severity else None,
    )


# --- matching -----------------------------------------------------------------------------------


def wallet_of(request: Request) -> str | None:
    """The account whose funds move: the Safe for a Safe transaction, else the signer."""
    if request.safe:
        return request.safe.safe
    if request.effects and request.effects[0].owner:
        return request.effects[0].owner
    return request.signer


def operations_of(request: Request) -> set[str]:
    ops: set[str] = set()
    for call in request.calls:
        ops.add(
            {Operation.CALL: "call", Operation.DELEGATECALL: "delegatecall", Operation.CREATE: "create"}[call.operation]
        )
    for effect in request.effects:
        ops.add(_EFFECT_OPERATION[effect.kind])
    if request.typed:
        ops.add("typed-data")
    if request.message:
        ops.add("message")
    if request.safes:
        ops.add("safe")
    if request.raw and request.raw.authorizations:
        ops.add("set-code")
    return ops


def destinations_of(request: Request) -> list[str]:
    out = [e.party for e in request.effects if e.party]
    if not out:
        out = [
            c.to for c in request.calls if c.to and c.depth == (1 if request.safes and request.kind == "raw-tx" else 0)
        ]
    return [d.lower() for d in out]


def transfers_of(request: Request) -> list[tuple[str, int]]:
    return [
        ("eth" if e.asset == "ETH" else e.asset.lower(), e.amount or 0)
        for e in request.effects
        if e.kind is EffectKind.TRANSFER
    ]


def _in_hours(span: tuple[int, int], now: dt.datetime) -> bool:
    minute = now.hour * 60 + now.minute
    start, end = span
    return start <= minute < end if start <= end else (minute >= start or minute < end)


def _matches(
    rule: PolicyRule,
    request: Request,
    findings: list[Finding],
    ctx: Context,
    ledger: SpendLedger | None,
    now: dt.datetime,
) -> bool:
    if rule.chain is not None and request.chain_id not in rule.chain:
        return False
    if rule.wallet is not None:
        wallet = (wallet_of(request) or "").lower()
        allowed = ctx.wallets if rule.wallet == "own" else rule.wallet
        if wallet not in allowed:
            return False
    if rule.destination is not None:
        targets = destinations_of(request)
        pool = (
            ctx.allowlist
            if rule.destination == "allowlist"
            else set(ctx.address_book)
            if rule.destination == "address-book"
            else rule.destination
        )
        if not targets or any(t not in pool for t in targets):
            return False
    transfers = transfers_of(request)
    if rule.asset is not None and (not transfers or any(asset not in rule.asset for asset, _ in transfers)):
        return False
    relevant = [(a, n) for a, n in transfers if rule.asset is None or a in rule.asset]
    if rule.amount_over is not None and not any(n > rule.amount_over for _, n in relevant):
        return False
    if rule.amount_at_most is not None and any(n > rule.amount_at_most for _, n in relevant):
        return False
    if rule.window is not None:
        if not relevant:
            return False
        wallet = (wallet_of(request) or "").lower()
        since = now - dt.timedelta(hours=rule.window.hours)
        totals: dict[str, int] = {}
        for asset, amount in relevant:
            totals[asset] = totals.get(asset, 0) + amount
        for asset, amount in totals.items():
            spent = (ledger.spent(wallet, request.chain_id, asset, since) if ledger else 0) + amount
            if rule.window.amount_over is not None and not spent > rule.window.amount_over:
                return False
            if rule.window.amount_at_most is not None and spent > rule.window.amount_at_most:
                return False
    if rule.hours_utc is not None and not _in_hours(rule.hours_utc, now):
        return False
    if rule.weekdays is not None and now.weekday() not in rule.weekdays:
        return False
    if rule.operation is not None and not (operations_of(request) & rule.operation):
        return False
    if rule.finding is not None and not any(f.rule_id in rule.finding for f in findings):
        return False
    if rule.severity_at_least is not None:
        floor = rule.severity_at_least.rank
        if not any(f.severity.rank >= floor for f in findings):
            return False
    return True


# --- rolling-window state -----------------------------------------------------------------------


class SpendLedger:
    """The guard's state in the DuckDB store: what each wallet has sent, per asset (rolling-window rules),
    and which Safe proposals were seen for which nonce (competing proposals across separate checks)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, writable: bool = True) -> None:
        self.conn = conn
        self.writable = writable
        if writable:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS txguard_spend (spent_at TIMESTAMP NOT NULL, wallet VARCHAR NOT NULL, "
                "chain_id BIGINT, asset VARCHAR NOT NULL, amount HUGEINT NOT NULL, request VARCHAR NOT NULL)"
            )
            conn.execute(
                "CREATE TABLE IF NOT EXISTS txguard_proposals (seen_at TIMESTAMP NOT NULL, safe VARCHAR NOT NULL, "
                "chain_id BIGINT, nonce UBIGINT NOT NULL, safe_tx_hash VARCHAR NOT NULL, request VARCHAR NOT NULL)"
            )
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'txguard_%'"
        ).fetchall()
        tables = {str(row[0]) for row in rows}
        self.present = "txguard_spend" in tables
        self.proposals_present = "txguard_proposals" in tables

    def proposals(self, safe: str, chain_id: int | None, nonce: int) -> set[str]:
        """safeTxHashes recorded earlier for this Safe and nonce."""
        if not self.proposals_present or nonce >= 2**64:
            return set()
        rows = self.conn.execute(
            "SELECT DISTINCT safe_tx_hash FROM txguard_proposals WHERE safe = ? AND nonce = ? "
            "AND chain_id IS NOT DISTINCT FROM ?",
            [safe.lower(), nonce, chain_id],
        ).fetchall()
        return {str(row[0]) for row in rows}

    def record_proposal(self, request: Request, now: dt.datetime) -> None:
        tx = request.safe
        if not self.writable or tx is None or tx.nonce is None or tx.nonce >= 2**64 or not tx.hashes:
            return
        rows = [
            (
                now.replace(tzinfo=None),
                tx.safe.lower(),
                tx.chain_id,
                tx.nonce,
                "0x" + h.safe_tx_hash.hex(),
                request.label,
            )
            for h in tx.hashes
        ]
        self.conn.executemany("INSERT INTO txguard_proposals VALUES (?, ?, ?, ?, ?, ?)", rows)

    def spent(self, wallet: str, chain_id: int | None, asset: str, since: dt.datetime) -> int:
        if not self.present:
            return 0
        row = self.conn.execute(
            "SELECT coalesce(sum(amount), 0) FROM txguard_spend WHERE wallet = ? AND asset = ? "
            "AND chain_id IS NOT DISTINCT FROM ? AND spent_at > ?",
            [wallet, asset, chain_id, since.replace(tzinfo=None)],
        ).fetchall()
        return int(row[0][0]) if row else 0

    def record(self, request: Request, now: dt.datetime) -> None:
        if not self.writable:
            return
        wallet = (wallet_of(request) or "").lower()
        rows = [
            (now.replace(tzinfo=None), wallet, request.chain_id, asset, min(amount, _HUGEINT_MAX), request.label)
            for asset, amount in transfers_of(request)
        ]
        if rows:
            self.conn.executemany("INSERT INTO txguard_spend VALUES (?, ?, ?, ?, ?, ?)", rows)
