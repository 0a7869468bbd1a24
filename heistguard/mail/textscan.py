"""Exact shortcuts for phrase regexes over mail text: the literal words a match cannot do without, looked up in
case-folded text before the (much slower) regex runs, so most messages skip the regex without changing a result.

`fold(text)` maps every character to one representative of the class the regex engine treats as equal under
`re.IGNORECASE`, one character for one character; `needs(pattern).may_match(fold(text))` is False only when
the pattern cannot match anywhere in `text`. The literals of every pattern asked about are found in a text in
one pass of an Aho-Corasick automaton (pyahocorasick), not by one substring search per literal: the rules
need some 600 literals, and searching for each in turn cost more than the regexes it spared.
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

import ahocorasick

# The regex engine's own parser and case table (stdlib internals since 3.11). Should a later Python lack
# them, nothing is skipped: every regex runs, exactly as without this module.
try:
    _parser: Any = importlib.import_module("re._parser")
    _constants: Any = importlib.import_module("re._constants")
    _EXTRA_CASES: dict[int, tuple[int, ...]] = dict(importlib.import_module("re._casefix")._EXTRA_CASES)
    _READABLE = True
except (ImportError, AttributeError):
    _EXTRA_CASES, _READABLE = {}, False

MIN_LITERAL = 2  # a single character is in nearly every text: not worth a look-up (two are: 求人, 採用)
# Fragments the phrases need that nearly every text holds (each was in 78-98 % of the 10,000 messages of
# bench/mail_speed.py's mailbox): they rule out next to nothing, yet were 85 % of what the index found in a
# text, so they are taken as present instead of looked up. Taking a literal as present never skips a match.
UBIQUITOUS = frozenset(
    {"in", " i", "the", "the ", "on", "at", "is", "to", "ed", "ing", "as", "le", "de", "of", "us", " a ", "for"}
)


def _case_classes() -> dict[str, str]:
    """Characters `re.IGNORECASE` equates beyond lower-casing (i and dotless ı, s and long ſ, Greek and Cyrillic
    variants), each mapped to the smallest member of its class."""
    groups: dict[int, set[int]] = {}
    for key, others in _EXTRA_CASES.items():
        group = {key, *others}
        for member in list(group):
            group |= groups.get(member, set())
        for member in group:
            groups[member] = group
    return {chr(c): chr(min(group)) for c, group in groups.items() if c != min(group)}


_CLASS_OF = _case_classes()
_UNUSUAL = re.compile("[" + "".join(re.escape(c) for c in sorted(_CLASS_OF)) + "]")


def fold(text: str) -> str:
    """Text lower-cased the way the regex engine compares under IGNORECASE, the same length as `text`."""
    if text.isascii():
        return text.lower()
    # str.lower() turns İ into two characters where the engine sees one i.
    return _UNUSUAL.sub(_representative, text.replace("\u0130", "i").lower())


def _representative(match: re.Match[str]) -> str:
    return _CLASS_OF[match.group()]


# A requirement on the text: True (nothing known), a literal, or (kind, literals, sub-requirements) where kind is
# "and" (all of them) or "or" (any of them); literals sit apart so they are tested in one C-level pass.
Need = bool | str | tuple[str, tuple[str, ...], tuple["Need", ...]]


def _combine(kind: str, parts: list[Need]) -> Need:
    literals: list[str] = []
    subs: list[Need] = []
    for part in parts:
        if part is True:
            if kind == "or":
                return True  # one branch needs nothing: the whole choice needs nothing
        elif isinstance(part, str):
            literals.append(part)
        elif isinstance(part, tuple) and part[0] == kind:  # (a and (b and c)) is (a and b and c)
            literals.extend(part[1])
            subs.extend(part[2])
        else:
            subs.append(part)
    if not literals and not subs:
        return True
    if len(literals) + len(subs) == 1:
        return literals[0] if literals else subs[0]
    return (kind, tuple(dict.fromkeys(literals)), tuple(subs))


def _all(parts: list[Need]) -> Need:
    return _combine("and", parts)


def _any(parts: list[Need]) -> Need:
    return _combine("or", parts)


def _sequence(items: Any) -> Need:
    """What a sequence of regex items needs: its literal runs and what its required groups need."""
    parts: list[Need] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= MIN_LITERAL:
            literal = fold("".join(run))
            parts.append(True if literal in UBIQUITOUS else literal)
        run.clear()

    for op, av in items:
        if op is _constants.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is _constants.SUBPATTERN:
            parts.append(_sequence(av[3]))
        elif op is _constants.ATOMIC_GROUP:
            parts.append(_sequence(av))
        elif op is _constants.BRANCH:
            parts.append(_any([_sequence(branch) for branch in av[1]]))
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT) and av[0] >= 1:
            parts.append(_sequence(av[2]))
        # anything else (classes, anchors, assertions, back-references, optional parts) is not required text
    flush()
    return _all(parts)


def _satisfied(need: Need, present: frozenset[str]) -> bool:
    # Plain loops, not any()/all() over generators: this runs for every phrase of every message.
    if isinstance(need, str):
        return need in present
    if isinstance(need, bool):
        return need
    kind, literals, subs = need
    if kind == "and":
        for literal in literals:
            if literal not in present:
                return False
        for sub in subs:  # noqa: SIM110 (see above)
            if not _satisfied(sub, present):
                return False
        return True
    for literal in literals:
        if literal in present:
            return True
    for sub in subs:  # noqa: SIM110 (see above)
        if _satisfied(sub, present):
            return True
    return False


MAX_CLAUSES = 64  # beyond this the choice-heavy requirement is checked by walking its tree instead


def _clauses(need: Need) -> list[frozenset[str]] | None:
    """The requirement as clauses that must each meet the text (any one of a clause's literals present), so it is
    checked by C-level set tests; None when spelling it out that way would take more than MAX_CLAUSES."""
    if isinstance(need, bool):
        return [] if need else [frozenset()]
    if isinstance(need, str):
        return [frozenset((need,))]
    kind, literals, subs = need
    if kind == "and":
        clauses = [frozenset((literal,)) for literal in literals]
        for sub in subs:
            more = _clauses(sub)
            if more is None:
                return None
            clauses += more
        return clauses if len(clauses) <= MAX_CLAUSES else None
    alternatives = [frozenset(literals)]  # (a or b or X) where X = (c and d): (a or b or c) and (a or b or d)
    for sub in subs:
        more = _clauses(sub)
        if more is None:
            return None
        alternatives = [have | extra for have in alternatives for extra in more]
        if len(alternatives) > MAX_CLAUSES:
            return None
    return alternatives


def _literals(need: Need) -> set[str]:
    if isinstance(need, str):
        return {need}
    if isinstance(need, bool):
        return set()
    found = set(need[1])
    for sub in need[2]:
        found |= _literals(sub)
    return found


class _Index:
    """Every literal of every pattern asked about so far, found in a text in one pass."""

    def __init__(self) -> None:
        self.literals: set[str] = set()
        self.generation = 0
        self._automaton: Any = None

    def add(self, literals: set[str]) -> None:
        if not literals <= self.literals:
            self.literals |= literals
            self.generation += 1  # a new literal: the automaton and the cached look-ups are out of date
            self._automaton = None

    def scan(self, folded: str) -> frozenset[str]:
        if not self.literals:
            return frozenset()
        if self._automaton is None:
            automaton = ahocorasick.Automaton()
            for literal in self.literals:
                automaton.add_word(literal, literal)
            automaton.make_automaton()
            self._automaton = automaton
        return frozenset(literal for _, literal in self._automaton.iter(folded))


_INDEX = _Index()


def literals_in(folded: str) -> frozenset[str]:
    """The literals of every pattern asked about so far that occur in `folded`."""
    return _present(folded, _INDEX.generation)


# The rules look in the same few texts of a message (its head, its whole text) many times: the literals found
# are kept for the last texts seen, keyed by the index's generation so a newly added literal is never missed.
@functools.lru_cache(maxsize=16)
def _present(folded: str, generation: int) -> frozenset[str]:
    return _INDEX.scan(folded)


class Needs:
    """The literal text any match of one pattern must contain, case-folded."""

    def __init__(self, pattern: re.Pattern[str], indexed: bool = True) -> None:
        """`indexed`: its literals join the shared index (`may_match`, `satisfied_by`); a pattern checked only
        by `occurs_in` keeps them out, so they cost the index's scan of every text nothing."""
        self.need: Need = True
        if _READABLE:
            try:
                self.need = _sequence(_parser.parse(pattern.pattern, pattern.flags))
            except Exception:  # an unreadable pattern is just never skipped
                self.need = True
        self.clauses = _clauses(self.need)
        if indexed:
            _INDEX.add(_literals(self.need))

    @property
    def gate(self) -> frozenset[str] | None:
        """One clause every text the pattern matches meets (its smallest); None when nothing is required or the
        requirement has too many choices to spell as clauses (such a pattern is then never gated)."""
        return min(self.clauses, key=len) if self.clauses else None

    def may_match(self, folded: str) -> bool:
        """False only when the pattern cannot match the text whose `fold()` is `folded`."""
        return self.satisfied_by(literals_in(folded)) if self.need is not True else True

    def occurs_in(self, folded: str) -> bool:
        """`may_match` by one substring search per literal: cheaper than the shared index for a few patterns
        over one long text (a page) that no other rule reads."""
        if self.clauses is None:
            return True
        return all(any(literal in folded for literal in clause) for clause in self.clauses)

    def satisfied_by(self, present: frozenset[str]) -> bool:
        """`may_match` for a text whose `literals_in()` is `present`."""
        if self.clauses is None:
            return _satisfied(self.need, present)
        for clause in self.clauses:  # noqa: SIM110 (a plain loop: no generator per phrase per message)
            if clause.isdisjoint(present):
                return False
        return True


def may_match_empty(pattern: re.Pattern[str]) -> bool:
    """True when the pattern's shortest match is empty (or it cannot be read)."""
    if not _READABLE:
        return True
    try:
        return bool(_parser.parse(pattern.pattern, pattern.flags).getwidth()[0] == 0)
    except Exception:  # unreadable: assume the worst
        return True


@functools.lru_cache(maxsize=1024)
def needs(pattern: re.Pattern[str]) -> Needs:
    """The (cached) needs of a compiled pattern."""
    return Needs(pattern)


def search(pattern: re.Pattern[str], text: str, folded: str) -> re.Match[str] | None:
    """`pattern.search(text)`, skipped when `folded` (= `fold(text)`) lacks what any match needs."""
    return pattern.search(text) if needs(pattern).may_match(folded) else None
