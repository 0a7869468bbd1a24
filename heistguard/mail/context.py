"""What every mail rule may consult besides the message: the profile's protected names and domains,
the lookalike finder, the intel store and, under `--online`, a DNS lookup for DKIM keys."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from heistguard.config import MailConfig
from heistguard.findings import Evidence, Location
from heistguard.intel import IntelLookup
from heistguard.mail.authentication import DnsLookup
from heistguard.mail.brands import BRANDS
from heistguard.mail.domains import LookalikeFinder, registrable, skeleton
from heistguard.mail.message import Message


@dataclass(frozen=True, slots=True)
class ProtectedName:
    name: str
    domains: frozenset[str]  # registrable domains allowed to use this name
    firm: bool  # from the profile (a person or partner) rather than the bundled brand list
    pattern: re.Pattern[str] = field(compare=False)
    shape: re.Pattern[str] = field(compare=False)  # the same over `skeleton` forms, for names in other scripts

    def claimed_by(self, display: str, display_skeleton: str | None = None) -> bool:
        """True when a display name, as a reader sees it (`invisible.shown`), claims this name, written with any
        of space, dot, dash or underscore between its words or none ("Magic-Eden", "TrustWallet"), or, given
        the display name's `skeleton` (worth working out only when it is not ASCII), in letters of other scripts
        that look like it ("Сoinbase" with a Cyrillic С)."""
        return self.pattern.search(display) is not None or (
            display_skeleton is not None and self.shape.search(display_skeleton) is not None
        )


@dataclass
class MailContext:
    config: MailConfig
    intel: IntelLookup | None = None
    dns: DnsLookup | None = None  # set only under --online
    lookalikes: LookalikeFinder = field(init=False)
    names: tuple[ProtectedName, ...] = field(init=False)
    # Every name's pattern in one regex (and every name's skeleton pattern in another): one search tells whether
    # a display name claims any protected name, before the names are tried one by one to say which.
    any_name: re.Pattern[str] = field(init=False)
    any_name_shape: re.Pattern[str] = field(init=False)
    firm_domains: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        cfg = self.config
        self.firm_domains = frozenset(registrable(d) for d in (*cfg.protected_domains, *cfg.trusted_domains))
        brand_main = [b.domains[0] for b in BRANDS] if cfg.default_brands else []
        brand_owned = [d for b in BRANDS for d in b.domains] if cfg.default_brands else []
        self.lookalikes = LookalikeFinder(
            protected=brand_main,
            allowed=(*brand_owned, *self.firm_domains),
            permuted=cfg.protected_domains,
        )
        names = [_protected(n, self.firm_domains, firm=True) for n in cfg.protected_names]
        if cfg.default_brands:
            names += [
                _protected(b.name, frozenset(registrable(d) for d in b.domains) | self.firm_domains, firm=False)
                for b in BRANDS
            ]
        self.names = tuple(names)
        self.any_name = _any_of(n.pattern for n in names)
        self.any_name_shape = _any_of(n.shape for n in names)

    def is_firm_or_brand_domain(self, domain: str) -> bool:
        return registrable(domain) in self.lookalikes.allowed


def _protected(name: str, domains: frozenset[str], firm: bool) -> ProtectedName:
    return ProtectedName(name, domains, firm, _name_pattern(name.split()), _name_pattern(skeleton(name).split()))


def _any_of(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str]:
    joined = "|".join(f"(?:{p.pattern})" for p in patterns)
    return re.compile(joined or "(?!)", re.I)  # "(?!)" matches nothing: no protected names at all


def _name_pattern(words: list[str]) -> re.Pattern[str]:
    joined = r"[\s._-]*".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w.]){joined}(?![\w])", re.I)


def at(message: Message, logical: str, text: str) -> Evidence:
    """Evidence in a message: `logical` names the place (a header, a link, an attachment)."""
    return Evidence(location=Location(path=message.source, logical=logical), text=text[:500])


def header_evidence(message: Message, names: Iterable[str]) -> list[Evidence]:
    out = []
    for name in names:
        for value in message.headers_named(name):
            out.append(at(message, f"header {name}", f"{name}: {value}"))
    return out
