from __future__ import annotations

import pytest
from pydantic import ValidationError

from heistguard.findings import Evidence, Location, Rule, Severity, score_of, verdict_of

RULE = Rule(id="test.example-rule", severity=Severity.HIGH, title="t", rationale="r", attack=("T1566.001",))


def test_rule_ids_and_attack_ids_are_validated() -> None:
    with pytest.raises(ValidationError):
        Rule(id="NoDots", severity=Severity.LOW, title="t", rationale="r")
    with pytest.raises(ValidationError):
        Rule(id="test.ok", severity=Severity.LOW, title="t", rationale="r", attack=("phishing",))


def test_models_are_strict_and_frozen() -> None:
    finding = RULE.finding("x")
    with pytest.raises(ValidationError):
        finding.title = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Location(path="a", surprise=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Location(line=0)


def test_finding_carries_rule_metadata_and_case_additions() -> None:
    finding = RULE.finding("x", severity=Severity.CRITICAL, attack=("G0032",), references=("https://a",))
    assert finding.rule_id == "test.example-rule"
    assert finding.severity is Severity.CRITICAL
    assert finding.attack == ("T1566.001", "G0032")
    assert finding.references == ("https://a",)


def test_score_adds_up_but_saturates() -> None:
    low = RULE.finding("l", severity=Severity.LOW)
    crit = RULE.finding("c", severity=Severity.CRITICAL)
    assert score_of([]) == 0
    assert 0 < score_of([low]) < score_of([low, low]) < score_of([crit])
    assert score_of([crit] * 5) == 100


def test_verdict_words_and_stable_order() -> None:
    info = RULE.finding("i", severity=Severity.INFO)
    med = RULE.finding(
        "m", severity=Severity.MEDIUM, evidence=[Evidence(location=Location(path="f", line=2), text="e")]
    )
    high = RULE.finding("h")
    assert verdict_of("in", "test", [info]).verdict == "clean"
    assert verdict_of("in", "test", [info, med]).verdict == "suspicious"
    verdict = verdict_of("in", "test", [info, med, high])
    assert verdict.verdict == "malicious"
    assert [f.title for f in verdict.findings] == ["h", "m", "i"]
    assert verdict.blocks
    assert str(med.evidence[0].location) == "f:2"
