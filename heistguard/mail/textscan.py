"""Exact shortcuts for phrase regexes over mail text: the literal words a match cannot do without, looked up in
case-folded text before the (much slower) regex runs, so most messages skip the regex without changing a result.

`fold(text)` maps every character to one representative of the class the regex engine treats as equal under
`re.IGNORECASE`, one character for one character; `needs(pattern).may_match(fold(text))` is False only when
the pattern cannot match anywhere in `text`.
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

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
            parts.append(fold("".join(run)))
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


def _satisfied(need: Need, folded: str) -> bool:
    # Plain loops, not any()/all() over generators: this runs for every phrase of every message.
    if isinstance(need, str):
        return need in folded
    if isinstance(need, bool):
        return need
    kind, literals, subs = need
    if kind == "and":
        for literal in literals:
            if literal not in folded:
                return False
        for sub in subs:  # noqa: SIM110 (see above)
            if not _satisfied(sub, folded):
                return False
        return True
    for literal in literals:
        if literal in folded:
            return True
    for sub in subs:  # noqa: SIM110 (see above)
        if _satisfied(sub, folded):
            return True
    return False


class Needs:
    """The literal text any match of one pattern must contain, case-folded."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.need: Need = True
        if _READABLE:
            try:
                self.need = _sequence(_parser.parse(pattern.pattern, pattern.flags))
            except Exception:  # an unreadable pattern is just never skipped
                self.need = True

    def may_match(self, folded: str) -> bool:
        """False only when the pattern cannot match the text whose `fold()` is `folded`."""
        return _satisfied(self.need, folded)


@functools.lru_cache(maxsize=1024)
def needs(pattern: re.Pattern[str]) -> Needs:
    """The (cached) needs of a compiled pattern."""
    return Needs(pattern)


def search(pattern: re.Pattern[str], text: str, folded: str) -> re.Match[str] | None:
    """`pattern.search(text)`, skipped when `folded` (= `fold(text)`) lacks what any match needs."""
    return pattern.search(text) if needs(pattern).may_match(folded) else None
