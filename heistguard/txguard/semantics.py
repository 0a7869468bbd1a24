"""What functions and amounts mean, shared by the checks and the plain-language description."""

from __future__ import annotations

# Ethereum mainnet tokens whose amounts are shown in whole units: symbol and the value each contract's
# decimals() returns (public, immutable contract constants; listed 2026-11-26).
KNOWN_TOKENS: dict[str, tuple[str, int]] = {
    "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48": ("USDC", 6),
    "0xdac17f958d2ee523a2206206994597c13d831ec7": ("USDT", 6),
    "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2": ("WETH", 18),
    "0x6b175474e89094c44da98b954eedeac495271d0f": ("DAI", 18),
    "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599": ("WBTC", 8),
}

# At or above this an allowance is unlimited in practice (2^256-1, Permit2's 2^160-1, 2^128...).
UNLIMITED = 2**96

# Function name -> (severity, what it changes). Names are matched with the bundled table's categories below.
CRITICAL_CONTROL = {
    "changeMasterCopy": "the Safe's implementation (masterCopy)",
    "upgradeTo": "the proxy's implementation",
    "upgradeToAndCall": "the proxy's implementation",
    "upgrade": "a proxy's implementation (ProxyAdmin)",
    "upgradeAndCall": "a proxy's implementation (ProxyAdmin)",
    "upgradeBeaconToAndCall": "the beacon's implementation",
    "setImplementation": "the implementation",
    "changeAdmin": "the proxy admin",
    "changeProxyAdmin": "the proxy admin",
    "setLendingPoolImpl": "the lending pool implementation",
    "setAddress": "a protocol address",
    "setAddressAsProxy": "a protocol proxy implementation",
    "enableModule": "the Safe's modules (a module can move funds without signatures)",
    "setGuard": "the Safe's transaction guard",
    "setModuleGuard": "the Safe's module guard",
    "setFallbackHandler": "the Safe's fallback handler",
    "transferOwnership": "the contract's owner",
    "setOwner": "the contract's owner",
    "changeOwner": "the contract's owner",
    "setAdmin": "the contract's admin",
    "grantRole": "an access-control role",
}
HIGH_CONTROL = {
    "addOwnerWithThreshold": "the Safe's owners and threshold",
    "addOwner": "the owners",
    "removeOwner": "the Safe's owners and threshold",
    "swapOwner": "the Safe's owners",
    "changeThreshold": "the Safe's threshold",
    "disableModule": "the Safe's modules",
    "renounceOwnership": "the contract's owner (renounced)",
    "acceptOwnership": "the contract's owner",
    "setPendingAdmin": "the pending admin",
    "revokeRole": "an access-control role",
    "renounceRole": "an access-control role",
    "migrateSingleton": "the Safe's implementation (official SafeMigration)",
    "migrateWithFallbackHandler": "the Safe's implementation and fallback handler (official SafeMigration)",
    "migrateL2Singleton": "the Safe's implementation (official SafeMigration)",
    "migrateL2WithFallbackHandler": "the Safe's implementation (official SafeMigration)",
    "migrateToL2": "the Safe's implementation (official SafeToL2Migration)",
    "initialize": "the contract's initial owner (re-initialisation)",
}
CONTROL_CATEGORIES = ("safe-admin", "proxy-upgrade", "ownership", "access-control", "aave-v2-admin", "safe-migration")
