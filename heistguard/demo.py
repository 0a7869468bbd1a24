"""`make demo`: run HeistGuard on the bundled sample case with an embedded DuckDB store.

Each step of the case is one guard's command, run exactly as a user would type it; the store is
a fresh file under `.demo/` so the demo never touches the user's own store.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from heistguard.cli import main

# Real public indicators (sources in heistguard/intel/data/SOURCES.md).
SAMPLE_VALUES = (
    "0x098B716B8Aaf21512996dC57EB0615e2383E2f96",  # Ronin bridge exploiter: OFAC SDN LAZARUS GROUP (2022-04-14)
    "0x51E9d833Ecae4E8D9D8Be17300AEE6D3398C135D",  # Bybit theft funds, FBI PSA250226 (2025-02-26)
    "0x12D66f87A04A9E220743712cE6d9bB1B5616B8Fc",  # Tornado Cash 0.1 ETH pool: a mixer, delisted 2025-03-21
    "bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd",  # Sinbad.io mixer, OFAC 2023-11-29
    "0x00000000219ab540356cBB839Cbe05303d7705Fa",  # Ethereum beacon deposit contract: not listed
)

# Inert sample mail (samples/mail/README.md) and the profile naming the firm's domain and people.
MAIL_SAMPLES = [
    f"samples/mail/{name}.eml"
    for name in (
        "fake-recruiter-lnk",
        "fake-investor-meeting",
        "clickfake-interview",
        "wallet-seed-phrase",
        "legit-receipt",
    )
]

STEPS: tuple[tuple[str, list[str]], ...] = (
    ("intel sources: what the store knows, and as of when", ["intel", "sources"]),
    ("intel lookup: is this value known bad, and who says so?", ["intel", "lookup", *SAMPLE_VALUES]),
    (
        "mail triage: fake recruiter, fake investor call, ClickFake 'camera fix', seed-phrase lure, real invoice",
        ["--config", "samples/mail/heistguard.toml", "mail", "triage", *MAIL_SAMPLES],
    ),
    (
        "scan: an inert replica of a 'Contagious Interview' coding test, and an ordinary project",
        ["scan", "--no-progress", "samples/artifacts/contagious-interview", "samples/artifacts/clean-project"],
    ),
    ("scan --explain: what a rule looks for and why", ["scan", "--explain", "vscode-autorun-task"]),
    (
        "tx check: the real Bybit transaction (2025-02-21), decoded from its raw signed bytes alone",
        [
            "tx",
            "check",
            "--raw",
            "@samples/txguard/bybit_malicious_exec.rawtx.hex",
            "--safe-nonce",
            "71",
            "--safe-version",
            "1.1.1",
        ],
    ),
    (
        "tx check: a routine Safe batch through the official MultiSendCallOnly",
        ["tx", "check", "--safe-json", "samples/txguard/safe_multisend_batch.json", "--safe-version", "1.4.1"],
    ),
    (
        "tx check: an unlimited permit to an unknown spender",
        ["tx", "check", "--typed-data", "samples/txguard/permit_unlimited_unknown_spender.json", "-f", "json"],
    ),
    (
        "chain sample: load the sample heist's service labels (a GraphSense tag pack)",
        ["intel", "update", "samples/chain/labels.yaml"],
    ),
    (
        "chain ingest: transactions, token transfers and token metadata",
        ["chain", "ingest", *(f"samples/chain/{name}.json" for name in ("tokens", "transactions", "token_transfers"))],
    ),
    (
        "chain trace: where did the 1,000 stolen ETH end up, and which exchanges can freeze it?",
        ["chain", "trace", "--from", "0x8dd29add9992f7006f4d0f57bd9e468d6cd32012", "--graph", ".demo/trace.html"],
    ),
    (
        "chain screen: are these counterparties exposed to the heist?",
        ["chain", "screen", "samples/chain/counterparties.txt"],
    ),
    (
        "intel import: a peer's MISP event (3CX supply-chain compromise, CIRCL OSINT shape)",
        ["intel", "import", "samples/intel/misp-event-3cx-supply-chain.json"],
    ),
    (
        "intel export: share what we hold from that peer as a STIX 2.1 bundle",
        ["intel", "export", "-f", "stix", "--source", "misp-circl", "-o", ".demo/misp-circl.stix.json"],
    ),
)


def run(workdir: Path) -> int:
    console = Console()
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "heistguard.duckdb"
    for title, args in STEPS:
        command = ["--db", str(db), *args]
        console.print(Rule(title))
        console.print("$ heistguard " + " ".join(args), style="dim")
        code = main(command)
        console.print(f"exit code {code}", style="dim")
    return 0


if __name__ == "__main__":
    sys.exit(run(Path(".demo")))
