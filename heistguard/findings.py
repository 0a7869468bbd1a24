"""The one result model every guard returns: rules, findings with evidence, and a verdict per input.

Renderers in `heistguard.report` are pure functions of these objects, so every output format
works for every guard at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, field_validator

RULE_ID = re.compile(r"^[a-z][a-z0-9]*(\.[a-z0-9][a-z0-9-]*)+$")
ATTACK_ID = re.compile(r"^(T\d{4}(\.\d{3})?|G\d{4}|S\d{4}|TA\d{4})$")


class Severity(enum.StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def blocks(self) -> bool:
        """High and critical are what a run's exit code 1 stands for."""
        return self.rank >= _RANK[Severity.HIGH]


_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}

# How much one finding of each severity adds to a verdict's score (see `score_of`).
_SEVERITY_WEIGHT = {
    Severity.INFO: 0.0,
    Severity.LOW: 0.15,
    Severity.MEDIUM: 0.35,
    Severity.HIGH: 0.7,
    Severity.CRITICAL: 0.95,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Location(_Strict):
    """Where evidence sits: a file and line, or a logical place (a header, a transaction field)."""

    path: str | None = None
    line: int | None = Field(default=None, ge=1)
    column: int | None = Field(default=None, ge=1)
    logical: str | None = None

    def __str__(self) -> str:
        place = self.path or ""
        if self.path and self.line:
            place += f":{self.line}"
            if self.column:
                place += f":{self.column}"
        if self.logical:
            place = f"{place} {self.logical}".strip()
        return place


class Evidence(_Strict):
    """The exact thing seen: a header, a line of code, a decoded call, an intel record."""

    location: Location
    text: str


class IndicatorRef(_Strict):
    """An indicator a finding touched, in its normalised form."""

    type: str
    value: str


class Rule(_Strict):
    """What a detection looks for and why; every finding names one by its stable id."""

    id: str
    severity: Severity
    title: str
    rationale: str
    attack: tuple[str, ...] = ()
    references: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(f"rule id {value!r} is not of the form guard.name-in-kebab-case")
        return value

    @field_validator("attack")
    @classmethod
    def _attack_shape(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for tid in value:
            if not ATTACK_ID.match(tid):
                raise ValueError(f"{tid!r} is not an ATT&CK technique or group id")
        return value

    def finding(
        self,
        title: str,
        evidence: Iterable[Evidence] = (),
        indicators: Iterable[IndicatorRef] = (),
        severity: Severity | None = None,
        references: Iterable[str] = (),
        attack: Iterable[str] = (),
    ) -> Finding:
        """A finding of this rule; severity may be raised or lowered per case, and a case may add
        references and ATT&CK ids (the group behind an indicator) to the rule's own."""
        return Finding(
            rule_id=self.id,
            severity=severity or self.severity,
            title=title,
            evidence=tuple(evidence),
            indicators=tuple(sorted(set(indicators), key=lambda i: (i.type, i.value))),
            attack=tuple(dict.fromkeys((*self.attack, *attack))),
            references=tuple(dict.fromkeys((*self.references, *references))),
        )


class Finding(_Strict):
    rule_id: str
    severity: Severity
    title: str
    evidence: tuple[Evidence, ...] = ()
    indicators: tuple[IndicatorRef, ...] = ()
    attack: tuple[str, ...] = ()
    references: tuple[str, ...] = ()

    def sort_key(self) -> tuple[int, str, str]:
        return (-self.severity.rank, self.rule_id, self.title)


class Verdict(_Strict):
    """The sum of what one guard found in one input (a message, a file, a transaction, a value)."""

    input: str
    guard: str
    verdict: str
    score: int = Field(ge=0, le=100)
    findings: tuple[Finding, ...] = ()
    error: str | None = None

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    @property
    def blocks(self) -> bool:
        worst = self.worst
        return worst is not None and worst.blocks


def score_of(findings: Iterable[Finding]) -> int:
    """0-100: each finding removes part of what is left of 'benign', so many weak signs add up
    but never outweigh one critical."""
    benign = 1.0
    for finding in findings:
        benign *= 1.0 - _SEVERITY_WEIGHT[finding.severity]
    return round(100 * (1.0 - benign))


def verdict_of(
    input: str,
    guard: str,
    findings: Iterable[Finding],
    words: tuple[str, str, str] = ("malicious", "suspicious", "clean"),
) -> Verdict:
    """Sum findings into a verdict: the first word when anything is high or worse, the second
    when anything is low or medium, the third otherwise."""
    ordered = tuple(sorted(findings, key=Finding.sort_key))
    worst = max((f.severity.rank for f in ordered), default=-1)
    if worst >= Severity.HIGH.rank:
        word = words[0]
    elif worst >= Severity.LOW.rank:
        word = words[1]
    else:
        word = words[2]
    return Verdict(input=input, guard=guard, verdict=word, score=score_of(ordered), findings=ordered)


def error_verdict(input: str, guard: str, message: str) -> Verdict:
    """A bad item in a batch: reported in place, the batch carries on."""
    return Verdict(input=input, guard=guard, verdict="error", score=0, error=message)
