"""Shared shape of the lure-theme rules: count distinct phrases of a theme in the subject and body (each theme in
the languages its phishing arrives in)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from heistguard.findings import Finding, Rule, Severity
from heistguard.mail.authentication import vouched_notice
from heistguard.mail.context import MailContext, at
from heistguard.mail.message import Message
from heistguard.mail.textscan import Needs, literals_in, may_match_empty, needs

MAX_SCAN = 10_000  # characters of body text read for themes (lures come early)

# each theme's pattern -> its phrases, each compiled alone, with what its matches need (worked out once)
_PHRASES: dict[re.Pattern[str], tuple[tuple[re.Pattern[str], Needs], ...]] = {}
# each theme's pattern -> literals one of which any match of any of its phrases needs (None: no such set)
_GATES: dict[re.Pattern[str], frozenset[str] | None] = {}


def phrases(patterns: tuple[str, ...]) -> re.Pattern[str]:
    pattern = _joined(patterns)
    alone = [_joined((p,)) for p in patterns]
    if pattern.groups or any(may_match_empty(a) for a in alone):
        return pattern  # numbered groups, or a phrase that can match nothing: only the whole pattern says
    parts = tuple((a, needs(a)) for a in alone)
    _PHRASES[pattern] = parts
    gates = [need.gate for _, need in parts]
    _GATES[pattern] = None if any(g is None for g in gates) else frozenset().union(*(g for g in gates if g))
    return pattern


def _joined(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def hits(pattern: re.Pattern[str], message: Message) -> list[str]:
    """Distinct phrases of the theme found, in order of first appearance."""
    text, folded = message.head(MAX_SCAN)
    # Most messages hold none of the words a phrase needs: a substring look-up rules those phrases out, and the
    # regex runs over the phrases left (a phrase that cannot match anywhere never changes what the others match).
    parts = _PHRASES.get(pattern)
    if parts is None:  # built elsewhere, or with groups whose numbers must not move
        if not needs(pattern).may_match(folded):
            return []
        matches: Iterable[re.Match[str]] = pattern.finditer(text)
    else:
        present = literals_in(folded)
        gate = _GATES[pattern]
        if gate is not None and gate.isdisjoint(present):  # the usual case: no phrase of the theme is possible
            return []
        possible = [alone for alone, need in parts if need.satisfied_by(present)]
        if not possible:
            return []
        matches = leftmost_first(possible, text)
    seen: dict[str, None] = {}
    for match in matches:
        seen.setdefault(" ".join(match.group(0).lower().split()), None)
    return list(seen)


def leftmost_first(patterns: list[re.Pattern[str]], text: str) -> Iterator[re.Match[str]]:
    """The matches `finditer` of the patterns joined by "|" gives, from the patterns compiled apart (none may
    match empty): at each point the match that starts first, the earlier pattern on a tie. Joining the phrases
    a message may hold meant compiling a new regex for nearly every new combination of them."""
    upcoming = [p.search(text) for p in patterns]
    position = 0
    while True:
        first: re.Match[str] | None = None
        for i, match in enumerate(upcoming):
            if match is not None and match.start() < position:  # overlapped by the last match: look further on
                match = upcoming[i] = patterns[i].search(text, position)
            if match is not None and (first is None or match.start() < first.start()):
                first = match
        if first is None:
            return
        yield first
        position = first.end()


def own_notice(message: Message, context: MailContext) -> bool:
    """A pretext only deceives when the action it asks for leads somewhere else, so the pretext rules stay
    silent on a notice the sender's domain vouches for whose every link stays with the sender."""
    return vouched_notice(message, context.config.trusted_authserv_ids)


def theme_finding(
    rule: Rule,
    pattern: re.Pattern[str],
    message: Message,
    context: MailContext,
    what: str,
    minimum: int = 2,
    stronger: tuple[int, Severity] | None = None,
) -> list[Finding]:
    """A pretext theme's finding: at least `minimum` distinct phrases, and silent on a vouched notice.
    `stronger` = (n, severity): with n or more distinct phrases the finding takes that severity."""
    found = hits(pattern, message)
    if len(found) < minimum or own_notice(message, context):
        return []
    severity = stronger[1] if stronger and len(found) >= stronger[0] else None
    evidence = [at(message, "body", "; ".join(found[:6]))]
    return [rule.finding(f"{what}: {', '.join(found[:4])}", evidence, severity=severity)]
