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
from sha3 import keccak_256  # safe-pysha3: a C Keccak, ~5x faster per call than the pycryptodome backend

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


# EIP-55 with C-speed string and integer operations instead of a loop over 40 characters: a letter
# is upper case exactly where the Keccak nibble at its position is 8 or more, and upper case is
# lower case with bit 0x20 cleared.
_NIBBLE_HIGH = str.maketrans("0123456789abcdef", "\0\0\0\0\0\0\0\0\x20\x20\x20\x20\x20\x20\x20\x20")
_IS_LETTER = str.maketrans("0123456789abcdef", "\0\0\0\0\0\0\0\0\0\0\x20\x20\x20\x20\x20\x20")


def evm_checksum(lower_hex40: str) -> str:
    """EIP-55 mixed-case form of a 40-digit lower-case hex address (without 0x)."""
    digest = keccak_256(lower_hex40.encode("ascii")).hexdigest()[:40]
    flip = int.from_bytes(digest.translate(_NIBBLE_HIGH).encode("latin-1"), "big") & int.from_bytes(
        lower_hex40.translate(_IS_LETTER).encode("latin-1"), "big"
    )
    return "0x" + (int.from_bytes(lower_hex40.encode("ascii"), "big") ^ flip).to_bytes(40, "big").decode("ascii")


def evm_checksum_ok(body: str) -> bool:
    """True when the 40 hex digits `body` (no 0x) are all one case or carry a valid EIP-55 checksum."""
    lower = body.lower()
    return body == lower or body == body.upper() or evm_checksum(lower)[2:] == body


def _evm_address(value: str) -> Indicator:
    body = value[2:]
    if len(body) != 40 or not _HEX.issuperset(body):
        raise BadInput("malformed EVM address", value, "expected 0x followed by 40 hex digits")
    lower = body.lower()
    checksummed = evm_checksum(lower)
    if body != lower and body != body.upper() and checksummed[2:] != body:
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
    if ":" not in host and not host.replace(".", "").isdigit():
        return normalise_domain(host)  # neither IPv6 (colons) nor IPv4 (digits and dots): no failed parse to pay
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


def normalise_kind(kind: IndicatorType | str | None) -> IndicatorType | None:
    if kind is None or isinstance(kind, IndicatorType):
        return kind
    try:
        return IndicatorType(kind)
    except ValueError:
        known = ", ".join(t.value for t in IndicatorType)
        raise BadInput("unknown indicator type", str(kind), f"expected one of {known}") from None


