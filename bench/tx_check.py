"""Transaction-guard throughput and latency: a mixed set of transactions (every raw type, Safe execTransaction
with MultiSend, Safe JSON, EIP-712 permits / Permit2 / Seaport orders, eth_sign) checked in process with the
bundled intel and the default policy. Prints checks/s and p50 / p99 / max latency per check, and beside it
eth-account's own decode + sender recovery of the raw transactions alone (the floor any checker pays).
Not a test.

    .venv/bin/python bench/tx_check.py [--n 100000] [--db PATH] [--fixtures tests/fixtures/txguard]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from eth_abi import encode
from eth_account import Account
from eth_account.typed_transactions import TypedTransaction
from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes

from heistguard.intel import open_store
from heistguard.txguard import TxGuard
from heistguard.txguard.context import Context, IntelScreen
from heistguard.txguard.decode import Options

USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
ROUTER = "0x3fC91A3afd70395Cd496C647d5a6CC9D4B2b7FAD"


def _call(signature: str, *args: object) -> bytes:
    types = signature[signature.index("(") + 1 : -1].split(",")
    return keccak(text=signature)[:4] + encode(types, list(args))


def raw_transactions(rng: random.Random, count: int) -> list[str]:
    """Signed transactions of every type with transfers, approvals and plain calls."""
    out = []
    for i in range(count):
        key = Account.from_key((i + 1).to_bytes(32, "big"))
        to = to_checksum_address("0x" + rng.randbytes(20).hex())
        data = rng.choice(
            [
                b"",
                _call("transfer(address,uint256)", to, rng.randrange(10**9)),
                _call("approve(address,uint256)", ROUTER, 2**256 - 1),
            ]
        )
        target = USDC if data else to
        base = {"nonce": i, "gas": 90_000, "to": target, "value": 0 if data else rng.randrange(10**18), "data": data}
        fees = {"maxFeePerGas": 3 * 10**10, "maxPriorityFeePerGas": 10**9, "chainId": 1}
        kind = i % 5
        if kind == 0:
            tx = {**base, "gasPrice": 2 * 10**10, "chainId": 1}
        elif kind == 1:
            tx = {
                **base,
                "gasPrice": 2 * 10**10,
                "chainId": 1,
                "accessList": [{"address": USDC, "storageKeys": []}],
                "type": 1,
            }
        elif kind == 2:
            tx = {**base, **fees}
        elif kind == 3:
            tx = {
                **base,
                **fees,
                "maxFeePerBlobGas": 10**9,
                "blobVersionedHashes": ["0x01" + rng.randbytes(31).hex()],
                "type": 3,
            }
        else:
            auth = key.sign_authorization({"chainId": 1, "address": to, "nonce": i + 1})
            tx = {**base, **fees, "authorizationList": [auth], "type": 4}
        out.append("0x" + bytes(key.sign_transaction(tx).raw_transaction).hex())
    return out


def typed_requests(rng: random.Random, count: int) -> list[str]:
    domain_type = [
        {"name": "name", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ]
    out = []
    for i in range(count):
        spender = ROUTER if i % 2 else "0x" + rng.randbytes(20).hex()
        if i % 3 == 0:
            obj = {
                "types": {
                    "EIP712Domain": domain_type,
                    "Permit": [
                        {"name": "owner", "type": "address"},
                        {"name": "spender", "type": "address"},
                        {"name": "value", "type": "uint256"},
                        {"name": "nonce", "type": "uint256"},
                        {"name": "deadline", "type": "uint256"},
                    ],
                },
                "primaryType": "Permit",
                "domain": {"name": "USD Coin", "chainId": 1, "verifyingContract": USDC},
                "message": {
                    "owner": "0x" + rng.randbytes(20).hex(),
                    "spender": spender,
                    "value": rng.randrange(2**256),
                    "nonce": i,
                    "deadline": 1_900_000_000,
                },
            }
        elif i % 3 == 1:
            obj = {
                "types": {
                    "EIP712Domain": domain_type,
                    "PermitSingle": [
                        {"name": "details", "type": "PermitDetails"},
                        {"name": "spender", "type": "address"},
                        {"name": "sigDeadline", "type": "uint256"},
                    ],
                    "PermitDetails": [
                        {"name": "token", "type": "address"},
                        {"name": "amount", "type": "uint160"},
                        {"name": "expiration", "type": "uint48"},
                        {"name": "nonce", "type": "uint48"},
                    ],
                },
                "primaryType": "PermitSingle",
                "domain": {
                    "name": "Permit2",
                    "chainId": 1,
                    "verifyingContract": "0x000000000022D473030F116dDEE9F6B43aC78BA3",
                },
                "message": {
                    "details": {
                        "token": USDC,
                        "amount": rng.randrange(2**160),
                        "expiration": 1_900_000_000,
                        "nonce": i,
                    },
                    "spender": spender,
                    "sigDeadline": 1_900_000_000,
                },
            }
        else:
            obj = {"method": "eth_sign", "params": ["0x" + rng.randbytes(20).hex(), "0x" + rng.randbytes(32).hex()]}
        out.append(json.dumps(obj))
    return out


def safe_jsons(rng: random.Random, count: int, v6_data: str) -> list[str]:
    out = []
    for i in range(count):
        obj = {
            "safe": "0x5EA1d9A6dDC3A0329378a327746D71A2019eC332",
            "to": "0x9641d764fc13c8B624c04430C7356C1C7C8102e2" if i % 2 else "0x" + rng.randbytes(20).hex(),
            "value": "0" if i % 2 else str(rng.randrange(10**18)),
            "data": v6_data if i % 2 else None,
            "operation": 1 if i % 2 else 0,
            "nonce": i,
            "chainId": 1,
            "version": "1.4.1",
        }
        out.append(json.dumps(obj))
    return out


def percentile(sorted_ns: list[int], q: float) -> float:
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument(
        "--fixtures", type=Path, default=Path(__file__).parent.parent / "tests" / "fixtures" / "txguard"
    )
    args = parser.parse_args()
    rng = random.Random(11)
    bybit = (args.fixtures / "bybit_malicious_exec.rawtx.hex").read_text().strip()
    v6_calldata = bytes.fromhex((args.fixtures / "safe_multisendcallonly_exec.calldata.hex").read_text().strip()[2:])
    from heistguard.txguard.calldata import decode_args
    from heistguard.txguard.safe import EXEC_TYPES

    v6_inner = decode_args(EXEC_TYPES, v6_calldata[4:], "bench")[2]
    assert isinstance(v6_inner, bytes)
    started = time.perf_counter()
    raws = raw_transactions(rng, 250)
    typed = typed_requests(rng, 120)
    safes = safe_jsons(rng, 60, "0x" + v6_inner.hex())
    print(
        f"built {len(raws)} signed raw txs, {len(typed)} typed-data requests, {len(safes)} Safe JSONs "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )

    db = args.db or Path(tempfile.mkdtemp()) / "bench.duckdb"
    with open_store(db, read_only=args.db is not None) as store:
        guard = TxGuard(Context.build(intel=IntelScreen(store)))
        bybit_opts = Options(safe_nonce=71, safe_version="1.1.1")
        # Mix: 60% raw txs of every type, 10% the Bybit Safe execTransaction, 15% Safe JSON, 15% signature requests.
        jobs: list[tuple[str, Callable[[], object]]] = []
        for i in range(args.n):
            r = i % 20
            if r < 12:
                raw = raws[i % len(raws)]
                jobs.append(("raw", lambda raw=raw: guard.check_raw(raw)))
            elif r < 14:
                jobs.append(("safe-raw", lambda: guard.check_raw(bybit, bybit_opts)))
            elif r < 17:
                text = safes[i % len(safes)]
                jobs.append(("safe-json", lambda text=text: guard.check_safe_json(text)))
            else:
                text = typed[i % len(typed)]
                jobs.append(("typed", lambda text=text: guard.check_typed_data(text)))
        for _, job in jobs[:500]:  # warm caches (selector table, intel known-set)
            job()
        timings: dict[str, list[int]] = {}
        cpu_by_kind: dict[str, list[int]] = {}
        cpu: list[int] = []
        total_start = time.perf_counter()
        for kind, job in jobs:
            t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            job()
            cpu.append(time.thread_time_ns() - c0)
            cpu_by_kind.setdefault(kind, []).append(cpu[-1])
            timings.setdefault(kind, []).append(time.perf_counter_ns() - t0)
        total = time.perf_counter() - total_start
        cpu.sort()

    every = sorted(t for ts in timings.values() for t in ts)
    print(
        f"heistguard tx check: {len(every):,} checks in {total:.2f} s = {len(every) / total:,.0f} checks/s; "
        f"p50 {percentile(every, 0.50):.3f} ms, p99 {percentile(every, 0.99):.3f} ms, max {every[-1] / 1e6:.2f} ms"
    )
    print(
        f"  CPU time per check (excludes waiting for a core on a shared machine): p50 {percentile(cpu, 0.5):.3f} ms, "
        f"p99 {percentile(cpu, 0.99):.3f} ms"
    )
    for kind, ts in sorted(timings.items()):
        ts.sort()
        own = sorted(cpu_by_kind[kind])
        print(
            f"  {kind:10s} n={len(ts):6,d}  wall p50 {percentile(ts, 0.5):.3f} ms  p99 {percentile(ts, 0.99):.3f} ms  "
            f"mean {statistics.fmean(ts) / 1e6:.3f} ms;  CPU p50 {percentile(own, 0.5):.3f} ms  "
            f"p99 {percentile(own, 0.99):.3f} ms"
        )

    # Peer side by side: eth-account decoding the same raw transactions and recovering their sender, nothing else.
    raw_bytes = [bytes.fromhex(r[2:]) for r in raws]
    peer = []
    for i in range(min(args.n, 20_000)):
        raw = raw_bytes[i % len(raw_bytes)]
        t0 = time.perf_counter_ns()
        if raw[0] < 0xC0:
            TypedTransaction.from_bytes(HexBytes(raw))
        Account.recover_transaction(raw)
        peer.append(time.perf_counter_ns() - t0)
    peer.sort()
    ours = sorted(timings["raw"])
    print(
        f"peer, eth-account decode + recover sender only (raw txs): p50 {percentile(peer, 0.5):.3f} ms, "
        f"p99 {percentile(peer, 0.99):.3f} ms; heistguard full check of the same raw txs: "
        f"p50 {percentile(ours, 0.5):.3f} ms, p99 {percentile(ours, 0.99):.3f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
