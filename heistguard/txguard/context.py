"""What the checks know besides the request: the profile's [txguard] section, trusted contracts, the intel store."""

from __future__ import annotations

from dataclasses import dataclass, field

from heistguard.config import TxguardConfig
from heistguard.findings import Finding, Location
from heistguard.intel import IntelLookup, IntelStore, Match
from heistguard.txguard.deployments import OFFICIAL
from heistguard.txguard.hexdata import address
from heistguard.txguard.selectors import SelectorTable, bundled_table

# Well-known spenders that approvals and permits routinely name (mainnet). Sources, read 2026-11-26:
# Permit2 and Universal Router: docs.uniswap.org/contracts/v4/deployments and .../v3/reference/deployments;
# Uniswap V2 Router02: docs.uniswap.org/contracts/v2/reference/smart-contracts/router-02;
# Seaport 1.5 / 1.6 and the OpenSea conduit: github.com/ProjectOpenSea/seaport README (deployments table).
KNOWN_SPENDERS: dict[str, str] = {
    "0x000000000022d473030f116ddee9f6b43ac78ba3": "Uniswap Permit2",
    "0x3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad": "Uniswap Universal Router",
    "0x66a9893cc07d91d95644aedd05d03f95e1dba8af": "Uniswap v4 Universal Router",
    "0x7a250d5630b4cf539739df2c5dacb4c659f2488d": "Uniswap V2 Router02",
    "0xe592427a0aece92de3edee1f18e0157c05861564": "Uniswap V3 SwapRouter",
    "0x68b3465833fb72a70ecdf485e0e4c7bd8665fc45": "Uniswap V3 SwapRouter02",
    "0x00000000000000adc04c56bf30ac9d3c0aaf14dc": "Seaport 1.5",
    "0x0000000000000068f116a894984e2db1123eb395": "Seaport 1.6",
    "0x1e0049783f008a0085193e00003d00cd54003c71": "OpenSea conduit",
}


class IntelScreen:
    """Intel lookups of the parties a request names, through `heistguard.intel`.

    One query at start lists which addresses the store knows at all, so the common case (an address
    nobody has reported) costs a set lookup instead of a store round trip."""

    def __init__(self, store: IntelStore) -> None:
        self.lookup = IntelLookup(store)
        rows = store.conn.execute(
            "SELECT DISTINCT value FROM indicators WHERE type = 'address' AND value LIKE '0x%'"
        ).fetchall()
        self.known = frozenset(str(row[0]) for row in rows)
        self._cache: dict[str, tuple[Match, ...]] = {}

    def findings(self, addr: str, location: Location) -> list[Finding]:
        key = addr.lower()
        if key not in self.known:
            return []
        matches = self._cache.get(key)
        if matches is None:
            matches = self.lookup.lookup(key)
            self._cache[key] = matches
        return self.lookup.findings(matches, location)


def _addresses(values: list[str], where: str) -> set[str]:
    return {address(v, where).lower() for v in values}


@dataclass
class Context:
    """Everything a check may consult, built once per run."""

    config: TxguardConfig = field(default_factory=TxguardConfig)
    selectors: SelectorTable = field(default_factory=bundled_table)
    intel: IntelScreen | None = None
    address_book: dict[str, str] = field(default_factory=dict)  # lower address -> name
    allowlist: set[str] = field(default_factory=set)
    wallets: set[str] = field(default_factory=set)
    trusted_delegates: dict[str, str] = field(default_factory=dict)  # lower address -> label
    trusted_spenders: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, config: TxguardConfig | None = None, intel: IntelScreen | None = None) -> Context:
        config = config or TxguardConfig()
        where = "profile [txguard]"
        book = {address(a, f"{where} address_book.{n}").lower(): n for n, a in config.address_book.items()}
        delegates = {k: f"official Safe {d.name} {d.version}" for k, d in OFFICIAL.items()}
        delegates |= {a: "trusted in the profile" for a in _addresses(config.trusted_delegatecall, where)}
        spenders = dict(KNOWN_SPENDERS) | {
            a: "trusted in the profile" for a in _addresses(config.trusted_spenders, where)
        }
        selectors = bundled_table()
        if config.abi_files:
            selectors = selectors.with_abi_files(list(config.abi_files))
        return cls(
            config=config,
            selectors=selectors,
            intel=intel,
            address_book=book,
            allowlist=_addresses(config.allowlist, where),
            wallets=_addresses(config.wallets, where),
            trusted_delegates=delegates,
            trusted_spenders=spenders,
        )

    def name_of(self, addr: str | None) -> str | None:
        if not addr:
            return None
        key = addr.lower()
        if key in self.address_book:
            return self.address_book[key]
        if key in OFFICIAL:
            return f"Safe {OFFICIAL[key].name} {OFFICIAL[key].version}"
        return self.trusted_spenders.get(key)
