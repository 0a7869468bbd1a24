"""What functions and amounts mean, shared by the checks and the plain-language description."""

from __future__ import annotations

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
