"""`heistguard tx …`: check a raw transaction, Safe transaction or signature request, and print Safe hashes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from heistguard.cli_support import FORMAT_OPTION, emit, state_of
from heistguard.config import TxguardConfig
from heistguard.errors import BadInput
from heistguard.report import OutputFormat
from heistguard.txguard import safe as safe_mod
from heistguard.txguard.context import Context, IntelScreen
from heistguard.txguard.decode import Options
from heistguard.txguard.engine import TxCheck, TxGuard
from heistguard.txguard.hexdata import ZERO_ADDRESS, address, hex_bytes
from heistguard.txguard.model import Operation, SafeTx
from heistguard.txguard.policy import SpendLedger, default_policy, load_policy

tx_app = typer.Typer(
    help="Transactions and signature requests: decode offline, check against intel and policy.", no_args_is_help=True
)


def _read(path: Path, what: str) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        raise BadInput(f"cannot read {what}", str(path), exc.strerror or str(exc)) from None
    except UnicodeDecodeError as exc:
        raise BadInput(f"cannot read {what}", str(path), f"not UTF-8 text: {exc.reason}") from None


def _config(ctx: typer.Context, abi: list[Path]) -> TxguardConfig:
    config = state_of(ctx).profile().txguard
    if abi:
        config = config.model_copy(update={"abi_files": [*config.abi_files, *abi]})
    return config


@tx_app.command("check")
def check_command(
    ctx: typer.Context,
    raw: str | None = typer.Option(
        None, "--raw", help="Raw transaction hex (signed or unsigned); @FILE reads a file, - reads stdin."
    ),
    safe_json: Path | None = typer.Option(
        None, "--safe-json", help="Safe transaction JSON (API / UI export); - stdin."
    ),
    typed_data: Path | None = typer.Option(None, "--typed-data", help="EIP-712 JSON or a JSON-RPC signing request."),
    message: str | None = typer.Option(None, "--message", help="eth_sign / personal_sign payload (0x-hex or text)."),
    method: str = typer.Option(
        "personal_sign", "--method", help="Signing method for --message: personal_sign|eth_sign."
    ),
    safe_nonce: int | None = typer.Option(None, "--safe-nonce", min=0, help="Safe nonce (not in the calldata)."),
    safe_version: str | None = typer.Option(None, "--safe-version", help="Safe contract version, e.g. 1.3.0."),
    chain_id: int | None = typer.Option(None, "--chain-id", min=0, help="Chain id when the input does not carry it."),
    policy: Path | None = typer.Option(None, "--policy", help="Signing policy TOML (default: built-in)."),
    abi: list[Path] = typer.Option([], "--abi", help="JSON ABI file to decode calldata with (repeatable)."),
    record: bool = typer.Option(False, "--record", help="Record allowed transfers for rolling-window policy rules."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> int:
    """Say what a transaction or signature does, check it, and decide. Exit 1 on BLOCK, 2 on bad input."""
    given = [x for x in (raw, safe_json, typed_data, message) if x is not None]
    if len(given) != 1:
        raise BadInput("give exactly one input", "tx check", "one of --raw, --safe-json, --typed-data, --message")
    if method not in ("personal_sign", "eth_sign"):
        raise BadInput("unknown signing method", "--method", f"{method!r} is not personal_sign or eth_sign")
    opts = Options(safe_nonce=safe_nonce, safe_version=safe_version, chain_id=chain_id)
    state = state_of(ctx)
    config = _config(ctx, abi)
    policy_path = policy or config.policy
    chosen = load_policy(policy_path) if policy_path else default_policy()
    with state.store(read_only=not record) as store:
        guard = TxGuard(
            Context.build(config, IntelScreen(store)),
            chosen,
            SpendLedger(store.conn, writable=record),
            record=record,
        )
        checks: list[TxCheck]
        if raw is not None and (raw == "-" or raw[:1] == "@"):
            text = sys.stdin.read() if raw == "-" else _read(Path(raw[1:]), "raw transaction")
            checks = _raw_batch(guard, text, opts, "stdin" if raw == "-" else raw[1:])
        elif raw is not None:
            checks = [guard.check_raw(raw, opts)]
        elif safe_json is not None:
            checks = guard.check_safe_json(_read(safe_json, "Safe JSON"), opts, str(safe_json))
        elif typed_data is not None:
            checks = [guard.check_typed_data(_read(typed_data, "typed data"), opts, str(typed_data))]
        else:
            checks = [guard.check_message(message or "", method)]
    if fmt is OutputFormat.TABLE:
        for check in checks:
            if check.error:
                continue
            sys.stdout.write(check.request.summary + "\n")
            sys.stdout.write(
                f"Decision: {check.decision.word.upper()} ({check.decision.rule}, {check.decision.where})\n"
            )
        sys.stdout.flush()
    emit([c.verdict for c in checks], fmt)
    return 1 if any(c.blocked for c in checks) else 2 if any(c.error for c in checks) else 0


def _raw_batch(guard: TxGuard, text: str, opts: Options, source: str) -> list[TxCheck]:
    """One raw transaction per line (blank and # lines skipped); a bad line is reported and the rest checked."""
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line and not line.startswith("#")]
    if not lines:
        raise BadInput("no raw transaction", source, "the input is empty")
    if len(lines) == 1:
        return [guard.check_raw(lines[0][1], opts, label=source)]
    checks = []
    for n, line in lines:
        label = f"{source}:{n}"
        try:
            checks.append(guard.check_raw(line, opts, label=label))
        except BadInput as exc:
            checks.append(TxCheck.failed(label, exc))
    return checks


