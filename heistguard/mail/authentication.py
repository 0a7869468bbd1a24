"""Sender authentication: what the receiving servers recorded (Authentication-Results, ARC), and real DKIM
verification with dkimpy when the signer's key can be fetched (`--online`).

Authentication-Results can be written by anyone upstream, so only the topmost header (added by
the firm's own MTA) is believed, or the first one whose authserv-id the profile names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from heistguard.mail.domains import FREE_MAIL, host_of, registrable
from heistguard.mail.message import Message

# dkimpy's DNS hook: (name, timeout=...) -> TXT record bytes or None. Tests inject a dict-backed one.
DnsLookup = Callable[..., bytes | None]

_COMMENT = re.compile(r"\([^()]*\)")
_METHOD = re.compile(r"(?:^|;)\s*(spf|dkim|dmarc|arc|compauth)\s*=\s*([a-z]+)", re.I)
_PROPERTY = re.compile(r"(header\.d|header\.from|header\.i|smtp\.mailfrom)\s*=\s*([^\s;]+)", re.I)
_CV = re.compile(r"\bcv\s*=\s*([a-z]+)", re.I)
_INSTANCE = re.compile(r"\bi\s*=\s*(\d+)", re.I)


@dataclass(frozen=True, slots=True)
class MethodResult:
    method: str  # spf, dkim, dmarc, arc, compauth
    result: str  # pass, fail, softfail, none, neutral, temperror, permerror, ...
    properties: tuple[tuple[str, str], ...]
    header: str  # the header text this came from, for evidence


@dataclass(frozen=True, slots=True)
class AuthResults:
    results: tuple[MethodResult, ...]
    header_name: str  # "Authentication-Results" or "ARC-Authentication-Results"

    def of(self, method: str) -> list[MethodResult]:
        return [r for r in self.results if r.method == method]


def _authserv_id(value: str) -> str:
    first = _COMMENT.sub("", value).split(";", 1)[0].strip()
    return "" if "=" in first else first.split()[0].lower() if first else ""


@functools.lru_cache(maxsize=512)  # several rules read the same message's results; the tuple is immutable
def parse_results(value: str) -> tuple[MethodResult, ...]:
    clean = " ".join(_COMMENT.sub("", value).split())
    # Each method's statement runs to the next ';' that starts a new method.
    out = []
    spans = [(m.start(), m) for m in _METHOD.finditer(clean)]
    for index, (start, match) in enumerate(spans):
        end = spans[index + 1][0] if index + 1 < len(spans) else len(clean)
        chunk = clean[start:end]
        props = tuple((k.lower(), v.strip().strip(";").lower()) for k, v in _PROPERTY.findall(chunk))
        out.append(MethodResult(match.group(1).lower(), match.group(2).lower(), props, " ".join(value.split())))
    return tuple(out)


def recorded_results(message: Message, trusted_ids: tuple[str, ...] = ()) -> AuthResults | None:
    """The results the firm's own receiving server recorded, or None when there are none to believe.

    A server may write one header per method, so every header of the chosen authserv-id is read."""
    key = ("recorded_results", trusted_ids)
    if key not in message.derived:  # asked by most of the sender rules
        message.derived[key] = _recorded_results(message, trusted_ids)
    return cast(AuthResults | None, message.derived[key])


def _recorded_results(message: Message, trusted_ids: tuple[str, ...]) -> AuthResults | None:
    headers = message.headers_named("Authentication-Results")
    if not headers:
        return None
    wanted = {t.lower() for t in trusted_ids} if trusted_ids else {_authserv_id(headers[0])}
    chosen = [h for h in headers if _authserv_id(h) in wanted] if trusted_ids or wanted != {""} else headers[:1]
    results = tuple(r for h in chosen for r in parse_results(h))
    return AuthResults(results, "Authentication-Results") if results else None


@dataclass(frozen=True, slots=True)
class ArcState:
    instance: int
    cv: str
    header: str


def arc_chain(message: Message) -> list[ArcState]:
    """The ARC-Seal headers, newest instance first."""
    states = []
    for value in message.headers_named("ARC-Seal"):
        cv = _CV.search(value)
        instance = _INSTANCE.search(value)
        if cv and instance:
            states.append(ArcState(int(instance.group(1)), cv.group(1).lower(), " ".join(value.split())))
    return sorted(states, key=lambda s: -s.instance)


@dataclass(frozen=True, slots=True)
class DkimCheck:
    signed: bool
    valid: bool
    domain: str
    error: str


def verify_dkim(raw: bytes, dns: DnsLookup) -> DkimCheck:
    """Verify the first DKIM-Signature with dkimpy, fetching the key through `dns`."""
    import dkim

    if b"dkim-signature:" not in raw[:200_000].lower():
        return DkimCheck(False, False, "", "")
    verifier = dkim.DKIM(raw, minkey=1024)
    domain = ""
    try:
        sigs = [h for h in verifier.headers if h[0].lower() == b"dkim-signature"]
        if sigs:
            tags = dkim.util.parse_tag_value(sigs[0][1])
            domain = tags.get(b"d", b"").decode("ascii", "replace")
        valid = bool(verifier.verify(0, dnsfunc=dns))
        return DkimCheck(True, valid, domain, "" if valid else "signature does not verify")
    except dkim.DKIMException as exc:
        return DkimCheck(True, False, domain, str(exc))
    except (ValueError, IndexError, UnicodeError) as exc:
        return DkimCheck(True, False, domain, f"malformed signature: {exc}")


def aligned_pass(recorded: AuthResults, from_domain: str) -> bool:
    """True when the recorded results vouch for the From domain (DMARC's relaxed alignment): DMARC passed, or a
    passing DKIM signature or SPF envelope belongs to the same organisation as the From address."""
    org = registrable(from_domain)
    for result in recorded.results:
        if result.result != "pass":
            continue
        if result.method == "dmarc":
            return True
        props = dict(result.properties)
        domain = props.get("header.d") if result.method == "dkim" else props.get("smtp.mailfrom")
        if result.method in ("dkim", "spf") and domain and registrable(domain.rsplit("@", 1)[-1]) == org:
            return True
    return False


def vouched_notice(message: Message, trusted_ids: tuple[str, ...] = ()) -> bool:
    """True for a notice the sender's domain vouches for (DMARC, or aligned DKIM / SPF pass) whose every link
    stays with the sender: an exchange's real 'new sign-in, secure your account' mail, a cloud invoice. Never
    for a free mailbox: anyone can pass DMARC as gmail.com."""
    sender = message.sender_from
    if sender is None or not sender.domain:
        return False
    org = registrable(sender.domain)
    if org in FREE_MAIL:
        return False
    recorded = recorded_results(message, trusted_ids)
    if recorded is None or not aligned_pass(recorded, sender.domain):
        return False
    return all(registrable(host_of(link.url)) == org for link in message.links if host_of(link.url))
