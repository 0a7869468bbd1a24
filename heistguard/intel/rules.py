"""What an intel match means: one rule per kind of statement a source makes about an indicator."""

from __future__ import annotations

from heistguard.findings import Rule, Severity

SANCTIONED = Rule(
    id="intel.sanctioned",
    severity=Severity.CRITICAL,
    title="Indicator is on a current sanctions list",
    rationale="Dealing with a sanctioned address is prohibited for US persons and most regulated firms; "
    "funds sent there cannot be recovered and the transfer itself is a violation.",
    references=(
        "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
    ),
)
FORMERLY_SANCTIONED = Rule(
    id="intel.formerly-sanctioned",
    severity=Severity.INFO,
    title="Indicator was sanctioned and has since been delisted",
    rationale="A delisted indicator is no longer a sanctions hit, but its history matters to a compliance "
    "analyst (Tornado Cash was delisted by OFAC on 2025-03-21).",
    references=("https://home.treasury.gov/news/press-releases/sb0057",),
)
ATTRIBUTED_THEFT = Rule(
    id="intel.attributed-theft",
    severity=Severity.CRITICAL,
    title="Indicator is attributed to a state-sponsored heist",
    rationale="Addresses that received or held funds from an attributed heist (Bybit, Ronin, Harmony...) "
    "are what exchanges are asked to freeze; touching them exposes the firm to laundering charges.",
    references=("https://www.ic3.gov/PSA/2025/PSA250226",),
)
STOLEN_FUNDS = Rule(
    id="intel.stolen-funds",
    severity=Severity.HIGH,
    title="Indicator is linked to a known hack or exploit",
    rationale="Addresses of exploiters and hack proceeds are laundering endpoints; receiving from them taints funds.",
)
KNOWN_MALICIOUS = Rule(
    id="intel.known-malicious",
    severity=Severity.HIGH,
    title="Indicator is known for phishing, scams or malware",
    rationale="A source has seen this indicator used to phish, scam or deliver malware.",
)
MIXER = Rule(
    id="intel.mixer",
    severity=Severity.HIGH,
    title="Indicator belongs to a mixer",
    rationale="Mixers are the laundering step of every DPRK heist (Tornado Cash, Sinbad, Blender); "
    "deposits to and withdrawals from them need enhanced due diligence.",
    references=("https://home.treasury.gov/news/press-releases/jy1933",),
)
ISSUER_FROZEN = Rule(
    id="intel.issuer-frozen",
    severity=Severity.MEDIUM,
    title="Indicator was frozen by a token issuer",
    rationale="Stablecoin issuers freeze addresses tied to theft and sanctions; tokens there cannot move.",
)
HIGH_RISK_SERVICE = Rule(
    id="intel.high-risk-service",
    severity=Severity.MEDIUM,
    title="Indicator belongs to a high-risk service",
    rationale="Darknet markets and unlicensed gambling services are common laundering counterparties.",
)
INCIDENT_VICTIM = Rule(
    id="intel.incident-victim",
    severity=Severity.INFO,
    title="Indicator belongs to the victim of a known incident",
    rationale="A victim's wallet is context for a trace, never a sign of wrongdoing.",
)
SERVICE = Rule(
    id="intel.service",
    severity=Severity.INFO,
    title="Indicator belongs to a known service",
    rationale="Exchanges and bridges are where traced funds can be frozen or followed across chains.",
)

RULES: tuple[Rule, ...] = (
    SANCTIONED,
    FORMERLY_SANCTIONED,
    ATTRIBUTED_THEFT,
    STOLEN_FUNDS,
    KNOWN_MALICIOUS,
    MIXER,
    ISSUER_FROZEN,
    HIGH_RISK_SERVICE,
    INCIDENT_VICTIM,
    SERVICE,
)

# Store category -> rule. A category not listed here is reported as a known service.
RULE_FOR_CATEGORY: dict[str, Rule] = {
    "sanctioned": SANCTIONED,
    "attributed-theft": ATTRIBUTED_THEFT,
    "theft": STOLEN_FUNDS,
    "phishing": KNOWN_MALICIOUS,
    "malware": KNOWN_MALICIOUS,
    "scam": KNOWN_MALICIOUS,
    "ransomware": KNOWN_MALICIOUS,
    "c2": KNOWN_MALICIOUS,
    "mixer": MIXER,
    "frozen": ISSUER_FROZEN,
    "darknet-market": HIGH_RISK_SERVICE,
    "gambling": HIGH_RISK_SERVICE,
    "victim": INCIDENT_VICTIM,
}

CATEGORIES = (
    "sanctioned",
    "attributed-theft",
    "theft",
    "phishing",
    "malware",
    "scam",
    "ransomware",
    "c2",
    "mixer",
    "frozen",
    "darknet-market",
    "gambling",
    "victim",
    "exchange",
    "bridge",
    "mining-pool",
    "wallet-service",
    "service",
)