def normalise(value: str, kind: IndicatorType | str | None = None) -> Indicator:
    """Normalise `value` as `kind`, or detect its kind when none is given (see `detect`)."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput("empty indicator value", None, "nothing to look up")
    kind = normalise_kind(kind)
    if kind is None:
        return detect(value)
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


# --- the batch fast path ---------------------------------------------------------------------
# Most values in a screening batch are plain: a lower-case or checksummed EVM address, a hash, an
# ASCII domain, a dotted-quad IP, a simple http(s) URL or e-mail address. A big batch normalises
# those inside DuckDB (vectorised, on every core) with the expressions below; the rest, and the
# EIP-55 checks that need Keccak, go through `detect()`. The tests check that the two paths give
# the same key for every value this one accepts.

_SQL_LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_SQL_DOMAIN = f"(?:{_SQL_LABEL}[.])+{_SQL_LABEL}"
_SQL_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_SQL_IPV4 = f"(?:{_SQL_OCTET}[.]){{3}}{_SQL_OCTET}"
_IPV4 = re.compile(_SQL_IPV4)
_SQL_URL = "(?i)https?://[A-Za-z0-9._-]+(?:/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?(?:[?][A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?"
_SQL_EMAIL = f"[A-Za-z0-9._+-]{{1,64}}@{_SQL_DOMAIN}"


def _sql_str(pattern: str) -> str:
    return "'" + pattern.replace("'", "''") + "'"


def _sql_plain_domain(expr: str) -> str:
    """SQL: `expr` (lower case) is an ASCII domain that `normalise_domain` keeps as it is."""
    return (
        f"(regexp_full_match({expr}, {_sql_str(_SQL_DOMAIN)}) AND length({expr}) <= 253"
        f" AND NOT contains({expr}, 'xn--') AND NOT regexp_full_match({expr}, '.*[.][0-9]+'))"
    )


# Columns: idx, type (NULL: needs detect(); 'evm-mixed': needs an EIP-55 check), key, host.
# Cheap tests (length, prefix, a character present) guard each regex, so a row meets only the
# regexes of the one type it can be; DuckDB evaluates a CASE branch only for the rows that reach it.
PLAIN_FORMS_SQL = f"""
WITH v AS (
    SELECT idx, raw, lower(raw) AS low, length(raw) AS n, strlen(raw) = length(raw) AS ascii,
           -- once the whole URL matched its regex, its host runs to the first '/' or '?'
           substr(raw, strpos(raw, '://') + 3) AS after_scheme
    FROM hg_raw
),
t AS (
    SELECT idx, raw, low, after_scheme,
        lower(split_part(split_part(after_scheme, '/', 1), '?', 1)) AS url_host, CASE
        WHEN raw IS NULL OR NOT ascii THEN NULL
        WHEN n = 42 AND starts_with(raw, '0x') THEN CASE
            WHEN regexp_full_match(raw, '0x(?:[0-9a-f]{{40}}|[0-9A-F]{{40}})') THEN 'address'
            WHEN regexp_full_match(raw, '0x[0-9a-fA-F]{{40}}') THEN 'evm-mixed' END
        WHEN starts_with(low, '0x') THEN NULL
        WHEN n IN (32, 40, 64) AND regexp_full_match(raw, '[0-9a-fA-F]+') THEN
            CASE n WHEN 32 THEN 'md5' WHEN 40 THEN 'sha1' ELSE 'sha256' END
        WHEN contains(raw, '://') THEN CASE
            WHEN regexp_full_match(raw, {_sql_str(_SQL_URL)}) AND NOT contains(raw, '/.')
                 AND (regexp_full_match(url_host, {_sql_str(_SQL_IPV4)}) OR {_sql_plain_domain("url_host")})
            THEN 'url' END
        WHEN contains(raw, '@') THEN CASE
            WHEN regexp_full_match(raw, {_sql_str(_SQL_EMAIL)}) AND {_sql_plain_domain("split_part(low, '@', 2)")}
            THEN 'email' END
        WHEN n <= 15 AND regexp_full_match(raw, {_sql_str(_SQL_IPV4)}) THEN 'ip'
        WHEN {_sql_plain_domain("low")} THEN 'domain'
        END AS type
    FROM v
),
u AS (
    SELECT idx, raw, low, type, url_host,
           substr(after_scheme, length(url_host) + 1) AS path_query
    FROM t
)
SELECT idx, type,
    CASE type
        WHEN 'url' THEN lower(split_part(raw, '://', 1)) || '://' || url_host
             || coalesce(nullif(split_part(path_query, '?', 1), ''), '/')
             || CASE WHEN length(path_query) > strpos(path_query, '?') AND strpos(path_query, '?') > 0
                     THEN substr(path_query, strpos(path_query, '?')) ELSE '' END
        WHEN 'ip' THEN raw
        WHEN 'evm-mixed' THEN raw
        ELSE low END AS key,
    CASE type
        WHEN 'domain' THEN low
        WHEN 'email' THEN split_part(low, '@', 2)
        WHEN 'url' THEN CASE WHEN regexp_full_match(url_host, {_sql_str(_SQL_IPV4)}) THEN NULL ELSE url_host END
        END AS host
FROM u
"""


def host_of(kind: IndicatorType, key: str) -> str | None:
    """The domain inside a normalised URL, e-mail address or domain key (None for an IP host)."""
    if kind is IndicatorType.DOMAIN:
        return key
    if kind is IndicatorType.EMAIL:
        return key.rpartition("@")[2]
    if kind is IndicatorType.URL:
        host = key.split("://", 1)[1].split("/", 1)[0]
        if host.startswith("[") or ":" in host:
            host = host.rsplit(":", 1)[0] if not host.startswith("[") else ""
        return host if host and not _IPV4.fullmatch(host) else None
    return None


def match_keys(indicator: Indicator) -> list[str]:
    """Every key a lookup of `indicator` matches through: itself, the host of a URL or e-mail address, and
    that host's parent domains (never a bare TLD) — the same keys the batch join explodes in SQL."""
    host = host_of(indicator.type, indicator.value)
    keys = [indicator.value]
    if host is not None:
        labels = host.split(".")
        first = 1 if indicator.type is IndicatorType.DOMAIN else 0
        keys += [".".join(labels[i:]) for i in range(first, len(labels) - 1)]
    return keys
