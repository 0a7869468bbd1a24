"""Indicator types and their one normal form, used on the way into the store and on every lookup.

A value is normalised so that the forms an analyst meets for the same thing meet in one key:
EVM addresses in any case (a mixed-case one must carry a valid EIP-55 checksum), bech32 in
lower case, base58 exactly as written, domains IDNA-encoded, URLs canonicalised, defanged
indicators (``evil[.]com``, ``hxxps://``) re-fanged.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

import base58
import idna
from eth_hash.auto import keccak

from heistguard.errors import BadInput


class IndicatorType(enum.StrEnum):
    ADDRESS = "address"
    DOMAIN = "domain"
    URL = "url"
    IP = "ip"
    EMAIL = "email"
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"


HASH_TYPES = (IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256)


@dataclass(frozen=True, slots=True)
class Indicator:
    """A normalised indicator: `value` is the lookup key, `display` the form shown to people."""

    type: IndicatorType
    value: str
    display: str


_HEX = frozenset("0123456789abcdefABCDEF")
_IP_CHARS = frozenset("0123456789abcdefABCDEF:.")
_HASH_BY_LEN = {32: IndicatorType.MD5, 40: IndicatorType.SHA1, 64: IndicatorType.SHA256}
_B58 = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
_BECH32_CHARS = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_SET = frozenset(_BECH32_CHARS)
_LDH_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}$")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_DEFAULT_PORT = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}
_DEFANG = (("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("[:]", ":"), ("[@]", "@"), ("[at]", "@"))
# Monero: 95-character standard / 106-character integrated addresses in Monero's block base58.
_MONERO_LENGTHS = (95, 106)
# Cash-address payloads of Bitcoin Cash (P2PKH q..., P2SH p...).
_CASHADDR = re.compile(r"^(?:bitcoincash:)?([qp][qpzry9x8gf2tvdw0s3jn54khce6mua7l]{41})$")


def refang(value: str) -> str:
    """Undo the usual defanging of shared indicators; a no-op on ordinary values."""
    if "[" in value or "(" in value or "{" in value:
        for old, new in _DEFANG:
            value = value.replace(old, new)
    lowered = value[:6].lower()
    if lowered.startswith("hxxp") or lowered.startswith("fxp"):
        value = value.replace("xx", "tt", 1) if lowered.startswith("hxxp") else "ftp" + value[3:]
    return value


# --- addresses -------------------------------------------------------------------------------


def evm_checksum(lower_hex40: str) -> str:
    """EIP-55 mixed-case form of a 40-digit lower-case hex address (without 0x)."""
    digest = keccak(lower_hex40.encode("ascii")).hex()
    return "0x" + "".join(c.upper() if c > "9" and digest[i] > "7" else c for i, c in enumerate(lower_hex40))


def _evm_address(value: str) -> Indicator:
    body = value[2:]
    if len(body) != 40 or not _HEX.issuperset(body):
        raise BadInput("malformed EVM address", value, "expected 0x followed by 40 hex digits")
    lower = body.lower()
    checksummed = evm_checksum(lower)
    if body != lower and body != body.upper() and "0x" + body != checksummed:
        raise BadInput(
            "wrong EIP-55 checksum", value, f"mixed case must read {checksummed}; a typo or a tampered address"
        )
    return Indicator(IndicatorType.ADDRESS, "0x" + lower, checksummed)


def _bech32_polymod(values: list[int]) -> int:
    # BIP-173 checksum generator polynomial.
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _bech32_valid(value: str) -> bool:
    """True for a bech32 (BIP-173) or bech32m (BIP-350) string with a good checksum; lower case in."""
    sep = value.rfind("1")
    if sep < 1 or sep + 7 > len(value) or len(value) > 120:
        return False
    hrp, data = value[:sep], value[sep + 1 :]
    if not _BECH32_SET.issuperset(data) or not all(33 <= ord(c) <= 126 for c in hrp):
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + [_BECH32_CHARS.index(c) for c in data]) in (1, 0x2BC830A3)


def _looks_bech32(value: str) -> bool:
    """hrp + '1' + data in the bech32 alphabet: a bech32 string, whether or not its checksum holds."""
    lower = value.lower()
    sep = lower.rfind("1")
    return 0 < sep < 20 and lower[:sep].isalpha() and _BECH32_SET.issuperset(lower[sep + 1 :])


def _bech32_address(value: str) -> Indicator | None:
    if value != value.lower() and value != value.upper():
        return None  # BIP-173 forbids mixed case
    lower = value.lower()
    return Indicator(IndicatorType.ADDRESS, lower, lower) if _bech32_valid(lower) else None


def _base58_address(value: str) -> Indicator | None:
    if not _B58.issuperset(value):
        return None
    if 25 <= len(value) <= 36:
        try:
            base58.b58decode_check(value)
            return Indicator(IndicatorType.ADDRESS, value, value)
        except ValueError:
            pass
        if value[0] == "r":  # XRP Ledger uses its own base58 alphabet
            try:
                base58.b58decode_check(value, alphabet=base58.XRP_ALPHABET)
                return Indicator(IndicatorType.ADDRESS, value, value)
            except ValueError:
                pass
    if 32 <= len(value) <= 44 and len(base58.b58decode(value)) == 32:
        return Indicator(IndicatorType.ADDRESS, value, value)  # Solana and other ed25519 keys: no checksum
    if len(value) in _MONERO_LENGTHS and value[0] in "48":
        return Indicator(IndicatorType.ADDRESS, value, value)
    return None


def normalise_address(value: str) -> Indicator:
    value = value.strip()
    if value[:2] in ("0x", "0X"):
        return _evm_address("0x" + value[2:])
    cash = _CASHADDR.match(value.lower())
    if cash and (value == value.lower() or value == value.upper()):
        return Indicator(IndicatorType.ADDRESS, cash.group(1), cash.group(1))
    found = _bech32_address(value) if "1" in value else None
    found = found or _base58_address(value)
    if found is None and 60 < len(value) <= 128 and value.isalnum() and value.isascii() and not _looks_bech32(value):
        # Long addresses of chains we do not validate (Cardano Byron...): kept exactly as written.
        # Short ones are not let through, so a mistyped Bitcoin address stays an error.
        found = Indicator(IndicatorType.ADDRESS, value, value)
    if found is None:
        raise BadInput("malformed address", value, "not a valid EVM, bech32, base58check or other known address")
    return found


# --- network indicators ----------------------------------------------------------------------


def normalise_domain(value: str) -> Indicator:
    host = value.strip().rstrip(".")
    lower = host.lower()
    labels = lower.split(".")
    if lower.isascii() and all(_LDH_LABEL.match(label) for label in labels):
        ascii_form = lower
        if "xn--" in ascii_form:
            try:
                display = idna.decode(ascii_form)
            except idna.IDNAError as exc:
                raise BadInput("malformed domain", value, f"bad punycode label: {exc}") from None
        else:
            display = ascii_form
    else:
        try:
            ascii_form = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise BadInput("malformed domain", value, str(exc)) from None
        display = idna.decode(ascii_form)
        labels = ascii_form.split(".")
    if len(labels) < 2 or not all(labels) or len(ascii_form) > 253 or labels[-1].isdigit():
        raise BadInput("malformed domain", value, "a domain needs at least two non-empty labels and a TLD")
    return Indicator(IndicatorType.DOMAIN, ascii_form, display)


def normalise_ip(value: str) -> Indicator:
    try:
        ip = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        raise BadInput("malformed IP address", value, "not an IPv4 or IPv6 address") from None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return Indicator(IndicatorType.IP, ip.compressed, ip.compressed)


def _normalise_pct(part: str) -> str:
    """Upper-case percent escapes and decode the ones that stand for unreserved characters."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _PCT.sub(fix, part)


