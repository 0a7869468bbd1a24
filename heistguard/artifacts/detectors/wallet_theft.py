"""Code that reaches for crypto wallets and browser secrets: wallet extensions' storage by extension
id, browser `Login Data`/`Local State`, macOS Keychain, Solana and Exodus keystores."""

from __future__ import annotations

from collections.abc import Iterator

from heistguard.artifacts.detectors.base import Detector, Sample, ScanContext, Target, is_code
from heistguard.findings import Finding, Rule, Severity

RULE = Rule(
    id="artifacts.wallet-theft",
    severity=Severity.HIGH,
    title="Code reads wallet extensions, browser secrets or key files",
    rationale="BeaverTail and InvisibleFerret carry lists of wallet extension ids and browser profile paths "
    "and copy those stores out. Wallet software mentions one extension id to detect or link a wallet; "
    "a stealer names many, together with browser profile stores. One mention is low, a list or a "
    "profile store is high.",
    attack=("T1555.003", "T1005", "T1552.001"),
    references=(
        "https://unit42.paloaltonetworks.com/north-korean-threat-actors-lure-tech-job-seekers-as-fake-recruiters/",
    ),
)

# Chrome Web Store ids of wallet extensions (public store listings, checked 2026-11-26).
WALLET_EXTENSIONS = {
    "nkbihfbeogaeaoehlefnkodbefgpgknn": "MetaMask",
    "ejbalbakoplchlghecdalmeeeajnimhm": "MetaMask (Edge)",
    "bfnaelmomeimhlpmgjnjophhpkkoljpa": "Phantom",
    "hnfanknocfeofbddgcijnmhnfnkdnaad": "Coinbase Wallet",
    "ibnejdfjmmkpcnlpebklmnkoeoihofec": "TronLink",
    "fhbohimaelbohpjbbldcngcnapndodjp": "Binance Wallet",
    "egjidjbpglichdcondbcbdnbeeppgdph": "Trust Wallet",
    "acmacodkjbdgmoleebolmdjonilkdbch": "Rabby",
    "dmkamcknogkgcdfhhbddcghachkejeap": "Keplr",
    "bhhhlbepdkbapadjdnnojkbgioiodbic": "Solflare",
    "aholpfdialjgjfhomihkjbmgjidlcdno": "Exodus Web3",
    "mcohilncbfahbmgdjkbpemcciiolgcge": "OKX Wallet",
    "aeachknmefphepccionboohckonoeemg": "Coin98",
    "hifafgmccdpekplomjjkcfgodnhcellj": "Crypto.com DeFi Wallet",
    "jblndlipeogpafnldhgmapagcccfchpi": "Kaikas",
    "fnjhmkhhmkbjkkabndcnnogagogbneec": "Ronin Wallet",
    "nphplpgoakhhjchkkhmiggakijnkhfnd": "TON Wallet",
    "ppbibelpcjmhbdihakflkdcoccbgbkpo": "UniSat",
    "opcgpfmipidbgpenhmajoajpbobppdil": "Sui Wallet",
    "jnlgamecbpmbajjfhmmmlhejkemejdma": "Braavos",
    "lgmpcpglpngdoalbgeoldeajfclnhafa": "SafePal",
    "bfnaelmomeimhlpmgjnjophhpkkoljpb": "Phantom (variant)",
}
# Browser and OS secret stores, and wallet key files on disk.
SECRET_PATHS = {
    "Local Extension Settings": "browser extension storage",
    "Login Data": "browser saved passwords",
    "Local State": "browser key for saved passwords",
    "login.keychain": "macOS Keychain",
    "Library/Keychains": "macOS Keychain",
    ".config/solana/id.json": "Solana CLI key",
    "solana/id.json": "Solana CLI key",
    "exodus.wallet": "Exodus wallet",
    "Electrum/wallets": "Electrum wallets",
    "AppData/Roaming/Exodus": "Exodus wallet",
    "Application Support/Exodus": "Exodus wallet",
    "atomic/Local Storage/leveldb": "Atomic wallet",
    "key4.db": "Firefox saved passwords",
    "logins.json": "Firefox saved passwords",
}
_TRIGGERS = tuple(k.encode() for k in WALLET_EXTENSIONS) + tuple(k.encode() for k in SECRET_PATHS)


def _check(target: Target, ctx: ScanContext) -> Iterator[Finding]:
    text = target.text
    wallets = sorted({name for ext, name in WALLET_EXTENSIONS.items() if ext in text})
    stores = sorted({what for path, what in SECRET_PATHS.items() if path in text})
    first = min((text.find(k) for k in (*WALLET_EXTENSIONS, *SECRET_PATHS) if k in text), default=0)
    parts = []
    if wallets:
        parts.append(f"{len(wallets)} wallet extension(s): {', '.join(wallets[:6])}")
    if stores:
        parts.append(f"secret stores: {', '.join(stores[:6])}")
    if len(wallets) >= 3 or (wallets and stores) or len(stores) >= 2:
        severity = Severity.HIGH
    elif stores:
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW
    yield RULE.finding(f"{target.name} reaches for {'; '.join(parts)}", [target.evidence(first)], severity=severity)


DETECTOR = Detector(
    rule=RULE,
    applies=is_code,
    check=_check,
    triggers=_TRIGGERS,
    bad=(
        Sample(
            "lib/collect.js",
            b"const ids = ['nkbihfbeogaeaoehlefnkodbefgpgknn', 'bfnaelmomeimhlpmgjnjophhpkkoljpa',\n"
            b"  'hnfanknocfeofbddgcijnmhnfnkdnaad'];\n"
            b"const base = path.join(home,\n"
            b"  'AppData/Local/Google/Chrome/User Data/Default/Local Extension Settings');\n",
        ),
        Sample(
            "steal.py",
            b"import os\np = os.path.expanduser('~/.config/solana/id.json')\n"
            b"q = os.path.expanduser('~/Library/Keychains/login.keychain-db')\n",
        ),
    ),
    good=(
        Sample(
            "wallet/detect.js",
            b"// install MetaMask: https://chrome.google.com/webstore/detail/metamask/\n"
            b"if (window.ethereum) connect();\n",
        ),
        Sample("notes.py", b"print('hello')\n"),
    ),
)