@tx_app.command("safe-hash")
def safe_hash_command(
    ctx: typer.Context,
    safe_json: Path | None = typer.Option(None, "--safe-json", help="Safe transaction JSON; - reads stdin."),
    safe: str | None = typer.Option(None, "--safe", help="Safe address (fields given one by one)."),
    to: str | None = typer.Option(None, "--to", help="Destination."),
    value: int = typer.Option(0, "--value", min=0),
    data: str = typer.Option("0x", "--data", help="Calldata hex."),
    operation: int = typer.Option(0, "--operation", min=0, max=2, help="0 CALL, 1 DELEGATECALL, 2 CREATE (<1.0.0)."),
    safe_tx_gas: int = typer.Option(0, "--safe-tx-gas", min=0),
    base_gas: int = typer.Option(0, "--base-gas", min=0, help="baseGas (dataGas before Safe 1.0.0)."),
    gas_price: int = typer.Option(0, "--gas-price", min=0),
    gas_token: str = typer.Option(ZERO_ADDRESS, "--gas-token"),
    refund_receiver: str = typer.Option(ZERO_ADDRESS, "--refund-receiver"),
    message: str | None = typer.Option(None, "--message", help="Off-chain SafeMessage text instead of a transaction."),
    safe_nonce: int | None = typer.Option(None, "--safe-nonce", "--nonce", min=0),
    safe_version: str | None = typer.Option(None, "--safe-version"),
    chain_id: int | None = typer.Option(None, "--chain-id", min=0),
    fmt: OutputFormat = FORMAT_OPTION,
) -> int:
    """The domain hash, message hash and safeTxHash, as a hardware wallet shows them (every variant if no version)."""
    if fmt is OutputFormat.SARIF:
        raise BadInput("no SARIF form for hashes", "--format", "use table or json")
    config = state_of(ctx).profile().txguard
    chain = chain_id if chain_id is not None else config.chain_id
    if message is not None:
        if safe is None or chain is None:
            raise BadInput("SafeMessage needs the Safe and the chain", "safe-hash", "give --safe and --chain-id")
        domain, msg, final = safe_mod.safe_message_hash(address(safe, "--safe"), chain, message.encode("utf-8"))
        rows: list[dict[str, object]] = [
            {"variant": "SafeMessage (Safe 1.3.0+)", "domain_hash": domain, "message_hash": msg, "hash": final}
        ]
    else:
        txs: list[SafeTx]
        if safe_json is not None:
            items = safe_mod.load_safe_json(_read(safe_json, "Safe JSON"), str(safe_json))
            txs = [
                safe_mod.from_json_object(item, f"{safe_json}[{n}]", chain, safe_nonce, safe_version)
                for n, item in enumerate(items)
            ]
        else:
            if safe is None or to is None:
                raise BadInput("Safe fields missing", "safe-hash", "give --safe-json, or --safe and --to")
            txs = [
                SafeTx(
                    address(safe, "--safe"), address(to, "--to"), value, hex_bytes(data, "--data"),
                    Operation(operation), safe_tx_gas, base_gas, gas_price, address(gas_token, "--gas-token"),
                    address(refund_receiver, "--refund-receiver"), safe_nonce, chain, safe_version,
                )
            ]  # fmt: skip
        rows = []
        for tx in txs:
            if tx.nonce is None:
                raise BadInput("Safe nonce needed", "--safe-nonce", "the nonce is part of every Safe hash")
            for h in safe_mod.compute(tx).hashes:
                rows.append(
                    {"variant": h.label, "safe": tx.safe, "nonce": tx.nonce, "domain_hash": h.domain_hash,
                     "message_hash": h.message_hash, "hash": h.safe_tx_hash}
                )  # fmt: skip
            if tx.chain_id is None and not tx.version:
                sys.stderr.write("heistguard: note: Safe 1.3.0+ hashes need --chain-id\n")
    for row in rows:
        shown = {k: ("0x" + v.hex() if isinstance(v, bytes) else v) for k, v in row.items()}
        if fmt is OutputFormat.JSON:
            sys.stdout.write(json.dumps(shown) + "\n")
            continue
        label = "safeTxHash" if message is None else "Safe message hash"
        sys.stdout.write(
            f"{shown['variant']}\n  Domain hash:  0x{str(shown['domain_hash'])[2:].upper()}\n"
            f"  Message hash: 0x{str(shown['message_hash'])[2:].upper()}\n  {label}:   {shown['hash']}\n"
        )
    return 0