def _remove_dot_segments(path: str) -> str:
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    result = "/".join(out)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result


def url_host(parts: SplitResult, value: str) -> Indicator:
    host = parts.hostname or ""
    if not host:
        raise BadInput("malformed URL", value, "it has no host")
    try:
        return normalise_ip(host)
    except BadInput:
        return normalise_domain(host)


def normalise_url(value: str) -> Indicator:
    raw = value.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise BadInput("malformed URL", value, str(exc)) from None
    scheme = parts.scheme.lower()
    if not scheme or not parts.netloc:
        raise BadInput("malformed URL", value, "expected scheme://host/...")
    host = url_host(parts, value)
    netloc = f"[{host.value}]" if ":" in host.value else host.value
    if port is not None and port != _DEFAULT_PORT.get(scheme):
        netloc += f":{port}"
    path = _remove_dot_segments(_normalise_pct(parts.path or "/"))
    query = _normalise_pct(parts.query)
    # Userinfo and fragment never reach the server's lookup of the resource, so they are not part of the key.
    canonical = urlunsplit((scheme, netloc, path, query, ""))
    display_netloc = netloc.replace(host.value, host.display) if host.display != host.value else netloc
    display = urlunsplit((scheme, display_netloc, path, query, ""))
    return Indicator(IndicatorType.URL, canonical, display)


def normalise_email(value: str) -> Indicator:
    raw = value.strip().strip("<>")
    if raw.lower().startswith("mailto:"):
        raw = raw[7:]
    if not _EMAIL.match(raw):
        raise BadInput("malformed e-mail address", value, "expected local-part@domain")
    local, _, domain = raw.rpartition("@")
    dom = normalise_domain(domain)
    # Mailbox local parts are case-insensitive at every provider that matters for phishing.
    local = local.lower()
    return Indicator(IndicatorType.EMAIL, f"{local}@{dom.value}", f"{local}@{dom.display}")


def normalise_hash(value: str, kind: IndicatorType | None = None) -> Indicator:
    raw = value.strip()
    found = _HASH_BY_LEN.get(len(raw))
    if found is None or not _HEX.issuperset(raw):
        raise BadInput("malformed file hash", value, "expected 32, 40 or 64 hex digits (md5, sha1, sha256)")
    if kind is not None and kind != found:
        raise BadInput(f"malformed {kind.value} hash", value, f"{len(raw)} hex digits is a {found.value}")
    return Indicator(found, raw.lower(), raw.lower())


_NORMALISERS = {
    IndicatorType.ADDRESS: normalise_address,
    IndicatorType.DOMAIN: normalise_domain,
    IndicatorType.URL: normalise_url,
    IndicatorType.IP: normalise_ip,
    IndicatorType.EMAIL: normalise_email,
}


def normalise(value: str, kind: IndicatorType | str | None = None) -> Indicator:
    """Normalise `value` as `kind`, or detect its kind when none is given (see `detect`)."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput("empty indicator value", None, "nothing to look up")
    if kind is None:
        return detect(value)
    try:
        kind = IndicatorType(kind)
    except ValueError:
        known = ", ".join(t.value for t in IndicatorType)
        raise BadInput("unknown indicator type", str(kind), f"expected one of {known}") from None
    value = refang(value)
    if kind in HASH_TYPES:
        return normalise_hash(value, kind)
    return _NORMALISERS[kind](value)


def detect(value: str) -> Indicator:
    """Recognise what an untyped value is and normalise it. `type:value` forces a type."""
    raw = refang(value.strip())
    if not raw:
        raise BadInput("empty indicator value", None, "nothing to look up")
    head, sep, rest = raw.partition(":")
    if sep and head in IndicatorType.__members__.values() and not rest.startswith("//"):
        return normalise(rest, head)
    if raw[:2] in ("0x", "0X"):
        return _evm_address(raw)
    if len(raw) in _HASH_BY_LEN and _HEX.issuperset(raw):
        return normalise_hash(raw)
    if "://" in raw:
        return normalise_url(raw)
    if "@" in raw:
        return normalise_email(raw)
    if _IP_CHARS.issuperset(raw) and (":" in raw or raw.replace(".", "").isdigit()):
        return normalise_ip(raw)
    if "." not in raw:
        try:
            return normalise_address(raw)
        except BadInput:
            raise BadInput(
                "unrecognised indicator", value, "not an address, domain, URL, IP, e-mail address or file hash"
            ) from None
    return normalise_domain(raw)


def parent_domains(domain: str) -> list[str]:
    """`a.b.example.com` -> `b.example.com`, `example.com`; never a bare TLD."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(1, len(labels) - 1)]


def related_keys(indicator: Indicator) -> list[tuple[Indicator, str]]:
    """Further indicators a lookup of `indicator` should also match, with how they relate:
    a URL's host, an e-mail address's domain, a domain's parent domains."""
    related: list[tuple[Indicator, str]] = []
    host: Indicator | None = None
    if indicator.type is IndicatorType.URL:
        host = url_host(urlsplit(indicator.value), indicator.value)
        related.append((host, "host of the URL"))
    elif indicator.type is IndicatorType.EMAIL:
        host = normalise_domain(indicator.value.rpartition("@")[2])
        related.append((host, "domain of the e-mail address"))
    elif indicator.type is IndicatorType.DOMAIN:
        host = indicator
    if host is not None and host.type is IndicatorType.DOMAIN:
        for parent in parent_domains(host.value):
            related.append((normalise_domain(parent), f"parent domain of {host.display}"))
    return related
